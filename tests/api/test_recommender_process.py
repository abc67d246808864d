"""``BLUELAMP_RECOMMENDER_PROCESS``: the recommender's periodic computation runs in a process
of its own beside a real ``bluelamp serve``; the live advice carries its answer as with the
worker thread, and the process ends with the server."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api, serving
from tests.live import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    server = LiveServer({"BLUELAMP_RECOMMENDER_PROCESS": "true"}, tmp_path)
    with serving(server, server.env["BLUELAMP_DATABASE_URL"]) as api:
        yield api


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _advice(api: Api) -> dict[str, Any]:
    with api.client("chief") as chief:
        answer = chief.get("/api/advice")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _answered(api: Api) -> tuple[str, dict[str, Any]]:
    """A call's unit, and the recommender's suggestions for it once its process answers."""
    unit = api.unit("SW")
    incident = api.incident("SW")
    deadline = time.monotonic() + 60
    while True:
        found = _advice(api).get("recommendations") or {}
        calls = {c["incident_id"]: c for c in found.get("calls", [])}
        if incident in calls:
            return unit, calls[incident]
        assert time.monotonic() < deadline, "the recommender's process never answered"
        time.sleep(0.5)


def _outlived(children: set[int]) -> None:
    # The worker and multiprocessing's resource tracker end once their pipes close.
    deadline = time.monotonic() + 15
    while left := [c for c in children if _alive(c)]:
        assert time.monotonic() < deadline, f"still running after the server: {left}"
        time.sleep(0.2)


def test_the_advice_is_computed_in_a_process_of_its_own(api: Api) -> None:
    unit, call = _answered(api)
    assert [s["unit_id"] for s in call["suggestions"]] == [unit]
    process = api.server._process
    assert process is not None
    children = _children(process.pid)
    assert children, "no process of the recommender's beside the server"
    api.server.stop()
    # uvicorn ends by raising the SIGTERM it caught again, once it has shut down in order.
    assert process.returncode == -signal.SIGTERM
    log = api.server.log.read_text()
    assert "Application shutdown complete" in log and "Traceback" not in log
    _outlived(children)


def test_the_recommenders_process_ends_when_the_server_is_killed(api: Api) -> None:
    """kill -9 gives the server no shutdown: its recommender must not run on regardless."""
    _answered(api)
    process = api.server._process
    assert process is not None
    children = _children(process.pid)
    assert children, "no process of the recommender's beside the server"
    api.server.stop(kill=True)
    assert process.returncode == -signal.SIGKILL
    _outlived(children)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "zombie" not in status
