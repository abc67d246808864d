"""A real server on real Redis and PostgreSQL (its own key prefix and schema), with one user
per role, for the API tests of a module; and clients signed in as each of them."""

from __future__ import annotations

import itertools
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from tests.databases import migrated
from tests.live import LiveServer, forget_prefix
from tests.pgschema import own_schema
from tests.stream.factories import POINTS, incident_created, unit_on_duty

PASSWORD = secrets.token_urlsafe(12)  # per run; never a secret in the repository

#: name -> (role, BCU). Two commanders race each other; two inspectors sit in two BCUs.
USERS: dict[str, tuple[Role, str | None]] = {
    "chief": (Role.COMMANDER, None),
    "chief2": (Role.COMMANDER, None),
    "insp_aw": (Role.INSPECTOR, "AW"),
    "insp_ne": (Role.INSPECTOR, "NE"),
    "plan": (Role.PLANNER, None),
    "feed": (Role.FEED, None),
    "wall": (Role.WALL, None),
}


@dataclass
class Api:
    """The server, and a way to call it as any user (tokens fetched once, on first use)."""

    server: LiveServer
    accounts: Accounts
    tokens: dict[str, str] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    @property
    def url(self) -> str:
        return self.server.url

    def token(self, user: str) -> str:
        if user not in self.tokens:
            answer = httpx.post(
                f"{self.url}/api/token", data={"username": user, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            self.tokens[user] = answer.json()["access_token"]
        return self.tokens[user]

    def client(self, user: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    def push(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        """Events in through the feed account; every one must be accepted."""
        with self.client("feed") as feed:
            answer = feed.post("/api/events", json=list(events))
        assert answer.status_code == 200, answer.text
        return list(answer.json()["results"])

    def fresh(self, prefix: str) -> str:
        """A new id for this module's server (tests share one picture)."""
        return f"{prefix}{next(self._ids)}-{uuid.uuid4().hex[:6]}"

    def unit(self, bcu: str, unit_type: str = "IRV") -> str:
        unit_id = self.fresh(f"{bcu}-U")
        lat, lon = POINTS[bcu]
        self.push(unit_on_duty(unit_id, home_bcu=bcu, unit_type=unit_type, lat=lat, lon=lon))
        return unit_id

    def incident(self, bcu: str, grade: str = "I") -> str:
        incident_id = self.fresh(f"{bcu}-I")
        lat, lon = POINTS[bcu]
        self.push(incident_created(incident_id, grade=grade, lat=lat + 0.001, lon=lon))
        return incident_id

    def assigned(self, unit: str, incident: str) -> str:
        """The incident, once a commander has sent the unit to it."""
        with self.client("chief") as chief:
            answer = chief.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
        assert answer.status_code == 200, answer.text
        return incident

    def disable_and_wait(self, user: str, password: str) -> None:
        """Sign ``user`` in and see its token read the picture; then disable the account and
        wait (15 s at the most) until that token is refused."""
        answer = httpx.post(f"{self.url}/api/token", data={"username": user, "password": password})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        assert httpx.get(f"{self.url}/api/picture", headers=headers).status_code == 200
        self.accounts.set_disabled(user)
        deadline = time.monotonic() + 15
        while httpx.get(f"{self.url}/api/picture", headers=headers).status_code != 401:
            assert time.monotonic() < deadline, f"a disabled {user} still reads the picture"
            time.sleep(0.5)

    def moments(self, incident: str, user: str = "chief") -> list[dict[str, Any]]:
        """The incident's timeline without the recommender's ledger entries (``advice.*``),
        which land in it whenever the recommender runs, so at no fixed place."""
        with self.client(user) as client:
            answer = client.get(f"/api/incidents/{incident}")
        assert answer.status_code == 200, answer.text
        events = [t["event"] for t in answer.json()["timeline"]]
        return [e for e in events if not e["type"].startswith("advice.")]

    def audit(self, **params: Any) -> list[dict[str, Any]]:
        with self.client("chief") as chief:
            answer = chief.get("/api/audit", params=params)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["entries"])


@contextmanager
def serving(server: LiveServer, url: str, schema: str | None = None) -> Iterator[Api]:
    """``server`` started on a database (migrated) with one user per role; stopped after."""
    engine = open_database(migrated(url, schema), schema)
    accounts = Accounts(engine)
    for name, (role, bcu) in USERS.items():
        accounts.add(name, PASSWORD, role, bcu)
    server.start()
    try:
        yield Api(server, accounts)
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def api(
    redis_url: str, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    with own_schema(postgres_url, prefix.replace("-", "_")) as schema:
        server = LiveServer(
            {
                "BLUELAMP_REDIS_URL": redis_url,
                "BLUELAMP_DATABASE_URL": postgres_url,
                "BLUELAMP_DATABASE_SCHEMA": schema,
                "BLUELAMP_KEY_PREFIX": prefix,
                "BLUELAMP_LEASE_TTL_MS": "1000",
                "BLUELAMP_LOGIN_ATTEMPTS": "1000",
            },
            tmp_path_factory.mktemp("api"),
        )
        try:
            with serving(server, postgres_url, schema) as api:
                yield api
        finally:
            forget_prefix(redis_url, prefix)


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server on the embedded bus and a SQLite file, nothing else installed."""
    server = LiveServer({}, tmp_path)
    migrated(server.env["BLUELAMP_DATABASE_URL"])
    yield server
    server.stop()
