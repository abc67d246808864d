"""A log written before the sequencer bounded event times, served over real HTTP and a real
WebSocket: incidents stamped 9999-12-31 and 0001-01-01, a unit on duty since 1970 and a
clock two days fast, written straight into the log (bypassing the sequencer), before and
after a restart. Every read answers; nothing is a 500 or a closed socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from api.accounts import Accounts
from api.database import open_database
from stream.log import EventLog
from tests.api.conftest import PASSWORD
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream import factories as f
from tests.stream.factories import POINTS

FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)
AW = POINTS["AW"]


def write_log(url: str, raws: list[dict[str, Any]]) -> None:
    """Records straight into the log, as an older Bluelamp would have left them."""
    log = EventLog(url)
    log.append(f.numbered(raws, log.last_seq() + 1))
    log.close()


def pings(unit: str, *times: dict[str, datetime]) -> list[dict[str, Any]]:
    return [f.unit_location(unit, *AW, **time) for time in times]


def extreme_log(now: datetime) -> list[dict[str, Any]]:
    at = lambda minutes: {"time": now + timedelta(minutes=minutes)}  # noqa: E731
    return [
        f.unit_on_duty("OLD", "AW", "IRV", *AW, time=datetime(1970, 1, 1, tzinfo=UTC)),
        f.unit_on_duty("U1", "AW", "IRV", *AW, **at(-60)),
        f.unit_on_duty("U2", "AW", "IRV", *AW, **at(-60)),
        f.incident_created("DONE", "I", *AW, **at(-50)),
        f.incident_assigned("DONE", "U1", **at(-49)),
        f.incident_arrived("DONE", "U1", **at(-45)),
        f.incident_closed("DONE", **at(-40)),
        # the outliers, each among ordinary traffic (a minority of recent events)
        f.incident_created("FUTURE", "I", *AW, time=FAR_FUTURE),
        *pings("U2", at(-39), at(-38)),
        f.incident_created("PAST", "S", *AW, time=FAR_PAST),
        *pings("U2", at(-37), at(-36)),
        f.incident_created("SKEWED", "I", *AW, time=now + timedelta(days=2)),
        *pings("U2", at(-35), at(-34)),
        f.unit_location("U1", *AW, time=FAR_FUTURE),
        *pings("OLD", at(-33), at(-32)),
        f.incident_assigned("PAST", "U2", time=FAR_FUTURE),
        *pings("U1", *(at(m) for m in range(-30, 0, 5))),
    ]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server (not yet started) on a log that holds the extreme events; stopped after."""
    server = LiveServer({}, tmp_path)
    url = migrated(server.env["BLUELAMP_DATABASE_URL"])
    accounts = Accounts(open_database(url))
    accounts.add("chief", PASSWORD, "commander")
    accounts.add("feed", PASSWORD, "feed")
    write_log(url, extreme_log(datetime.now(UTC).replace(microsecond=0)))
    yield server
    server.stop()


def _token(server: LiveServer, user: str = "chief") -> str:
    answer = httpx.post(f"{server.url}/api/token", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _reads(server: LiveServer, token: str) -> dict[str, Any]:
    answers = {}
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        for path in ("/api/picture", "/api/incidents", "/api/advice", "/api/units", "/api/demand"):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text)
            answers[path] = answer.json()
        answer = client.get("/api/picture", params={"include_closed": "true"})
        assert answer.status_code == 200, answer.text
        answers["closed"] = answer.json()
    return answers


async def _live(server: LiveServer, token: str) -> dict[str, Any]:
    async with connect(
        server.ws_url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None
    ) as ws:
        snapshot = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert snapshot["type"] == "snapshot", snapshot
        # one more event through the spine: its frame carries the state of what it touched
        # (the incident it names, stamped 9999) and the KPIs
        feed = httpx.post(
            f"{server.url}/api/events",
            headers={"Authorization": f"Bearer {_token(server, 'feed')}"},
            json=[f.incident_graded("FUTURE", "S", source="extremes", time=datetime.now(UTC))],
            timeout=30,
        )
        assert feed.status_code == 200, feed.text
        while (frame := json.loads(await asyncio.wait_for(ws.recv(), 20)))["type"] != "events":
            pass
        assert frame["state"]["incidents"]["FUTURE"]["grade"] == "S", frame
        assert frame["kpis"]["i_within_target_last_hour"] == 1.0
        return dict(snapshot)


def _check(server: LiveServer) -> None:
    token = _token(server)
    answers = _reads(server, token)
    picture = answers["/api/picture"]
    ids = {i["incident_id"]: i for i in picture["incidents"]}
    assert ids["FUTURE"]["target_at"].startswith("9999-12-31T23:59:59")
    assert ids["PAST"]["created_at"].startswith("0001-01-01")
    # the clock two days fast (and the far ones) moved nothing: the closed incident is kept
    # and its I-grade target, due 35 minutes ago, counts in the compliance KPI
    assert "DONE" in {i["incident_id"] for i in answers["closed"]["incidents"]}
    assert picture["kpis"]["i_within_target_last_hour"] == 1.0
    assert not picture["as_of"].startswith(("9999", "0001"))
    waiting = {w["incident_id"] for w in answers["/api/advice"]["waiting"]}
    assert {"FUTURE", "SKEWED"} <= waiting
    snapshot = asyncio.run(_live(server, token))
    assert {i["incident_id"] for i in snapshot["picture"]["incidents"]} >= {"FUTURE", "PAST"}


def _reports(server: LiveServer, token: str) -> None:
    """Every report in every format: the ends of time are a clear 422; the widest period a
    report may cover answers, though the read model holds times pandas cannot."""
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        names = client.get("/api/reports").json()["reports"]
        assert set(names) == {"advice", "demand", "response", "resources"}
        for name in names:
            for fmt in ("json", "csv", "xlsx", "pdf"):
                for start, end in (
                    ("0001-01-01", "9999-12-31"),
                    ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
                    ("2026-01-01", "9999-12-31T23:59:59-23:59"),
                ):
                    params = {"from": start, "to": end, "format": fmt}
                    answer = client.get(f"/api/reports/{name}", params=params)
                    assert answer.status_code == 422, (name, fmt, start, end, answer.text)
                    assert "1900-01-01 to 2199-12-31" in answer.json()["detail"]
                params = {"from": "1900-01-01", "to": "2199-12-31", "format": fmt}
                answer = client.get(f"/api/reports/{name}", params=params)
                assert answer.status_code == 200, (name, fmt, answer.text)
            job = client.post(
                f"/api/reports/{name}/jobs", params={"from": "0001-01-01", "to": "9999-12-31"}
            )
            assert job.status_code == 422, job.text


def test_every_report_and_format_at_the_ends_of_time(server: LiveServer) -> None:
    server.start()
    _reports(server, _token(server))


def test_a_log_with_events_at_the_ends_of_time_is_served_and_survives_a_restart(
    server: LiveServer,
) -> None:
    server.start()
    _check(server)
    server.stop()
    server.start()
    _check(server)
