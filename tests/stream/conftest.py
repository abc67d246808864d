"""Backends for the spine's contract suite: the same tests run against each of them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stream.settings import SpineSettings, load_settings
from stream.spine import Spine
from tests.databases import migrated
from tests.pgschema import own_schema
from tests.stream.factories import london

BACKENDS = ["memory+sqlite", "redis+sqlite", "redis+postgres"]


@dataclass
class Backend:
    name: str
    settings: SpineSettings
    schema: str | None

    @asynccontextmanager
    async def spine(
        self, *, sequence: bool = True, signing_key: bytes | None = None, **overrides: Any
    ) -> AsyncIterator[Spine]:
        settings = self.settings.model_copy(update=overrides)
        async with Spine.open(
            settings,
            london(),
            sequence=sequence,
            database_schema=self.schema,
            signing_key=signing_key,
        ) as spine:
            yield spine


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from _backend(request, request.param, tmp_path)


@pytest.fixture(params=[b for b in BACKENDS if b.startswith("redis")])
def durable_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The backends whose ingest stream outlives the process (Redis)."""
    yield from _backend(request, request.param, tmp_path)


def _backend(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> Iterator[Backend]:
    bus, database = name.split("+")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    overrides: dict[str, Any] = {
        "key_prefix": prefix,
        "snapshot_every": 25,
        "lease_ttl_ms": 1_000,
        "ingest_batch": 100,
    }
    schema = None
    if bus == "redis":
        overrides["redis_url"] = request.getfixturevalue("redis_url")
    else:
        overrides["redis_url"] = "memory://"
    with ExitStack() as made:
        if database == "postgres":
            url = request.getfixturevalue("postgres_url")
            schema = made.enter_context(own_schema(url, prefix.replace("-", "_")))
            overrides["database_url"] = url
        else:
            overrides["database_url"] = f"sqlite:///{tmp_path}/log.sqlite3"
        migrated(overrides["database_url"], schema)
        yield Backend(name, load_settings(**overrides), schema)
        if bus == "redis":
            import redis

            client = redis.Redis.from_url(overrides["redis_url"])
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()
