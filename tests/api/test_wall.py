"""The wall kiosk role: it watches the live picture for days on one sign-in, and may do
nothing else: every command, report and person-level read is refused (403, audited)."""

from __future__ import annotations

import asyncio
import json

import httpx
import jwt
import pytest
from websockets.asyncio.client import connect

from tests.api.conftest import PASSWORD, Api


def test_every_command_and_report_is_refused_to_a_wall_and_audited(api: Api) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    attempts = [
        ("POST", f"/api/units/{unit}/assignment", {"incident_id": incident}),
        ("POST", f"/api/units/{unit}/redeployment", {"bcu": "NE", "reason": "aid"}),
        ("POST", f"/api/units/{unit}/status", {"status": "busy"}),
        ("POST", f"/api/incidents/{incident}/closure", {"outcome": "advice given"}),
        ("GET", "/api/reports", None),
        ("GET", "/api/reports/demand?from=2026-11-24&to=2026-11-24", None),
        ("POST", "/api/reports/demand/jobs?from=2026-11-24&to=2026-11-24&format=csv", None),
        ("GET", "/api/exports/incidents?from=2026-11-24&to=2026-11-24", None),
        ("GET", "/api/audit", None),
        ("GET", f"/api/incidents/{incident}", None),
        ("GET", f"/api/units/{unit}", None),
    ]
    with api.client("wall") as wall:
        for method, path, body in attempts:
            answer = wall.request(method, path, json=body)
            assert answer.status_code == 403, (path, answer.text)
            assert "wall" in answer.json()["detail"], path
    denied = api.audit(actor="wall", outcome="denied")
    for _, path, _ in attempts:
        assert any(e["target"] == path.split("?")[0] for e in denied), path
    assert all(e["role"] == "wall" and e["status"] == 403 for e in denied)
    with api.client("chief") as chief:
        assert chief.get(f"/api/units/{unit}").json()["unit"]["status"] == "available"


async def test_a_wall_watches_the_live_feed(api: Api) -> None:
    async with connect(f"{api.server.ws_url}?token={api.token('wall')}") as ws:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert frame["type"] == "snapshot"


@pytest.mark.parametrize("door", ["/api/token", "/api/session"])
def test_a_wall_session_lasts_days_a_persons_a_shift(api: Api, door: str) -> None:
    def lifetime(user: str) -> int:
        answer = httpx.post(f"{api.url}{door}", data={"username": user, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        token = answer.json().get("access_token") or answer.cookies["bluelamp_session"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == answer.json()["expires_in"]
        return int(answer.json()["expires_in"])

    assert lifetime("plan") == 480 * 60  # the default shift (Settings.token_minutes)
    assert lifetime("wall") == 30 * 86_400  # Settings.wall_session_days


def test_disabling_a_wall_ends_its_long_session(api: Api) -> None:
    api.accounts.add("lobby-wall", "w" * 12, "wall")
    api.disable_and_wait("lobby-wall", "w" * 12)
