"""Benchmark: the live recommender's forecast fitted from the read model, and migration 0003
filling incident places, on 8 weeks of London's calls, SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_forecast_fit [--weeks 8] [--backends sqlite postgres]

The simulator's calibrated London draws ``--weeks`` weeks of calls (every grade; ~80,000
I-grade in 8 weeks). On each backend a database at revision 0002 gets them as the log's
incident.created events and the read model's incidents (no place yet); then, timed:

1. the upgrade to head (0003 adds ``lat``/``lon`` and fills them from the events);
2. ``reports.calls.i_grade_calls`` (the query) and ``stream.recommend.forecast.fit`` on the
   records in memory (the baseline: the fit without the database);
3. ``api.forecasting.fit_from_log``, the whole refit the server does each hour;
4. the event loop's worst lag (a 10 ms ticker) while that refit runs in a worker thread,
   beside the same ticker's worst lag with nothing running: what the fit costs the
   recommender and the sockets on the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, column, insert, table

from api.forecasting import fit_from_log
from benchmarks.harness import POSTGRES_URL, pg_schema
from bluelamp.migrations import upgrade
from geodata.london import London
from reports.calls import i_grade_calls
from reports.tables import report_incidents
from stream.engines import make_engine
from stream.log import events
from stream.recommend.forecast import Prior, fit
from stream.recommend.grid import CoverGrid
from stream.sim.demand import Arrival, Demand
from stream.sim.prior import calibrated_prior
from stream.sim.scenario import load

CHUNK = 20_000
#: report_incidents as 0002 made it: no place yet.
INCIDENTS_0002 = table(
    "report_incidents",
    *(column(c.name, c.type) for c in report_incidents.c if c.name not in ("lat", "lon")),
)


def draw(london: London, weeks: int, seed: int = 5) -> list[Arrival]:
    demand, rng = Demand(london), random.Random(seed)
    when = load("normal-day").start
    end = when + timedelta(days=7 * weeks)
    arrivals = []
    while True:
        when, surge = demand.next_arrival(when, rng)
        if when >= end:
            return arrivals
        arrivals.append(demand.arrival(when, rng, surge))


def as_0002(engine: Engine, arrivals: list[Arrival]) -> None:
    """The calls as a database at 0002 holds them: events, and incidents with no place."""
    recorded = datetime.now(UTC)
    for start in range(0, len(arrivals), CHUNK):
        logged: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for n, a in enumerate(arrivals[start : start + CHUNK], start + 1):
            incident_id = f"CAD-{n}"
            data = {"incident_id": incident_id, "grade": a.grade, "category": a.category}
            body = {"id": f"b-{n}", "source": "bench", "type": "incident.created"}
            body |= {"time": a.time.isoformat(), "data": data | {"lat": a.lat, "lon": a.lon}}
            logged.append(
                {
                    "seq": n,
                    "source": "bench",
                    "event_id": f"b-{n}",
                    "type": "incident.created",
                    "time": a.time,
                    "borough": a.borough,
                    "bcu": a.bcu,
                    "recorded_at": recorded,
                    "body": json.dumps(body),
                    "incident_id": incident_id,
                    "unit_id": None,
                }
            )
            rows.append(
                {
                    "incident_id": incident_id,
                    "created_at": a.time,
                    "initial_grade": a.grade,
                    "grade": a.grade,
                    "category": a.category,
                    "borough": a.borough,
                    "bcu": a.bcu,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(events), logged)
            conn.execute(insert(INCIDENTS_0002), rows)


async def worst_lag(seconds: float | None, work: Any = None) -> tuple[float, float]:
    """The ticker's worst lag (ms) while ``work`` runs in a thread (or for ``seconds``)."""
    loop, worst = asyncio.get_running_loop(), 0.0
    task = asyncio.create_task(asyncio.to_thread(work)) if work else None
    began = time.perf_counter()
    while (task and not task.done()) or (seconds and time.perf_counter() - began < seconds):
        t0 = loop.time()
        await asyncio.sleep(0.01)
        worst = max(worst, (loop.time() - t0 - 0.01) * 1000)
    if task:
        await task
    return worst, time.perf_counter() - began


def measure(
    url: str, schema: str | None, arrivals: list[Arrival], grid: CoverGrid, prior: Prior
) -> None:
    upgrade(url, schema, "0002")
    engine = make_engine(url, schema)
    t0 = time.perf_counter()
    as_0002(engine, arrivals)
    print(f"  {len(arrivals):,} calls written at revision 0002 in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    upgrade(url, schema)
    print(
        f"  upgrade to head (0003 fills lat/lon from the events): {time.perf_counter() - t0:.1f} s"
    )
    end = max(a.time for a in arrivals).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(weeks=8)
    t0 = time.perf_counter()
    records = i_grade_calls(engine, start, end)
    query_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit(grid, records, records[0][0], end, prior)
    fit_s = time.perf_counter() - t0
    print(
        f"  query: {len(records):,} I-grade calls in {query_s:.2f} s; "
        f"fit in memory (baseline) {fit_s:.2f} s"
    )
    fitted = fit_from_log(engine, grid, prior, end)
    print(f"  fit_from_log: {fitted.seconds:.2f} s -> {fitted.describe()}")
    idle, _ = asyncio.run(worst_lag(2.0))
    busy, took = asyncio.run(worst_lag(None, lambda: fit_from_log(engine, grid, prior, end)))
    print(
        f"  event loop's worst lag: {busy:.0f} ms while the refit ran in a thread ({took:.1f} s); "
        f"{idle:.0f} ms idle (baseline)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    london = London.load()
    grid = CoverGrid.of(london)
    prior = calibrated_prior(london, grid)
    t0 = time.perf_counter()
    arrivals = draw(london, args.weeks)
    i_grade = sum(a.grade == "I" for a in arrivals)
    print(
        f"{args.weeks} weeks of London drawn in {time.perf_counter() - t0:.0f} s: "
        f"{len(arrivals):,} calls, {i_grade:,} I-grade"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            print(f"\n{backend}:")
            if backend == "sqlite":
                measure(f"sqlite:///{Path(tmp) / 'fit.sqlite3'}", None, arrivals, grid, prior)
                continue
            with pg_schema() as schema:
                measure(POSTGRES_URL, schema, arrivals, grid, prior)


if __name__ == "__main__":
    main()
