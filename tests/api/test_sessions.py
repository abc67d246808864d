"""Sessions end when they should, everywhere: an open WebSocket closes (error frame, then
4401, audited) when its user is disabled, its token expires or its session is signed out;
signing out revokes the token on every worker; ``since`` is strictly ASCII digits; no
token reaches the server's log."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from api.services import ACTIVE_CACHE_S
from tests.api.conftest import PASSWORD, Api
from tests.live import TEST_SECRET, LiveServer

CLOSE_WITHIN_S = 30  # generous: "a few seconds" on an idle machine, a shared one is slower


def _user(accounts: Accounts, role: Role = Role.PLANNER) -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    accounts.add(name, PASSWORD, role)
    return name


def _token(url: str, user: str) -> str:
    answer = httpx.post(f"{url}/api/token", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def _until_closed(ws: ClientConnection) -> tuple[dict[str, Any], int]:
    """Read frames until the error frame; then the close code that follows it."""
    deadline = time.monotonic() + CLOSE_WITHIN_S
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "the socket kept streaming"
        frame = json.loads(await asyncio.wait_for(ws.recv(), left))
        if frame["type"] == "error":
            break
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None
    return frame, closed.value.rcvd.code


def _live_audit(api: Api, user: str) -> list[dict[str, Any]]:
    return [e for e in api.audit(actor=user, action="live") if e["status"] == 401]


async def test_a_socket_closes_when_its_user_is_disabled(api: Api) -> None:
    user = _user(api.accounts)
    async with connect(api.server.ws_url, additional_headers=_bearer(api.url, user)) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        await asyncio.to_thread(api.accounts.set_disabled, user)
        frame, code = await _until_closed(ws)
    assert code == 4401 and frame["code"] == "unauthorized"
    assert "disabled" in frame["reason"]
    assert _live_audit(api, user), "the closing is audited"


async def test_a_socket_closes_when_its_token_expires(api: Api) -> None:
    user = _user(api.accounts)
    now = int(time.time())
    claims = {"iss": "bluelamp", "sub": user, "role": "planner", "iat": now, "exp": now + 4}
    token = jwt.encode(claims | {"jti": uuid.uuid4().hex}, TEST_SECRET, algorithm="HS256")
    async with connect(f"{api.server.ws_url}?token={token}") as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        frame, code = await _until_closed(ws)
    assert time.time() >= now + 4, "closed at expiry, not before"
    assert code == 4401 and "expired" in frame["reason"]
    assert _live_audit(api, user)


def _bearer(url: str, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(url, user)}"}


def _browser_session(url: str, user: str) -> tuple[str, str]:
    answer = httpx.post(f"{url}/api/session", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.cookies["bluelamp_session"], answer.json()["csrf_token"]


def _sign_out(url: str, cookie: str, csrf: str) -> None:
    out = httpx.delete(
        f"{url}/api/session",
        cookies={"bluelamp_session": cookie, "bluelamp_csrf": csrf},
        headers={"X-CSRF-Token": csrf},
    )
    assert out.status_code == 200, out.text


def _me(url: str, cookie: str) -> httpx.Response:
    return httpx.get(f"{url}/api/me", cookies={"bluelamp_session": cookie})


async def test_signing_out_revokes_the_session_on_every_worker(
    api: Api, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {k: v for k, v in api.server.env.items() if k.startswith("BLUELAMP_")}
    del env["BLUELAMP_PORT"]
    other = LiveServer(env, tmp_path_factory.mktemp("second"))
    other.start()
    try:
        user = _user(api.accounts)
        cookie, csrf = _browser_session(api.url, user)
        assert _me(other.url, cookie).status_code == 200, "a session works on every worker"
        kept = _browser_session(api.url, user)[0]  # another browser of the same user
        _sign_out(api.url, cookie, csrf)
        answer = _me(api.url, cookie)
        assert answer.status_code == 401, "at once on the worker that signed it out"
        assert "signed out" in answer.json()["detail"]
        # The other worker trusted its "still valid" answer for ACTIVE_CACHE_S at most.
        deadline = time.monotonic() + ACTIVE_CACHE_S + 10
        while (answer := _me(other.url, cookie)).status_code == 200:
            assert time.monotonic() < deadline, "the other worker still takes the cookie"
            time.sleep(0.2)
        assert answer.status_code == 401 and "signed out" in answer.json()["detail"]
        for url in (api.url, other.url):
            assert _me(url, kept).status_code == 200, "only the session signed out ends"
    finally:
        other.stop()


async def test_signing_out_closes_that_sessions_socket_on_the_embedded_bus(
    sqlite_server: LiveServer,
) -> None:
    accounts = Accounts(open_database(sqlite_server.env["BLUELAMP_DATABASE_URL"]))
    user = _user(accounts)
    sqlite_server.start()
    cookie, csrf = _browser_session(sqlite_server.url, user)
    headers = {"Cookie": f"bluelamp_session={cookie}"}
    async with connect(sqlite_server.ws_url, additional_headers=headers) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
        await asyncio.to_thread(_sign_out, sqlite_server.url, cookie, csrf)
        frame, code = await _until_closed(ws)
    assert code == 4401 and "signed out" in frame["reason"]
    assert _me(sqlite_server.url, cookie).status_code == 401


@pytest.mark.parametrize("since", ["²", "١٢", "-1", "+1", "1.5", " 1", "1e3", "9" * 5000, ""])
async def test_since_must_be_ascii_digits(api: Api, since: str) -> None:
    url = f"{api.server.ws_url}?since={quote(since)}"
    async with connect(url, additional_headers=_bearer(api.url, "plan")) as ws:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert frame["type"] == "error" and frame["code"] == "bad_request", frame
        assert "since" in frame["reason"]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


def test_a_server_told_so_writes_no_line_per_request(sqlite_server: LiveServer) -> None:
    """BLUELAMP_ACCESS_LOG=false (a proxy in front logs the requests): uvicorn's request
    lines go, the server's own lines stay."""
    sqlite_server.env["BLUELAMP_ACCESS_LOG"] = "false"
    sqlite_server.start()
    assert httpx.get(f"{sqlite_server.url}/healthz").status_code == 200
    assert httpx.get(f"{sqlite_server.url}/api/me").status_code == 401
    sqlite_server.stop()
    log = sqlite_server.log.read_text()
    assert "Bluelamp on http://" in log or "Application startup complete" in log, log[-2000:]
    assert "GET /healthz" not in log and "GET /api/me" not in log, log[-2000:]


async def test_no_token_reaches_the_servers_log(sqlite_server: LiveServer) -> None:
    accounts = Accounts(open_database(sqlite_server.env["BLUELAMP_DATABASE_URL"]))
    user = _user(accounts)
    sqlite_server.start()
    token = _token(sqlite_server.url, user)
    async with connect(f"{sqlite_server.ws_url}?token={token}") as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
    httpx.get(f"{sqlite_server.url}/api/me?access_token={token}&x=1")
    httpx.get(f"{sqlite_server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    sqlite_server.stop()
    log = sqlite_server.log.read_text()
    assert "/ws?token=[redacted]" in log, log[-2000:]
    assert "access_token=[redacted]&x=1" in log
    assert token not in log and token.split(".")[2] not in log
