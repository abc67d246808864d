"""Benchmark: events/s through ingest → sequence → log → fan-out → picture, per backend,
beside the raw redis-py XADD + PUBLISH rate measured in the same run.

    .venv/bin/python -m benchmarks.bench_spine [--sizes 10000 100000] [--backends ...]

For each backend (memory bus + SQLite, Redis + SQLite, Redis + PostgreSQL) and size N:

1. a fresh key prefix, SQLite file or PostgreSQL schema; a process's spine opened without a
   sequencer, and N events put on its ingest stream (XADD, pipelined): London at peak, 1,000
   units coming on duty, then ~90% ``unit.location`` pings and the rest incident lifecycles;
2. timed: a sequencer starts, and the clock stops when this process's live picture (fed by
   the fan-out, as an API worker's is) has applied the last event. So the figure covers
   XREADGROUP, validation with geodata's locate, the rules, the SQL insert, XACK, PUBLISH,
   receiving the live feed back and folding it: the whole path.

The baseline is what Redis alone costs per event on this machine: one XADD and one PUBLISH
per event, pipelined 500 at a time from redis-py, and the same messages read back by a
subscriber. Figures are printed with their ratio to that baseline; the issue's targets are
≥ 20,000 events/s with SQLite and ≥ 0.3 of the raw rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import redis.asyncio as aioredis

from benchmarks.events import START, envelope
from benchmarks.figures import record
from bluelamp.migrations import upgrade
from geodata import London
from stream.sequencer import Sequencer
from stream.settings import SpineSettings, load_settings
from stream.spine import Spine

REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["memory+sqlite", "redis+sqlite", "redis+postgres"]
UNITS = 1_000
BATCH = 500
# Points well inside London (lat, lon, spread in degrees) that units patrol around.
CENTRES = [(51.515, -0.13, 0.04), (51.46, -0.12, 0.05), (51.55, -0.05, 0.05), (51.5, -0.3, 0.06)]


def workload(n: int, london: London, seed: int = 1) -> Iterator[str]:
    """N CloudEvents texts: units on duty, then pings (90%) and incident lifecycles, every
    point in a Met BCU (the City of London polices the City)."""
    rng = random.Random(seed)
    clock = START

    def entry(kind: str, data: dict[str, object], k: int) -> str:
        nonlocal clock
        clock += timedelta(milliseconds=5)
        return json.dumps(envelope(kind, data, "bench", f"bench-{k}", clock))

    def point() -> tuple[float, float]:
        while True:
            lat, lon, spread = rng.choice(CENTRES)
            lat = round(lat + rng.uniform(-spread, spread) / 2, 5)
            lon = round(lon + rng.uniform(-spread, spread), 5)
            place = london.locate(lat, lon)
            if place is not None and place.met:
                return lat, lon

    units = min(UNITS, n)
    for k in range(units):
        lat, lon = point()
        data = {"unit_id": f"U{k}", "callsign": f"U{k}", "unit_type": "IRV", "home_bcu": "CE"}
        yield entry("unit.on_duty", data | {"lat": lat, "lon": lon}, k)
    k, incident, steps = units, 0, ["created", "assigned", "arrived", "closed"]
    lifecycle: list[tuple[str, str, int]] = []  # (incident, unit, next step)
    while k < n:
        if lifecycle and rng.random() < 0.1:
            inc, unit, step = lifecycle.pop(0)
            data = {"incident_id": inc, "unit_id": unit}
            if steps[step] == "closed":
                data = {"incident_id": inc, "outcome": "resolved"}
            yield entry(f"incident.{steps[step]}", data, k)
            if step < 3:
                lifecycle.append((inc, unit, step + 1))
        elif rng.random() < 0.03:
            incident += 1
            lat, lon = point()
            data = {"incident_id": f"I{incident}", "grade": rng.choice("ISER")}
            data |= {"category": "violence", "lat": lat, "lon": lon}
            yield entry("incident.created", data, k)
            lifecycle.append((f"I{incident}", f"U{incident % units}", 1))
        else:
            lat, lon = point()
            data = {"unit_id": f"U{rng.randrange(units)}", "lat": lat, "lon": lon}
            yield entry("unit.location", data, k)
        k += 1


async def raw_rate(texts: list[str]) -> float:
    """XADD + PUBLISH per event, pipelined, with a subscriber reading the messages back."""
    client = aioredis.from_url(REDIS_URL)
    prefix = f"bench-raw-{uuid.uuid4().hex[:8]}"
    pubsub = client.pubsub()
    await pubsub.subscribe(f"{prefix}:live")
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    received = 0

    async def reader() -> None:
        nonlocal received
        async for message in pubsub.listen():
            if message["type"] == "message":
                received += 1
                if received == len(texts):
                    return

    start = time.perf_counter()
    task = asyncio.create_task(reader())
    for i in range(0, len(texts), BATCH):
        async with client.pipeline(transaction=False) as pipe:
            for text in texts[i : i + BATCH]:
                pipe.xadd(f"{prefix}:ingest", {"event": text})
                pipe.publish(f"{prefix}:live", text)
            await pipe.execute()
    await task
    seconds = time.perf_counter() - start
    await pubsub.aclose()
    await client.delete(f"{prefix}:ingest")
    await client.aclose()
    return len(texts) / seconds


def settings_for(backend: str, workdir: Path) -> tuple[SpineSettings, str | None]:
    bus, database = backend.split("+")
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    schema = None
    url = f"sqlite:///{workdir}/{prefix}.sqlite3"
    if database == "postgres":
        schema, url = prefix.replace("-", "_"), POSTGRES_URL
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    upgrade(url, schema)
    return (
        load_settings(
            redis_url=REDIS_URL if bus == "redis" else "memory://",
            database_url=url,
            key_prefix=prefix,
            ingest_batch=BATCH,
        ),
        schema,
    )


async def cleanup(settings: SpineSettings, schema: str | None) -> None:
    if settings.redis_url.startswith("redis"):
        client = aioredis.from_url(settings.redis_url)
        keys = [k async for k in client.scan_iter(f"{settings.key_prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    if schema:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def spine_rate(backend: str, texts: list[str], london: London, workdir: Path) -> float:
    settings, schema = settings_for(backend, workdir)
    try:
        async with Spine.open(settings, london, sequence=False, database_schema=schema) as spine:
            for i in range(0, len(texts), 5_000):
                await spine.bus.add(texts[i : i + 5_000])
            sequencer = Sequencer(
                spine.bus,
                spine.log,
                spine.locate,
                batch=settings.ingest_batch,
                snapshot_every=settings.snapshot_every,
                on_logged=spine.hub.deliver,  # as Spine.open wires its own sequencer
            )
            start = time.perf_counter()
            task = asyncio.create_task(sequencer.run())
            last, stalled = 0, start
            while spine.picture.seq < len(texts):
                await asyncio.sleep(0.002)
                if spine.picture.seq > last:
                    last, stalled = spine.picture.seq, time.perf_counter()
                elif task.done() or time.perf_counter() - stalled > 10:
                    await task if task.done() else None
                    raise RuntimeError(
                        f"stalled at seq {last}: rejected {await spine.bus.rejected(5)}"
                    )
            seconds = time.perf_counter() - start
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            rejected = await spine.bus.rejected(5)
            if rejected:
                raise RuntimeError(f"the workload had rejections: {rejected}")
        return len(texts) / seconds
    finally:
        await cleanup(settings, schema)


async def main(sizes: list[int], backends: list[str]) -> None:
    london = London.load()
    print(f"spine throughput, batches of {BATCH} (events/s; ratio to raw XADD + PUBLISH)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            texts = list(workload(n, london))
            raw = await raw_rate(texts)
            print(f"\n  {n:,} events; raw redis-py XADD + PUBLISH: {raw:10,.0f}/s")
            for backend in backends:
                rate = await spine_rate(backend, texts, london, Path(tmp))
                print(f"  {backend:<16} {rate:10,.0f}/s  ratio {rate / raw:.2f}")
                record({"spine.raw": raw, f"spine.{backend}": rate})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=BACKENDS, choices=BACKENDS)
    args = parser.parse_args()
    asyncio.run(main(args.sizes, args.backends))
