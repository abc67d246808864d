"""A place's history: the calls within a radius of a point over a period, from the read
model's incidents (``report_incidents``), found through an H3 index rather than a scan.

Each incident's row carries the H3 cell of its point at resolution 10 (``cell``: hexagons
about 76 m a side); the index on (cell, created_at) gives the calls in the cells a circle
touches in the period, and the distance to each decides. A year of London (about two
million calls) answers in milliseconds (benchmarks/bench_context.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import h3.api.basic_int as h3
from sqlalchemy import Engine, select

from reports.tables import report_incidents
from stream.intel import metres
from stream.log import as_utc

CELL_RESOLUTION = 10
#: Centre to centre of neighbouring cells at that resolution, in metres (edge x sqrt 3),
#: the shortest: a ring of k cells reaches at least k of these from the centre cell's edge.
_STEP_M = h3.average_hexagon_edge_length(CELL_RESOLUTION, "m") * math.sqrt(3) * 0.9
MAX_RADIUS_M = 2_000


def cell_of(lat: float, lon: float) -> int:
    """The H3 cell (resolution 10, as an integer) a point is in."""
    return int(h3.latlng_to_cell(lat, lon, CELL_RESOLUTION))


@dataclass(frozen=True, slots=True)
class EarlierCall:
    incident_id: str
    reference: str | None
    created_at: datetime
    grade: str  # at creation
    category: str
    outcome: str | None
    bcu: str | None
    address: str | None
    distance_m: float


def calls_near(
    engine: Engine,
    lat: float,
    lon: float,
    radius_m: float,
    since: datetime,
    before: datetime,
    leave_out: str | None = None,
) -> list[EarlierCall]:
    """The calls created from ``since`` to before ``before`` within ``radius_m`` of the
    point (``leave_out``: the call asked about), newest first."""
    if radius_m > MAX_RADIUS_M:
        raise ValueError(f"a radius of at most {MAX_RADIUS_M} m")
    cells = _cells_within(lat, lon, radius_m)
    t = report_incidents.c
    query = select(
        t.incident_id, t.reference, t.created_at, t.initial_grade, t.category, t.outcome,
        t.bcu, t.address, t.lat, t.lon,
    ).where(t.cell.in_(cells), t.created_at >= since, t.created_at < before)  # fmt: skip
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    found = []
    for row in rows:
        if row.incident_id == leave_out or row.lat is None or row.lon is None:
            continue
        if (d := metres(lat, lon, row.lat, row.lon)) <= radius_m:
            found.append(
                EarlierCall(
                    row.incident_id, row.reference, as_utc(row.created_at), row.initial_grade,
                    row.category, row.outcome, row.bcu, row.address, round(d, 1),
                )
            )  # fmt: skip
    return sorted(found, key=lambda c: (c.created_at, c.incident_id), reverse=True)


def _cells_within(lat: float, lon: float, radius_m: float) -> list[int]:
    """Every cell a circle of ``radius_m`` about the point touches (and a few more)."""
    rings = math.ceil(radius_m / _STEP_M) + 1
    return [int(c) for c in h3.grid_disk(cell_of(lat, lon), rings)]
