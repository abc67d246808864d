"""A command while Redis is down, and after it comes back empty, through a real server on a
redis-server of the test's own: a clear 503 while it is away (never a 500), then the same
command (same Idempotency-Key) is carried out once, with no server restarted."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from tests.api.conftest import PASSWORD
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream.factories import Events
from tests.stream.private_redis import private_redis

DEADLINE_S = 60.0


def test_a_command_during_a_redis_restart_is_503_then_carried_out_once(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/bluelamp.sqlite3"
    engine = open_database(migrated(database), None)
    Accounts(engine).add("chief", PASSWORD, Role.COMMANDER, None)
    Accounts(engine).add("feed", PASSWORD, Role.FEED, None)
    engine.dispose()
    with private_redis(tmp_path) as redis_server:
        server = LiveServer(
            {
                "BLUELAMP_REDIS_URL": redis_server.url,
                "BLUELAMP_DATABASE_URL": database,
                "BLUELAMP_LEASE_TTL_MS": "1000",
            },
            tmp_path,
        ).start()
        try:
            tokens = {
                user: httpx.post(
                    f"{server.url}/api/token", data={"username": user, "password": PASSWORD}
                ).json()["access_token"]
                for user in ("chief", "feed")
            }
            with httpx.Client(
                base_url=server.url,
                headers={"Authorization": f"Bearer {tokens['feed']}"},
                timeout=30,
            ) as feed:
                assert feed.post("/api/events", json=Events().on_duty("U1")).status_code == 200
            with httpx.Client(
                base_url=server.url,
                headers={
                    "Authorization": f"Bearer {tokens['chief']}",
                    "Idempotency-Key": "busy-once",
                },
                timeout=30,
            ) as chief:
                redis_server.kill()
                away = chief.post("/api/units/U1/status", json={"status": "busy"})
                assert away.status_code == 503, away.text
                assert "Redis" in away.json()["detail"]
                redis_server.start()  # empty
                answer = _until_carried_out(chief)
                seq = answer.json()["seq"]
                assert chief.get("/api/units/U1").json()["unit"]["status"] == "busy"
                again = chief.post("/api/units/U1/status", json={"status": "busy"})
                assert again.status_code == 200, again.text
                assert again.json()["seq"] == seq
        finally:
            server.stop()


def _until_carried_out(chief: httpx.Client) -> httpx.Response:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = chief.post("/api/units/U1/status", json={"status": "busy"})
        if answer.status_code == 200:
            return answer
        assert answer.status_code == 503, answer.text  # still coming back: never a 500
        if time.monotonic() > deadline:
            raise AssertionError(f"not carried out within {DEADLINE_S} s: {answer.text}")
        time.sleep(0.2)
