"""Benchmark: report generation for a day, a month and a year, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_reports [--backends sqlite postgres]

1. The simulator runs a week of London (seed 7, no AVL pings: they do not enter the read
   models); the week is logged and projected into the read models, timed (events/s).
2. The week's read-model rows are laid end to end 53 times, shifted a week each (new
   incident ids), for a year: ~2.1 million incidents and ~8.5 million unit-hour rows, as a
   year of the simulator would make (a year simulated directly takes ~25 minutes here).
3. For each period (1 day, 30 days, 365 days) and report, the time to make it (queries and
   tables) and to write XLSX; PDF for the year too. Target: a year to XLSX in 10 s.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import psycopg
from sqlalchemy import Engine, select

from bluelamp.migrations import upgrade
from geodata import London
from reports.catalogue import Period, build
from reports.formats import render
from reports.model import Filters
from reports.readmodel import ReadModel
from reports.tables import report_incidents, report_redeployments, report_unit_hours
from stream.events import Recorded, validate
from stream.log import EventLog
from stream.sim.demand import LONDON_TZ
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime(2025, 1, 6, tzinfo=LONDON_TZ)  # a Monday; the year runs into 2026
WEEKS = 53
PERIODS = {
    "1 day": ("2025-06-02", "2025-06-02"),
    "30 days": ("2025-06-01", "2025-06-30"),
    "365 days": ("2025-01-06", "2026-01-05"),
}


def simulate_week(path: Path) -> tuple[EventLog, float, int]:
    london = London.load()
    scenario = load("normal-day").starting(START, 24 * 7)
    sim = Simulation(london, scenario, seed=7, options=SimOptions(pings=False))
    upgrade(f"sqlite:///{path}")
    log = EventLog(f"sqlite:///{path}")
    records = []
    for seq, event in enumerate(sim.events(), 1):
        checked = validate(event, london.locate)
        records.append(Recorded(seq, checked.event, checked.borough, checked.bcu))
    for start in range(0, len(records), 10_000):
        log.append(records[start : start + 10_000])
    t0 = time.perf_counter()
    ReadModel.of(log).catch_up(log)
    return log, time.perf_counter() - t0, len(records)


def week_rows(engine: Engine) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        frames = {
            t.name: pd.read_sql(select(t), conn)
            for t in (report_incidents, report_unit_hours, report_redeployments)
        }
    for name, columns in (
        ("report_incidents", ["created_at", "assigned_at", "arrived_at", "closed_at"]),
        ("report_unit_hours", ["hour"]),
        ("report_redeployments", ["at"]),
    ):
        for column in columns:
            frames[name][column] = pd.to_datetime(frames[name][column], utc=True, format="mixed")
    return frames


def tile(frames: dict[str, pd.DataFrame], k: int) -> dict[str, pd.DataFrame]:
    shift = timedelta(weeks=k)
    out = {}
    for name, frame in frames.items():
        copy = frame.copy()
        for column in copy.columns:
            if str(copy[column].dtype).startswith("datetime64"):
                copy[column] = copy[column] + shift
        if name == "report_incidents":
            copy["incident_id"] = copy["incident_id"] + f"-w{k}"
        if name == "report_redeployments":
            copy["seq"] = copy["seq"] + k * 10_000_000
        out[name] = copy
    return out


def load_year(engine: Engine, frames: dict[str, pd.DataFrame], postgres: bool) -> float:
    ReadModel(engine)  # its cursor
    t0 = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for k in range(WEEKS):
            for name, frame in tile(frames, k).items():
                if frame.empty:
                    continue
                columns = list(frame.columns)
                if postgres:
                    buffer = io.StringIO()
                    frame.to_csv(
                        buffer,
                        index=False,
                        header=False,
                        na_rep="\\N",
                        date_format="%Y-%m-%d %H:%M:%S%z",
                    )
                    buffer.seek(0)
                    with cursor.copy(
                        f"COPY {name} ({', '.join(columns)}) FROM STDIN "
                        "WITH (FORMAT csv, NULL '\\N')"
                    ) as copy:
                        copy.write(buffer.read())
                else:
                    rows = frame.astype(object).where(frame.notna(), None)
                    for column in columns:
                        if str(frame[column].dtype).startswith("datetime64"):
                            rows[column] = [
                                None if v is None else v.isoformat(sep=" ") for v in rows[column]
                            ]
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",
                        rows.itertuples(index=False, name=None),
                    )
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - t0


def measure(engine: Engine, label: str) -> None:
    print(f"\n{label}: seconds to make the report (queries, tables) + to write XLSX")
    print(f"  {'period':<9} {'report':<10} {'make':>6} {'xlsx':>6} {'total':>6}  rows")
    for period_name, (first, last) in PERIODS.items():
        period = Period.parse(first, last)
        for name in ("demand", "response", "resources"):
            t0 = time.perf_counter()
            report = build(engine, name, period, Filters())
            t1 = time.perf_counter()
            body, _, _ = render(report, "xlsx")
            t2 = time.perf_counter()
            rows = sum(len(t.frame) for t in report.tables)
            print(
                f"  {period_name:<9} {name:<10} {t1 - t0:>6.2f} {t2 - t1:>6.2f} "
                f"{t2 - t0:>6.2f}  {rows:,} ({len(body) // 1024} KiB)"
            )
    period = Period.parse(*PERIODS["365 days"])
    t0 = time.perf_counter()
    body, _, _ = render(build(engine, "response", period, Filters()), "pdf")
    print(f"  365 days response to PDF: {time.perf_counter() - t0:.2f} s ({len(body) // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log, projecting, events = simulate_week(Path(tmp) / "week.sqlite3")
        print(
            f"A simulated week: {events:,} events projected into the read models in "
            f"{projecting:.1f} s ({events / projecting:,.0f} events/s)"
        )
        frames = week_rows(log.engine)
        counts = {n: len(f) * WEEKS for n, f in frames.items()}
        print(
            f"A year laid out from it: {counts['report_incidents']:,} incidents, "
            f"{counts['report_unit_hours']:,} unit-hour rows"
        )
        for backend in args.backends:
            if backend == "sqlite":
                upgrade(f"sqlite:///{tmp}/year.sqlite3")
                engine = EventLog(f"sqlite:///{tmp}/year.sqlite3").engine
                loaded = load_year(engine, frames, postgres=False)
                print(f"\nSQLite: the year loaded in {loaded:.0f} s")
                measure(engine, "SQLite")
            else:
                schema = f"bench_{uuid.uuid4().hex[:8]}"
                dsn = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f'CREATE SCHEMA "{schema}"')
                try:
                    upgrade(POSTGRES_URL, schema)
                    engine = EventLog(POSTGRES_URL, schema=schema).engine
                    loaded = load_year(engine, frames, postgres=True)
                    with engine.begin() as conn:
                        conn.exec_driver_sql("ANALYZE")
                    print(f"\nPostgreSQL: the year loaded in {loaded:.0f} s")
                    measure(engine, "PostgreSQL")
                    engine.dispose()
                finally:
                    with psycopg.connect(dsn, autocommit=True) as conn:
                        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
