"""The I-grade calls the reports' read model holds for a window: when and where each came
in, which is what the recommender's forecast is fitted from (api.forecasting).

An I-grade call is an incident graded I when it was created (``initial_grade``), as the
demand report counts it and as the simulator's calibration draws it: demand is the calls
as they arrive, not what they were regraded to later.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from reports.tables import report_incidents
from stream.recommend.forecast import Record


def i_grade_calls(engine: Engine, start: datetime, end: datetime) -> list[Record]:
    """Each I-grade call created in ``[start, end)`` with its place, oldest first (rows
    without a place, which no migration could fill, are left out)."""
    t = report_incidents.c
    query = (
        select(t.created_at, t.lat, t.lon)
        .where(
            t.created_at >= start,
            t.created_at < end,
            t.initial_grade == "I",
            t.lat.is_not(None),
            t.lon.is_not(None),
        )
        .order_by(t.created_at)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [(_utc(created), float(lat), float(lon)) for created, lat, lon in rows]


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; the read model stores UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
