"""Fixtures shared by every test package: the real services the suite talks to.

A service that does not answer fails the test that needs it, with what to start; nothing is
skipped. ``make test`` starts what is missing before pytest runs (scripts/test_services.py).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.pgschema import own_schema

REDIS_URL = os.environ.get("BLUELAMP_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_URL = os.environ.get(
    "BLUELAMP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _require(url: str, default_port: int, what: str, variable: str) -> str:
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return url
    except OSError:
        pytest.fail(
            f"{what} does not answer at {host}:{port}. Start it (make test does), "
            f"or point {variable} at one.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The real Redis the tests use (BLUELAMP_REDIS_URL)."""
    return _require(REDIS_URL, 6379, "Redis", "BLUELAMP_REDIS_URL")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The real PostgreSQL the tests use (BLUELAMP_TEST_DATABASE_URL)."""
    return _require(PG_URL, 5432, "PostgreSQL", "BLUELAMP_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgres"])
def sqlite_or_postgres(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str | None]]:
    """A database URL and schema, once on a SQLite file and once in a PostgreSQL schema of
    its own (dropped after): for suites that must hold on both backends."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/test.sqlite3", None
        return
    url = request.getfixturevalue("postgres_url")
    with own_schema(url) as schema:
        yield url, schema
