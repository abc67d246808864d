"""Benchmark: the picture at a past moment of a long log (``GET /api/picture?at=``), beside
a full replay from seq 0 to the same moment, in the same run.

    .venv/bin/python -m benchmarks.bench_moments [--days 30] [--moments 20]
        [--backends sqlite postgres]

The simulator's ``normal-day`` London runs ``--days`` days (no AVL pings: a busy London's
incidents and status changes, ~32,000 records a day) into a fresh log on each backend, a
snapshot every 10,000 records as the sequencer keeps them. Then, timed at ``--moments``
random seqs: ``EventLog.picture(at)`` (the nearest snapshot plus the replay to the moment,
what the route does on a miss), and at a few of them the baseline: a fold of every record
from seq 0 to the moment. The issue's bound is 1 s for any moment of the last 30 days.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

from bluelamp.migrations import upgrade
from geodata.london import London
from stream.events import Recorded, parse_event
from stream.log import EventLog
from stream.picture import Picture, fold
from stream.sim.engine import Simulation
from stream.sim.scenario import load
from stream.sim.workday import SimOptions

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SNAPSHOT_EVERY = 10_000  # as the sequencer's default (stream.settings)
BASELINES = 3


def records(london: London, days: float, seed: int = 11) -> Iterator[Recorded]:
    """The simulated days as the log would hold them: numbered, each placed where it is."""
    scenario = load("normal-day")
    scenario = scenario.starting(scenario.start, days * 24)
    simulation = Simulation(london, scenario, "closest-idle-own-bcu", seed, SimOptions(False))
    for seq, raw in enumerate(simulation.events(), start=1):
        data = raw["data"]
        place = london.locate(data["lat"], data["lon"]) if "lat" in data else None
        borough = place.borough if place else None
        bcu = place.bcu if place else None
        yield Recorded(seq, parse_event(raw), borough, bcu)


def fill(log: EventLog, london: London, days: float) -> int:
    """Write the days into ``log`` with its snapshots; the last seq."""
    picture, batch, last = Picture(), [], 0
    for record in records(london, days):
        picture.apply(record)
        batch.append(record)
        last = record.seq
        if record.seq % SNAPSHOT_EVERY == 0:
            log.append(batch, [picture.to_snapshot()])
            batch = []
    log.append(batch)
    return last


def timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def run(name: str, url: str, schema: str | None, london: London, args: argparse.Namespace) -> None:
    upgrade(url, schema)
    log = EventLog(url, schema=schema)
    try:
        start = time.perf_counter()
        last = fill(log, london, args.days)
        written = time.perf_counter() - start
        moments = random.Random(3).sample(range(1, last + 1), args.moments)
        at = [timed(lambda m=m: log.picture(m)) for m in moments]
        late = sorted(moments)[-BASELINES:]  # the longest replays: the last days' moments
        full = [timed(lambda m=m: fold(log.iter(0, upto=m))) for m in late]
        near = [timed(lambda m=m: log.picture(m)) for m in late]
        print(
            f"{name}: {last:,} records ({args.days:g} days, written in {written:.0f} s); "
            f"picture at a random moment: median {statistics.median(at) * 1000:.0f} ms, "
            f"max {max(at) * 1000:.0f} ms over {len(at)}; "
            f"at the last days' moments {statistics.median(near) * 1000:.0f} ms against a "
            f"full replay from seq 0 {statistics.median(full):.1f} s "
            f"({statistics.median(full) / statistics.median(near):.0f}x)"
        )
    finally:
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--moments", type=int, default=20)
    parser.add_argument("--backends", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    london = London.load()
    for backend in args.backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'moments.sqlite3'}"
                run("sqlite", url, None, london, args)
            continue
        schema = f"bench_moments_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            run("postgres", POSTGRES_URL, schema, london, args)
        finally:
            with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
