"""Fixtures for the fault drills: a private Redis, PostgreSQL behind a proxy the drill
controls (or SQLite on a small file system), a ``bluelamp serve`` on them fed by the
simulator at London's evening peak, and a commander's wall screen in headless Chromium.

``BLUELAMP_DRILL_OUTAGE_S`` sets how long PostgreSQL refuses and a browser stays cut off
(default 30 s, as issue 12 asks).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from benchmarks.probe import probed
from stream.keys import Keys
from stream.log import EventLog
from tests.dashboard.conftest import add_users, chromium, sign_in
from tests.live import LiveServer
from tests.pgschema import made, own_schema
from tests.resilience.city import BANNER_WATCH, City
from tests.resilience.faults import RedisServer, TcpProxy
from tests.resilience.feed import Producer


@pytest.fixture(scope="session")
def outage_s() -> float:
    """How long PostgreSQL refuses and the browser is cut off in the drills."""
    return float(os.environ.get("BLUELAMP_DRILL_OUTAGE_S", "30"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@contextlib.contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the shared PostgreSQL, dropped afterwards."""
    with own_schema(url, f"drill_{uuid.uuid4().hex[:12]}") as schema:
        yield schema


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A fresh, empty database on the shared PostgreSQL (its URL), dropped afterwards."""
    name = f"drill_{uuid.uuid4().hex[:12]}"
    with made(url, f'CREATE DATABASE "{name}"', f'DROP DATABASE "{name}" WITH (FORCE)'):
        yield url.rsplit("/", 1)[0] + f"/{name}"


def through(url: str, proxy: TcpProxy) -> str:
    """The same PostgreSQL URL, with host and port those of the proxy."""
    rest = url.split("@", 1)[1].split("/", 1)[1]
    user = url.split("://", 1)[1].split("@", 1)[0]
    return f"postgresql+psycopg://{user}@127.0.0.1:{proxy.port}/{rest}"


@contextlib.contextmanager
def open_city(
    browser: Browser,
    workdir: Path,
    redis_server: RedisServer,
    database_url: str,
    *,
    served_url: str | None = None,
    schema: str | None = None,
    page_proxy: TcpProxy | None = None,
) -> Iterator[City]:
    """Start the server on ``served_url`` (what the server uses, perhaps through a proxy;
    ``database_url`` is the same database, direct), the feed, and a signed-in wall screen
    (through ``page_proxy`` to the server when given). Everything stops on exit."""
    prefix = f"drill-{uuid.uuid4().hex[:10]}"
    env = {
        "BLUELAMP_REDIS_URL": redis_server.url,
        "BLUELAMP_DATABASE_URL": served_url or database_url,
        "BLUELAMP_KEY_PREFIX": prefix,
        "BLUELAMP_LEASE_TTL_MS": "1000",
        "BLUELAMP_LOGIN_ATTEMPTS": "1000",
        # The drills count the feed's events in the log one by one and compare whole
        # pictures at a seq: the recommender's own records would come between them.
        "BLUELAMP_RECORD_ADVICE": "false",
        **({"BLUELAMP_DATABASE_SCHEMA": schema} if schema else {}),
    }
    server = LiveServer(env, workdir)
    add_users(server)
    keys = Keys(prefix)
    producer = Producer(redis_server.url, keys.ingest)
    log = EventLog(database_url, schema=schema)
    context = browser.new_context(
        viewport={"width": 1600, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    probed(context)
    try:
        server.start()
        if page_proxy is not None:
            page_proxy.target = ("127.0.0.1", server.port)
        page = context.new_page()
        page.add_init_script(BANNER_WATCH)
        producer.start()
        url = f"http://127.0.0.1:{page_proxy.port}" if page_proxy else server.url
        sign_in(page, url, "commander", then="/wall")
        page.wait_for_function("() => window.probe.live.seq > 0")
        yield City(server, redis_server, producer, log, keys, page)
    finally:
        producer.stop()
        context.close()
        server.stop(kill=True)
        log.close()
