"""Benchmark: a place's history (``GET /api/incidents/{id}/context``'s earlier calls) on a
year of London's calls, by the H3 index beside a brute-force scan, SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_context [--weeks 52] [--queries 500]
        [--backends sqlite postgres]

The simulator's calibrated London draws ``--weeks`` weeks of calls (about 41,000 a week:
two million in a year), written to the read model's ``report_incidents`` with their cells.
Each query asks for the calls within 100 m over the 12 months before a moment near the
year's end, at the place of one of the year's calls (new calls come where calls come).
Printed per backend: ``reports.history.calls_near`` (the count, and the newest 50 as the
context lists them) p50/p99/max (ms), beside two baselines
measured in the same run: a scan of every call's distance in memory (numpy, vectorised:
the fastest brute force) and the same scan in SQL (every call of the 12 months read). The
index's counts are checked against the in-memory scan's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert, select, text

from benchmarks.bench_forecast_fit import draw
from benchmarks.harness import POSTGRES_URL, pg_schema
from bluelamp.migrations import upgrade
from geodata.london import London
from geodata.travel import haversine_m
from reports.history import calls_near, cell_of
from reports.tables import report_incidents
from stream.engines import make_engine
from stream.sim.demand import Arrival

CHUNK = 50_000
RADIUS_M = 100
YEAR = timedelta(days=365)


def write(engine: Engine, arrivals: list[Arrival]) -> None:
    for start in range(0, len(arrivals), CHUNK):
        rows: list[dict[str, Any]] = [
            {
                "incident_id": f"CAD-{n}", "created_at": a.time, "initial_grade": a.grade,
                "grade": a.grade, "category": a.category, "borough": a.borough, "bcu": a.bcu,
                "lat": a.lat, "lon": a.lon, "cell": cell_of(a.lat, a.lon), "outcome": "resolved",
            }
            for n, a in enumerate(arrivals[start : start + CHUNK], start + 1)
        ]  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert(report_incidents), rows)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):7.2f}  p99 {p99:7.2f}  max {ordered[-1]:7.2f} ms"


def measure(url: str, schema: str | None, arrivals: list[Arrival], queries: int) -> None:
    upgrade(url, schema)
    engine = make_engine(url, schema)
    t0 = time.perf_counter()
    write(engine, arrivals)
    if engine.dialect.name == "postgresql":
        # As autovacuum would after such a load: statistics for the planner, and the
        # visibility map, without which an index-only scan still visits every row's page.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE report_incidents"))
    print(f"  {len(arrivals):,} calls written with their cells in {time.perf_counter() - t0:.0f} s")
    rng = random.Random(17)
    end = max(a.time for a in arrivals)
    lats = np.array([a.lat for a in arrivals])
    lons = np.array([a.lon for a in arrivals])
    times = np.array([a.time.timestamp() for a in arrivals])
    ids = np.array([f"CAD-{n}" for n in range(1, len(arrivals) + 1)])
    index_ms, scan_ms, checked = [], [], 0
    for q in range(queries):
        place = rng.choice(arrivals)
        before = end - timedelta(hours=rng.uniform(0, 24 * 7))
        since = before - YEAR
        t0 = time.perf_counter()
        found = calls_near(engine, place.lat, place.lon, RADIUS_M, since, before, limit=50)
        index_ms.append((time.perf_counter() - t0) * 1000)
        if q % 25 == 0:  # the brute force, and the check, on every 25th
            t0 = time.perf_counter()
            span = (times >= since.timestamp()) & (times < before.timestamp())
            near = span & (haversine_m(place.lat, place.lon, lats, lons) <= RADIUS_M)
            want = set(ids[near])
            scan_ms.append((time.perf_counter() - t0) * 1000)
            # (the plane's and the great circle's 100 m differ by a millimetre or so)
            assert abs(found.total - len(want)) <= 1, "the index and the scan disagree"
            checked += 1
    sizes = [
        calls_near(engine, a.lat, a.lon, RADIUS_M, end - YEAR, end, limit=0).total
        for a in arrivals[:200]
    ]
    print(
        f"  calls within {RADIUS_M} m over 12 months: "
        f"mean {statistics.mean(sizes):.1f}, max {max(sizes)}"
    )
    print(f"  H3 index (calls_near), {queries} queries:       {percentiles(index_ms)}")
    print(f"  baseline: numpy scan in memory, {len(scan_ms)} queries: {percentiles(scan_ms)}")
    t0 = time.perf_counter()
    t = report_incidents.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.incident_id, t.lat, t.lon).where(t.created_at >= end - YEAR)
        ).all()
    print(
        f"  baseline: SQL scan of the 12 months ({len(rows):,} rows read): "
        f"{(time.perf_counter() - t0) * 1000:.0f} ms for one query"
    )
    print(f"  the index's answers equal the scan's on {checked} queries")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    t0 = time.perf_counter()
    arrivals = draw(London.load(), args.weeks)
    print(f"{args.weeks} weeks of London drawn in {time.perf_counter() - t0:.0f} s: "
          f"{len(arrivals):,} calls")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            print(f"\n{backend}:")
            if backend == "sqlite":
                measure(f"sqlite:///{Path(tmp) / 'context.sqlite3'}", None, arrivals, args.queries)
                continue
            with pg_schema() as schema:
                measure(POSTGRES_URL, schema, arrivals, args.queries)


if __name__ == "__main__":
    main()
