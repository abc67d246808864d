"""Sign-in: the browser's session cookie with its CSRF token, the rate limit on attempts
(shared between workers through Redis), OpenID Connect tokens, and the users command."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from api.accounts import Accounts
from api.database import open_database
from api.ratelimit import RedisRateLimiter
from bluelamp.cli import create_cli
from tests.api.conftest import PASSWORD, Api
from tests.live import LiveServer, free_port


def test_a_browser_session_reads_with_its_cookie_and_writes_only_with_the_csrf_token(
    api: Api,
) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    with httpx.Client(base_url=api.url, timeout=30) as browser:
        signed_in = browser.post("/api/session", data={"username": "chief", "password": PASSWORD})
        assert signed_in.status_code == 200
        cookie = signed_in.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        csrf = signed_in.json()["csrf_token"]
        assert browser.cookies["bluelamp_csrf"] == csrf
        assert browser.get("/api/picture").status_code == 200
        assert browser.get("/api/me").json() == {
            "user": "chief",
            "role": "commander",
            "bcu": None,
            "via": "cookie",
            "commands": "all",
        }
        forged = browser.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
        assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
        wrong = browser.post(
            f"/api/units/{unit}/assignment",
            json={"incident_id": incident},
            headers={"X-CSRF-Token": "0" * 40},
        )
        assert wrong.status_code == 403
        done = browser.post(
            f"/api/units/{unit}/assignment",
            json={"incident_id": incident},
            headers={"X-CSRF-Token": csrf},
        )
        assert done.status_code == 200, done.text
        out = browser.request("DELETE", "/api/session", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 200
        assert browser.get("/api/picture").status_code == 401


def test_a_browser_write_without_its_csrf_token_is_refused_and_audited(api: Api) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    with httpx.Client(base_url=api.url, timeout=30) as browser:
        signed_in = browser.post("/api/session", data={"username": "chief2", "password": PASSWORD})
        assert signed_in.status_code == 200
        forged = browser.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
        # Not JSON, without the token: the 422 is its one audit row, not a 403 too.
        broken = browser.post(
            f"/api/units/{unit}/assignment",
            content=b"{",
            headers={"Content-Type": "application/json"},
        )
    assert forged.status_code == 403 and broken.status_code == 422
    (entry,) = api.audit(actor="chief2", action="unit.assign", outcome="denied")
    assert entry["status"] == 403 and entry["role"] == "commander"
    assert entry["target"] == f"/api/units/{unit}/assignment"
    assert "X-CSRF-Token" in entry["detail"]["reason"]


def test_the_session_cookie_is_secure_by_default(sqlite_server: LiveServer) -> None:
    del sqlite_server.env["BLUELAMP_COOKIE_SECURE"]
    Accounts(open_database(sqlite_server.env["BLUELAMP_DATABASE_URL"])).add(
        "chief", PASSWORD, "commander"
    )
    sqlite_server.start()
    answer = httpx.post(
        f"{sqlite_server.url}/api/session", data={"username": "chief", "password": PASSWORD}
    )
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("bluelamp_session="))
    assert "Secure" in session and "HttpOnly" in session


def test_sign_in_attempts_are_limited_and_the_refusal_audited(sqlite_server: LiveServer) -> None:
    sqlite_server.env["BLUELAMP_LOGIN_ATTEMPTS"] = "3"
    accounts = Accounts(open_database(sqlite_server.env["BLUELAMP_DATABASE_URL"]))
    accounts.add("chief", PASSWORD, "commander")
    sqlite_server.start()
    url = f"{sqlite_server.url}/api/token"
    statuses = [
        httpx.post(url, data={"username": "chief", "password": "guess"}).status_code
        for _ in range(3)
    ]
    blocked = httpx.post(url, data={"username": "chief", "password": PASSWORD})
    assert statuses == [401, 401, 401]
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    other = httpx.post(url, data={"username": "someone-else", "password": "x"})
    assert other.status_code == 401, "the limit is per user name and address"
    token = httpx.post(url, data={"username": "chief", "password": PASSWORD})
    assert token.status_code == 429
    audit = accounts.engine  # same database: read the audit rows directly
    from sqlalchemy import text

    with audit.connect() as conn:
        rows = conn.execute(text("SELECT outcome, status FROM audit ORDER BY id")).all()
    assert [tuple(r) for r in rows[:5]] == [("failed", 401)] * 3 + [("denied", 429)] + [
        ("failed", 401)
    ]


async def test_the_redis_limit_is_shared_by_every_worker(redis_url: str) -> None:
    key = f"test-{uuid.uuid4().hex}:signin:127.0.0.1:chief"
    one, two = RedisRateLimiter(redis_url, 3, 60), RedisRateLimiter(redis_url, 3, 60)
    try:
        answers = [await one.hit(key), await two.hit(key), await one.hit(key), await two.hit(key)]
        assert answers[:3] == [None, None, None]
        assert answers[3] is not None and 0 < answers[3] <= 60
    finally:
        await one.redis.delete(key)
        await one.close()
        await two.close()


# -- OpenID Connect ---------------------------------------------------------------------


@pytest.fixture
def identity_provider() -> Iterator[tuple[Any, str]]:
    """An RSA key and a JWKS endpoint serving its public half (a stand-in for the IdP's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield key, f"http://127.0.0.1:{port}/jwks.json"
    server.shutdown()


def _idp_token(key: Any, **claims: Any) -> str:
    now = int(time.time())
    base = {"iss": "https://idp.example", "aud": "bluelamp", "iat": now, "exp": now + 300}
    return jwt.encode(base | claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_tokens_from_the_configured_identity_provider_are_accepted(
    sqlite_server: LiveServer, identity_provider: tuple[Any, str]
) -> None:
    key, jwks = identity_provider
    sqlite_server.env |= {
        "BLUELAMP_OIDC_ISSUER": "https://idp.example",
        "BLUELAMP_OIDC_JWKS_URL": jwks,
        "BLUELAMP_OIDC_AUDIENCE": "bluelamp",
        "BLUELAMP_OIDC_ROLE_CLAIM": "groups",
    }
    sqlite_server.start()

    def me(token: str) -> httpx.Response:
        return httpx.get(
            f"{sqlite_server.url}/api/me", headers={"Authorization": f"Bearer {token}"}
        )

    inspector = me(
        _idp_token(
            key,
            sub="u-17",
            preferred_username="jsmith",
            groups=["staff", "inspector"],
            bluelamp_bcu="NE",
        )
    )
    assert inspector.status_code == 200, inspector.text
    assert inspector.json() == {
        "user": "jsmith",
        "role": "inspector",
        "bcu": "NE",
        "via": "oidc",
        "commands": "own_bcu",
    }
    assert me(_idp_token(key, sub="u-18", groups=["staff"])).status_code == 401
    assert me(_idp_token(key, sub="u-19", groups=["commander"], aud="other")).status_code == 401
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert me(_idp_token(other_key, sub="u-20", groups=["commander"])).status_code == 401
    expired = _idp_token(key, sub="u-21", groups=["commander"], exp=int(time.time()) - 10)
    assert "expired" in me(expired).json()["detail"]


# -- bluelamp users ---------------------------------------------------------------------------


def test_users_add_list_disable_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUELAMP_DATABASE_URL", f"sqlite:///{tmp_path}/b.sqlite3")
    runner, cli = CliRunner(), create_cli()
    fresh = runner.invoke(cli, ["users", "list"])
    assert fresh.exit_code == 1 and "bluelamp db upgrade" in fresh.output
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(
        cli,
        ["users", "add", "jo", "--role", "inspector", "--bcu", "sw", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert added.exit_code == 0, added.output
    assert "added jo: inspector for SW" in added.output
    no_bcu = runner.invoke(
        cli, ["users", "add", "al", "--role", "inspector", "--password-stdin"], input="x" * 9
    )
    assert no_bcu.exit_code != 0 and "needs a BCU" in no_bcu.output
    short = runner.invoke(
        cli, ["users", "add", "al", "--role", "planner", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 8" in short.output
    assert runner.invoke(cli, ["users", "disable", "jo"]).exit_code == 0
    listed = runner.invoke(cli, ["users", "list"])
    assert "jo" in listed.output and "disabled" in listed.output and "SW" in listed.output
    assert runner.invoke(cli, ["users", "disable", "nobody"]).exit_code == 1
    accounts = Accounts(open_database(f"sqlite:///{tmp_path}/b.sqlite3"))
    assert accounts.authenticate("jo", "correct horse battery") is None
    runner.invoke(cli, ["users", "enable", "jo"])
    assert accounts.authenticate("jo", "correct horse battery") is not None
    # The recommender's name in the log is Bluelamp's: no person may take it.
    with pytest.raises(ValueError, match="Bluelamp's own name"):
        accounts.add("Recommender", "correct horse battery", "commander")


def test_the_demo_users_exist_with_the_configured_password(tmp_path: Path) -> None:
    server = LiveServer({"BLUELAMP_DEMO_PASSWORD": PASSWORD}, tmp_path, command="demo")
    del server.env["BLUELAMP_SECRET_KEY"]  # demo mode makes its own
    server.start()
    try:
        for user in ("commander", "inspector", "planner", "feed"):
            answer = httpx.post(
                f"{server.url}/api/token", data={"username": user, "password": PASSWORD}
            )
            assert answer.status_code == 200, (user, answer.text)
        assert answer.json()["role"] == "feed"
        token = httpx.post(
            f"{server.url}/api/token", data={"username": "inspector", "password": PASSWORD}
        ).json()
        assert token["bcu"] == "AW"
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        deadline = time.monotonic() + 60
        while not httpx.get(f"{server.url}/api/picture", headers=headers).json()["units"]:
            assert time.monotonic() < deadline, "the simulated feed put no units on duty"
            time.sleep(0.5)
        assert "commander" in server.log.read_text()
    finally:
        server.stop()
