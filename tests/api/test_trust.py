"""Through a real server: a feed cannot speak as a person (sources under ``bluelamp-api/``
are the API's alone), and an inspector's BCU is decided by the sequencer, so a serving
process whose picture has not yet seen a redeployment cannot let the command through."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from stream.keys import Keys
from stream.settings import load_settings
from stream.spine import Spine
from tests.api.conftest import PASSWORD, Api
from tests.databases import migrated
from tests.live import LiveServer
from tests.pgschema import own_schema
from tests.stream.factories import Events, london

DEADLINE_S = 60.0


def _until(what: str, predicate: Any) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        time.sleep(0.05)


def test_a_feed_posting_a_reserved_source_gets_422_with_the_reason(api: Api) -> None:
    unit = api.unit("AW")
    forged = Events(source="bluelamp-api/chief").status(unit, "busy")
    with api.client("feed") as feed:
        answer = feed.post("/api/events", json=forged)
        batch = feed.post(
            "/api/events", json=[forged, Events(source=uuid.uuid4().hex).status(unit, "busy")]
        )
    assert answer.status_code == 422, answer.text
    assert "reserved" in answer.json()["detail"]
    assert batch.status_code == 422
    verdicts = [r["verdict"] for r in batch.json()["results"]]
    assert verdicts == ["rejected", "accepted"]  # the honest event in the batch still counts
    with api.client("chief") as chief:
        timeline = chief.get(f"/api/units/{unit}").json()
    assert "bluelamp-api/chief" not in json.dumps(timeline)


def test_a_forged_source_xadded_to_the_servers_stream_is_rejected(api: Api) -> None:
    unit = api.unit("AW")
    forged = Events(source="bluelamp-api/chief").status(unit, "busy")
    keys = Keys(api.server.env["BLUELAMP_KEY_PREFIX"])
    client = redis.Redis.from_url(api.server.env["BLUELAMP_REDIS_URL"], decode_responses=True)
    try:
        client.xadd(keys.ingest, {"event": json.dumps(forged)})

        def rejected() -> list[dict[str, str]]:
            rows = client.xrevrange(keys.rejected, count=1000)
            return [f for _i, f in rows if f.get("id") == forged["id"]]

        _until("the forgery on the rejected stream", rejected)
        assert "reserved" in rejected()[0]["reason"]
    finally:
        client.close()
    with api.client("chief") as chief:
        seen = chief.get(f"/api/units/{unit}").json()
    assert seen["unit"]["status"] == "available"


@pytest.fixture
def held(redis_url: str, postgres_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A schema and key prefix of this test's own, with an inspector of AW and a unit on
    duty in AW already logged; no server yet."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    with own_schema(postgres_url, prefix.replace("-", "_")) as schema:
        engine = open_database(migrated(postgres_url, schema), schema)
        Accounts(engine).add("insp_aw", PASSWORD, Role.INSPECTOR, "AW")
        Accounts(engine).add("chief", PASSWORD, Role.COMMANDER, None)
        settings = load_settings(
            redis_url=redis_url,
            database_url=postgres_url,
            database_schema=schema,
            key_prefix=prefix,
            lease_ttl_ms=1_000,
        )
        client = redis.Redis.from_url(redis_url)
        try:
            yield {"settings": settings, "schema": schema, "redis": client, "keys": Keys(prefix)}
        finally:
            engine.dispose()
            if keys := list(client.scan_iter(f"{prefix}*")):
                client.delete(*keys)
            client.close()


def test_the_sequencer_refuses_an_inspector_the_serving_picture_let_through(
    held: dict[str, Any], tmp_path: Path
) -> None:
    settings, keys, client = held["settings"], held["keys"], held["redis"]
    ev = Events(source="cad")

    async def put_on_duty() -> None:
        async with Spine.open(
            settings, london(), database_schema=held["schema"], gc_tuning=False
        ) as spine:
            await spine.submit(ev.on_duty("U1", bcu="AW"))

    asyncio.run(put_on_duty())
    # Hold the sequencer lease, as a leader stalled mid-batch would: the server serves but
    # nothing is sequenced until it is let go.
    client.set(keys.lease, "a-stalled-leader", px=120_000)
    server = LiveServer(
        {
            "BLUELAMP_REDIS_URL": settings.redis_url,
            "BLUELAMP_DATABASE_URL": settings.database_url,
            "BLUELAMP_DATABASE_SCHEMA": held["schema"],
            "BLUELAMP_KEY_PREFIX": settings.key_prefix,
            "BLUELAMP_LEASE_TTL_MS": "1000",
        },
        tmp_path,
    ).start()
    try:
        token = httpx.post(
            f"{server.url}/api/token", data={"username": "insp_aw", "password": PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        client.xadd(keys.ingest, {"event": json.dumps(ev.redeployed("U1", "NE"))})
        answers: list[httpx.Response] = []

        def command() -> None:
            answers.append(
                httpx.post(
                    f"{server.url}/api/units/U1/status",
                    json={"status": "busy"},
                    headers=auth,
                    timeout=DEADLINE_S,
                )
            )

        sender = threading.Thread(target=command)
        sender.start()
        # The server's pre-check passed (its picture: U1 in AW) and its command is queued
        # behind the redeployment.
        _until("the command queued", lambda: client.xlen(keys.ingest) == 2)
        client.delete(keys.lease)  # the server takes over sequencing
        sender.join(DEADLINE_S)
        (answer,) = answers
        assert answer.status_code == 403, answer.text
        assert "deployed to NE" in answer.json()["detail"]
        with httpx.Client(base_url=server.url, headers=auth) as inspector:
            unit = inspector.get("/api/units/U1").json()["unit"]
        assert (unit["bcu"], unit["status"]) == ("NE", "available")
        rejected = client.xrevrange(keys.rejected, count=10)
        assert any(b"deployed to NE" in f[b"reason"] for _i, f in rejected)
        chief = httpx.post(
            f"{server.url}/api/token", data={"username": "chief", "password": PASSWORD}
        ).json()["access_token"]
        audit = httpx.get(
            f"{server.url}/api/audit",
            params={"actor": "insp_aw", "action": "unit.status"},
            headers={"Authorization": f"Bearer {chief}"},
        ).json()["entries"]
        assert [(e["outcome"], e["status"], e["target"]) for e in audit] == [("denied", 403, "U1")]
    finally:
        server.stop()
