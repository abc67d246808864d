"""A place's history: the calls within a radius of a point over a period, from the read
model's incidents (``report_incidents``), found through an H3 index rather than a scan.

Each incident's row carries the H3 cell of its point at resolution 10 (``cell``: hexagons
about 76 m a side); the index on (cell, created_at) gives the calls in the cells a circle
touches in the period, and the distance on the local plane (``plane_m``, computed by the
database) decides. The database counts them and hands over only the newest few, so a busy
place costs no more in Python than a quiet one (benchmarks/bench_context.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import h3.api.basic_int as h3
from sqlalchemy import ColumnElement, Engine, and_, func, select

from reports.tables import report_incidents
from stream.log import as_utc

CELL_RESOLUTION = 10
#: Centre to centre of neighbouring cells at that resolution, in metres (edge x sqrt 3),
#: the shortest: a ring of k cells reaches at least k of these from the centre cell's edge.
_STEP_M = h3.average_hexagon_edge_length(CELL_RESOLUTION, "m") * math.sqrt(3) * 0.9
MAX_RADIUS_M = 2_000
#: Metres per degree of latitude (the mean Earth radius's).
M_PER_DEG = 111_195.0


def cell_of(lat: float, lon: float) -> int:
    """The H3 cell (resolution 10, as an integer) a point is in."""
    return int(h3.latlng_to_cell(lat, lon, CELL_RESOLUTION))


def plane_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """Distance on the local plane at the first point: within 2 km it differs from the
    great circle's by centimetres, and the database computes it with + and x alone."""
    dy, dx = (lat - lat0) * M_PER_DEG, (lon - lon0) * M_PER_DEG * math.cos(math.radians(lat0))
    return math.hypot(dx, dy)


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


@dataclass(frozen=True, slots=True)
class Nearby:
    total: int  # calls within the radius in the period
    calls: list[EarlierCall]  # the newest ``limit`` of them, newest first


def calls_near(
    engine: Engine,
    lat: float,
    lon: float,
    radius_m: float,
    since: datetime,
    before: datetime,
    leave_out: str | None = None,
    limit: int | None = None,
) -> Nearby:
    """The calls created from ``since`` to before ``before`` within ``radius_m`` of the point
    (on the local plane; ``leave_out``: the call asked about): how many, and the newest
    ``limit`` (all if None). The database counts and sorts, so a place with a thousand calls
    a year costs two index walks, not a thousand rows in Python."""
    if radius_m > MAX_RADIUS_M:
        raise ValueError(f"a radius of at most {MAX_RADIUS_M} m")
    t = report_incidents.c
    near = and_(*_where(lat, lon, radius_m, since, before), t.incident_id != (leave_out or ""))
    # Materialised first: asked for the newest few straight away, PostgreSQL walks the
    # created_at index back through a year of London (70 ms) hoping to meet them soon.
    found = select(
        t.incident_id, t.reference, t.created_at, t.initial_grade, t.category, t.outcome,
        t.bcu, t.address, t.lat, t.lon,
    ).where(near).cte("near").prefix_with("MATERIALIZED")  # fmt: skip
    listed = select(found, func.count().over().label("total")).order_by(
        found.c.created_at.desc(), found.c.incident_id.desc()
    )
    with engine.connect() as conn:
        rows = list(conn.execute(listed.limit(limit)))
        total = rows[0].total if rows else 0
        if limit == 0:  # no row to carry the count
            total = conn.execute(select(func.count()).select_from(found)).scalar_one()
    calls = [
        EarlierCall(
            r.incident_id, r.reference, as_utc(r.created_at), r.initial_grade, r.category,
            r.outcome, r.bcu, r.address, round(plane_m(lat, lon, r.lat, r.lon), 1),
        )
        for r in rows
    ]  # fmt: skip
    return Nearby(int(total), calls)


def _where(
    lat: float, lon: float, radius_m: float, since: datetime, before: datetime
) -> list[ColumnElement[bool]]:
    t = report_incidents.c
    dy = (t.lat - lat) * M_PER_DEG
    dx = (t.lon - lon) * (M_PER_DEG * math.cos(math.radians(lat)))
    return [
        t.cell.in_(_cells_within(lat, lon, radius_m)),
        t.created_at >= since,
        t.created_at < before,
        dx * dx + dy * dy <= radius_m * radius_m,
    ]


def _cells_within(lat: float, lon: float, radius_m: float) -> list[int]:
    """Every cell a circle of ``radius_m`` about the point touches (and a few more)."""
    rings = math.ceil(radius_m / _STEP_M) + 1
    return [int(c) for c in h3.grid_disk(cell_of(lat, lon), rings)]
