"""The read models' rows for a period, as data frames (times as UTC timestamps)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import DateTime, Engine, Select, and_, case, func, literal, select

from reports.fold import HOUR, MAX_UNIT_INTERVAL, OFF_DUTY
from reports.model import Filters, Period
from reports.tables import (
    report_incidents,
    report_redeployments,
    report_unit_hours,
    report_unit_state,
)

INCIDENT_TIMES = ("created_at", "assigned_at", "arrived_at", "closed_at")


def _where(query: Select[Any], period: Period, filters: Filters) -> Select[Any]:
    t = report_incidents.c
    query = query.where(t.created_at >= period.start, t.created_at < period.end)
    if filters.bcu:
        query = query.where(t.bcu.in_(filters.bcu))
    if filters.borough:
        query = query.where(t.borough.in_(filters.borough))
    if filters.grade:
        query = query.where(t.initial_grade.in_(filters.grade))
    return query


def incidents(
    engine: Engine, period: Period, filters: Filters, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Incidents created in the period, filtered (only ``columns`` if given: a year is
    millions of rows, and each column costs)."""
    t = report_incidents.c
    chosen = [t[c] for c in columns] if columns else list(t)
    with engine.connect() as conn:
        frame = pd.read_sql(_where(select(*chosen), period, filters), conn)
    for column in INCIDENT_TIMES:
        if column in frame:
            frame[column] = _times(frame[column])
    return frame


def counts(engine: Engine, period: Period, filters: Filters, keys: Sequence[str]) -> pd.DataFrame:
    """Incidents created in the period, counted by ``keys`` in the database."""
    t = report_incidents.c
    query = select(*(t[k] for k in keys), func.count().label("n")).group_by(*(t[k] for k in keys))
    with engine.connect() as conn:
        return pd.read_sql(_where(query, period, filters), conn)


def counts_by_hour(engine: Engine, period: Period, filters: Filters) -> pd.Series:
    """Incidents created in each UTC hour of the period (hours with none left out)."""
    t = report_incidents.c
    hour = (
        func.date_trunc("hour", t.created_at)
        if engine.dialect.name == "postgresql"
        else func.substr(t.created_at, 1, 13)
    ).label("hour")
    query = select(hour, func.count().label("n")).group_by(hour)
    with engine.connect() as conn:
        frame = pd.read_sql(_where(query, period, filters), conn)
    if engine.dialect.name != "postgresql":
        frame["hour"] = frame["hour"] + ":00:00"
    return pd.Series(frame["n"].to_numpy(), index=_times(frame["hour"]), dtype="int64")


TARGET_S = {"I": 900, "S": 3600}


def _seconds(engine: Engine, later: Any, earlier: Any) -> Any:
    """``later - earlier`` in seconds, in SQL (SQLite keeps times as text)."""
    if engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    # Rounded to the millisecond: julianday's floating point makes an arrival exactly on
    # target (15:00) 900.00000004 s, and so late.
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def responses(
    engine: Engine, period: Period, filters: Filters, cutoff: datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """I/S incidents created in the period whose target fell due by ``cutoff``: one row
    each (grade, bcu, in time, response minutes) and the details of the late ones. Worked
    out in the database: a year is over a million such incidents."""
    t = report_incidents.c
    target = case(*((t.initial_grade == g, s) for g, s in TARGET_S.items()), else_=0)
    response_s = _seconds(engine, t.arrived_at, t.created_at)
    in_time = and_(t.arrived_at.is_not(None), response_s <= target)
    due = _seconds(engine, literal(cutoff, DateTime(timezone=True)), t.created_at) >= target
    grades = [g for g in (filters.grade or TARGET_S) if g in TARGET_S]
    live = Filters(filters.bcu, filters.borough, tuple(grades) or ("-",))
    base = select(
        t.initial_grade.label("grade"),
        t.bcu,
        case((in_time, 1), else_=0).label("in_time"),
        (response_s / 60.0).label("response_min"),
    ).where(due)
    late = (
        select(
            t.incident_id,
            *_reference(),
            t.initial_grade.label("grade"),
            t.bcu,
            t.borough,
            t.created_at,
            (response_s / 60.0).label("response_min"),
            t.first_unit,
            t.arrived_at,
        )
        .where(due, ~in_time)
        .order_by(t.created_at)
    )
    with engine.connect() as conn:
        rows = pd.read_sql(_where(base, period, live), conn)
        late_rows = pd.read_sql(_where(late, period, live), conn)
    rows["in_time"] = rows["in_time"].astype(bool)
    for frame in (rows, late_rows):  # PostgreSQL's epoch arithmetic comes back as Decimal
        frame["response_min"] = pd.to_numeric(frame["response_min"]).astype("float64")
    late_rows["created_at"] = _times(late_rows["created_at"])
    late_rows["arrived_at"] = _times(late_rows["arrived_at"])
    return rows, late_rows


def _reference() -> list[Any]:
    """The CAD's reference where the incident has one, else its id, as ``reference``."""
    t = report_incidents.c
    return [func.coalesce(t.reference, t.incident_id).label("reference")]


def _times(column: pd.Series) -> pd.Series:
    # SQLite hands back ISO strings (naive, UTC); PostgreSQL aware datetimes. A time pandas
    # cannot hold (before 1677 or after 2262: an event stamped year 1 or 9999 in a log
    # written before the sequencer bounded event times) is left empty.
    return pd.to_datetime(column, utc=True, format="ISO8601", errors="coerce")


def unit_hours(
    engine: Engine, period: Period, filters: Filters, cutoff: datetime | None = None
) -> pd.DataFrame:
    """Seconds per UTC hour, BCU deployed to and status, for hours in the period (summed
    over units in the database: a year of a London fleet is tens of millions of rows),
    with each unit's current, still open interval counted up to ``cutoff`` (the period's
    end or now, whichever is earlier)."""
    closed = _closed_unit_hours(engine, period, filters)
    still = _open_unit_hours(engine, period, filters, cutoff or period.end)
    if still.empty:
        return closed
    both = pd.concat([closed, still], ignore_index=True)
    both["seconds"] = both["seconds"].astype("float64")  # an empty read is of objects
    return both.groupby(["hour", "bcu", "status"], as_index=False)["seconds"].sum()


def _open_unit_hours(
    engine: Engine, period: Period, filters: Filters, cutoff: datetime
) -> pd.DataFrame:
    """Time in each unit's current status (the projection has counted only what ended),
    from when it began up to ``cutoff``, split by UTC hour and clipped to the period. One
    longer than ``MAX_UNIT_INTERVAL`` by ``cutoff`` is left out, as the projection leaves
    out such a closed one (reports.fold): no shift lasts that long."""
    t = report_unit_state.c
    query = select(t.bcu, t.status, t.since).where(t.status != OFF_DUTY)
    if filters.bcu:
        query = query.where(t.bcu.in_(filters.bcu))
    with engine.connect() as conn:
        states = pd.read_sql(query, conn)
    end = min(cutoff, period.end)
    rows: list[tuple[datetime, str, str, float]] = []
    for bcu, status, since in zip(
        states["bcu"], states["status"], _times(states["since"]), strict=True
    ):
        if pd.isna(since) or cutoff - since > MAX_UNIT_INTERVAL:
            continue
        start = max(since.to_pydatetime(), period.start)
        hour = start.replace(minute=0, second=0, microsecond=0)
        while hour < end:
            upto = min(hour + HOUR, end)
            rows.append((hour, bcu, status, (upto - max(start, hour)).total_seconds()))
            hour += HOUR
    frame = pd.DataFrame(rows, columns=["hour", "bcu", "status", "seconds"])
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    return frame


def _closed_unit_hours(engine: Engine, period: Period, filters: Filters) -> pd.DataFrame:
    t = report_unit_hours.c
    query = (
        select(t.hour, t.bcu, t.status, func.sum(t.seconds).label("seconds"))
        .where(t.hour >= period.start, t.hour < period.end)
        .group_by(t.hour, t.bcu, t.status)
    )
    if filters.bcu:
        query = query.where(t.bcu.in_(filters.bcu))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["hour"] = _times(frame["hour"])
    return frame


def redeployments(engine: Engine, period: Period, filters: Filters) -> pd.DataFrame:
    t = report_redeployments.c
    query = select(report_redeployments).where(t.at >= period.start, t.at < period.end)
    if filters.bcu:
        query = query.where(t.from_bcu.in_(filters.bcu) | t.to_bcu.in_(filters.bcu))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["at"] = _times(frame["at"])
    return frame
