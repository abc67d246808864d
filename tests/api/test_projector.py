"""The reports' projector of a real server: a failure backs off and says so (log, metric,
/readyz) and recovers by itself; SIGTERM stops the server promptly even in the middle of
projecting a long log."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.accounts import Accounts
from api.database import open_database
from stream.log import EventLog
from tests.api.conftest import PASSWORD
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream import factories as f
from tests.stream.factories import POINTS, START

UNITS = 100


def wait_for(what: Callable[[], Any], timeout: float, say: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := what():
            return found
        time.sleep(0.2)
    pytest.fail(f"{say} within {timeout} s")


def reports_check(server: LiveServer) -> dict[str, Any]:
    checks = httpx.get(f"{server.url}/readyz", timeout=10).json()["checks"]
    return dict(checks["reports"])


def metric(server: LiveServer, token: str, name: str) -> float:
    text = httpx.get(
        f"{server.url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).text
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, name
    return float(found.group(1))


def long_log(url: str, rounds: int) -> None:
    """``UNITS`` units changing status every 23 hours for ``rounds`` rounds: every record
    within the read model's bounds, but a day of hour rows each (minutes to project)."""
    log = EventLog(url)
    lat, lon = POINTS["AW"]
    raws = [f.unit_on_duty(f"U{u}", "AW", "IRV", lat, lon, time=START) for u in range(UNITS)]
    for n in range(rounds):
        at = START + timedelta(hours=23 * (n + 1))
        status = "busy" if n % 2 == 0 else "available"
        raws += [f.unit_status(f"U{u}", status, time=at) for u in range(UNITS)]
    records = f.numbered(raws)
    for start in range(0, len(records), 10_000):
        log.append(records[start : start + 10_000])
    log.close()


def token(server: LiveServer) -> str:
    answer = httpx.post(
        f"{server.url}/api/token", data={"username": "chief", "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _server(tmp_path: Path) -> LiveServer:
    server = LiveServer({}, tmp_path)
    url = migrated(server.env["BLUELAMP_DATABASE_URL"])
    Accounts(open_database(url)).add("chief", PASSWORD, "commander")
    return server


def test_sigterm_stops_the_server_in_the_middle_of_a_long_projection(tmp_path: Path) -> None:
    server = _server(tmp_path)
    long_log(server.env["BLUELAMP_DATABASE_URL"], rounds=1_000)  # 100,000 records
    server.start(timeout=120)
    answers: list[httpx.Response | Exception] = []

    def ask_for_a_report() -> None:  # it catches the read model up first: minutes of work
        try:
            answers.append(
                httpx.get(
                    f"{server.url}/api/reports/resources",
                    params={"from": "2026-11-24", "to": "2026-11-30"},
                    headers={"Authorization": f"Bearer {token(server)}"},
                    timeout=600,
                )
            )
        except httpx.HTTPError as exc:
            answers.append(exc)

    asking = threading.Thread(target=ask_for_a_report, daemon=True)
    try:
        check = reports_check(server)
        assert check["detail"] == "reports' read model not yet projected", check  # projecting
        asking.start()
        wait_for(lambda: "POST /api/token" in server.log.read_text(), 30, "no sign-in")
        time.sleep(1)  # the report request reaches its catch-up (a stop is prompt either way)
        process = server._process
        assert process is not None
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)  # the projection alone takes minutes
        except subprocess.TimeoutExpired:
            pytest.fail("the server was still running 20 s after SIGTERM")
        asking.join(10)
        # cut short (503, or the connection closed), or done before the stop: never a 500
        assert answers, "the report request never ended"
        assert isinstance(answers[0], Exception) or answers[0].status_code in (200, 503)
    finally:
        server.stop(kill=True)


def test_a_failing_projection_backs_off_says_so_and_recovers(tmp_path: Path) -> None:
    server = _server(tmp_path)
    database = tmp_path / "bluelamp.sqlite3"
    server.start()
    try:
        wait_for(lambda: "at seq" in reports_check(server)["detail"], 60, "no projection")
        chief = token(server)
        with sqlite3.connect(database) as db:  # the read model's cursor goes missing
            db.execute("ALTER TABLE report_cursor RENAME TO report_cursor_away")
        wait_for(lambda: "2 attempts in a row" in reports_check(server)["detail"], 60, "no retry")
        check = reports_check(server)
        assert check["ok"] is True  # the live picture does not depend on the reports
        assert "no such table: report_cursor" in check["detail"]
        waiting = int(re.search(r"next in (\d+) s", check["detail"]).group(1))  # type: ignore[union-attr]
        assert 5 < waiting <= 20  # twice as long as the first wait, not a hot loop
        assert metric(server, chief, "bluelamp_report_projection_failing") == 1
        assert metric(server, chief, "bluelamp_report_projection_failures_total") >= 2
        with sqlite3.connect(database) as db:
            db.execute("ALTER TABLE report_cursor_away RENAME TO report_cursor")
        wait_for(lambda: "failing" not in reports_check(server)["detail"], 60, "no recovery")
        assert metric(server, chief, "bluelamp_report_projection_failing") == 0
        lines = server.log.read_text().count("could not bring the reports' read model up to date")
        assert 2 <= lines <= 4, lines
    finally:
        server.stop()
