"""Sign-in limits: a user name is capped before anything is stored and never becomes a key
as it is; someone else's failures from the same address (a control room behind one NAT) do
not lock out a user whose browser has signed in before (device cookies), while guessing
stays limited; the limiter's Redis going away answers 503, and its return heals by itself."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from tests.api.conftest import PASSWORD
from tests.databases import migrated
from tests.live import LiveServer, forget_prefix, free_port

NAME_LIMIT = 128


def _accounts(server: LiveServer) -> Accounts:
    return Accounts(open_database(migrated(server.env["BLUELAMP_DATABASE_URL"])))


def _try(client: httpx.Client, user: str, password: str, path: str = "/api/session") -> int:
    return client.post(path, data={"username": user, "password": password}).status_code


@pytest.fixture
def redis_server(redis_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server on the shared Redis (its own key prefix) and its own SQLite file."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    server = LiveServer({"BLUELAMP_REDIS_URL": redis_url, "BLUELAMP_KEY_PREFIX": prefix}, tmp_path)
    yield server
    server.stop()
    forget_prefix(redis_url, prefix)


def test_a_huge_user_name_is_refused_before_anything_is_stored(
    redis_server: LiveServer, redis_url: str
) -> None:
    redis_server.start()
    prefix = redis_server.env["BLUELAMP_KEY_PREFIX"]
    with httpx.Client(base_url=redis_server.url, timeout=60) as client:
        for path in ("/api/token", "/api/session"):
            answer = client.post(path, data={"username": "x" * 1_000_000, "password": "p"})
            assert answer.status_code == 422, answer.text[:300]
            assert "username" in answer.json()["detail"]
            assert str(NAME_LIMIT) in answer.json()["detail"]
            assert _try(client, "y" * (NAME_LIMIT + 1), "p", path) == 422
        names = [f"{uuid.uuid4().hex}{'z' * 96}" for _ in range(20)]
        assert all(len(n) == NAME_LIMIT for n in names)
        assert {_try(client, n, "wrong", "/api/token") for n in names} == {401}
    store = redis.Redis.from_url(redis_url)
    keys = [k.decode() for k in store.scan_iter(f"{prefix}:signin*")]
    store.close()
    assert keys, "attempts are counted"
    assert not any("x" * 100 in k or "y" * 100 in k for k in keys), "nothing of the 422s"
    assert all(len(k) <= len(prefix) + 80 for k in keys), "names are hashed, not keys"
    assert not any(n in k for n in names for k in keys)


def test_someone_elses_failures_from_the_same_address_do_not_lock_out_a_known_device(
    sqlite_server: LiveServer,
) -> None:
    sqlite_server.env["BLUELAMP_LOGIN_ATTEMPTS"] = "3"
    accounts = _accounts(sqlite_server)
    accounts.add("alice", PASSWORD, Role.INSPECTOR, "AW")
    accounts.add("bob", PASSWORD, Role.PLANNER)
    sqlite_server.start()
    url = sqlite_server.url
    with httpx.Client(base_url=url) as alices, httpx.Client(base_url=url) as attacker:
        assert _try(alices, "alice", PASSWORD) == 200, "alice's browser signs in once"
        device = alices.cookies["bluelamp_device"]
        assert "alice" not in device, "the device cookie names no one"
        alices.cookies.delete("bluelamp_session")
        # Someone else at the same address (127.0.0.1) guesses alice's password.
        assert [_try(attacker, "alice", f"guess{i}") for i in range(3)] == [401] * 3
        assert _try(attacker, "alice", PASSWORD) == 429, "the guesser stays limited"
        assert _try(attacker, "alice", PASSWORD, "/api/token") == 429
        # Alice, from her own browser, still gets in.
        assert _try(alices, "alice", PASSWORD) == 200
        # Her device cookie is hers: it does not free the guesser for another name, and a
        # copied or forged one counts as no device.
        attacker.cookies.set("bluelamp_device", device)
        assert [_try(attacker, "bob", f"guess{i}") for i in range(3)] == [401] * 3
        assert _try(attacker, "bob", PASSWORD) == 429
        attacker.cookies.set("bluelamp_device", device[:-4] + "AAAA")
        assert _try(attacker, "alice", PASSWORD) == 429
        # A known device guessing is limited too, on its own count.
        assert [_try(alices, "alice", f"guess{i}") for i in range(3)] == [401] * 3
        assert _try(alices, "alice", PASSWORD) == 429


def test_one_browser_remembers_several_users_of_a_shared_desk(sqlite_server: LiveServer) -> None:
    sqlite_server.env["BLUELAMP_LOGIN_ATTEMPTS"] = "2"
    accounts = _accounts(sqlite_server)
    for name in ("amy", "ben"):
        accounts.add(name, PASSWORD, Role.PLANNER)
    sqlite_server.start()
    with (
        httpx.Client(base_url=sqlite_server.url) as desk,
        httpx.Client(base_url=sqlite_server.url) as other,
    ):
        assert _try(desk, "amy", PASSWORD) == 200 and _try(desk, "ben", PASSWORD) == 200
        for name in ("amy", "ben"):
            assert [_try(other, name, "guess") for _ in range(2)] == [401, 401]
            assert _try(other, name, PASSWORD) == 429
            assert _try(desk, name, PASSWORD) == 200, f"the desk still knows {name}"


# -- the limiter's Redis going away and coming back ----------------------------------------


class PrivateRedis:
    """A redis-server of this test's own on a free port, stopped and started at will (the
    shared Redis is never touched)."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for this test (apt-get install redis-server)"
        arguments = ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [binary, *arguments, "--dir", str(self.workdir), "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=1).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the private redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    with tempfile.TemporaryDirectory() as workdir:
        server = PrivateRedis(Path(workdir))
        server.start()
        try:
            yield server
        finally:
            server.stop()


def test_the_limiters_redis_down_answers_503_and_its_return_heals(
    sqlite_server: LiveServer, private_redis: PrivateRedis
) -> None:
    sqlite_server.env["BLUELAMP_REDIS_URL"] = private_redis.url
    _accounts(sqlite_server).add("chief", PASSWORD, Role.COMMANDER)
    sqlite_server.start()
    with httpx.Client(base_url=sqlite_server.url, timeout=60) as client:
        assert _try(client, "chief", PASSWORD, "/api/token") == 200
        private_redis.stop()
        down = client.post("/api/token", data={"username": "chief", "password": PASSWORD})
        assert down.status_code == 503, down.text
        assert "try again" in down.json()["detail"] and "Retry-After" in down.headers
        private_redis.start()  # restarted without persistence: nothing it held survives
        assert _try(client, "chief", PASSWORD, "/api/token") == 200, "the first one after"
        assert _try(client, "chief", PASSWORD) == 200
