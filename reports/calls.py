"""The I-grade calls the reports' read model holds for a window: when and where each came
in, which is what the recommender's forecast is fitted from (api.forecasting).

An I-grade call is an incident graded I when it was created (``initial_grade``), as the
demand report counts it and as the simulator's calibration draws it: demand is the calls
as they arrive, not what they were regraded to later.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from reports.tables import report_incidents
from stream.recommend.forecast import Record

#: Rows fetched at a time; between chunks the server's event loop gets the GIL back.
CHUNK = 2_000


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
    # The driver's cursor, not SQLAlchemy's result: fetching through the result stalled a
    # thread waiting for the GIL (the server's event loop) by 0.1-0.3 s for 8 weeks of
    # London (benchmarks/bench_forecast_fit.py); the driver's rows in chunks, by a few ms.
    compiled = query.compile(dialect=engine.dialect)
    stamp = report_incidents.c.created_at.type.bind_processor(engine.dialect)
    values = {
        name: stamp(value) if stamp and isinstance(value, datetime) else value
        for name, value in compiled.params.items()
    }
    params: Any = values
    if compiled.positiontup is not None:
        params = tuple(values[name] for name in compiled.positiontup)
    records: list[Record] = []
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            while rows := cursor.fetchmany(CHUNK):
                records.extend((_utc(at), float(lat), float(lon)) for at, lat, lon in rows)
                time.sleep(0)  # let a thread waiting for the GIL (the event loop) have it
        finally:
            cursor.close()
    return records


def _utc(value: datetime | str) -> datetime:
    # SQLite hands back text (SQLAlchemy's format, UTC); PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
