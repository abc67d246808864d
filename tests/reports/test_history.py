"""A place's history (reports.history) equals measuring every call of a generated year, on
SQLite and PostgreSQL: calls spread over London with repeat places, as real demand has."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from geodata.travel import haversine_m
from reports.history import MAX_RADIUS_M, calls_near, cell_of
from reports.tables import report_incidents
from stream.engines import make_engine
from tests.databases import migrated

YEAR_START = datetime(2025, 11, 1, tzinfo=UTC)
HOT = [(51.5136, -0.1365), (51.4613, -0.1156), (51.5416, -0.0033)]  # Soho, Brixton, Stratford


def _year(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        if rng.random() < 0.3:  # a share of calls come from a few places, again and again
            lat, lon = rng.choice(HOT)
            lat, lon = lat + rng.gauss(0, 0.0004), lon + rng.gauss(0, 0.0006)
        else:
            lat, lon = rng.uniform(51.40, 51.62), rng.uniform(-0.35, 0.15)
        created = YEAR_START + timedelta(seconds=rng.uniform(0, 365 * 86_400))
        rows.append(
            {
                "incident_id": f"Y{i}", "created_at": created, "initial_grade": "S",
                "grade": "S", "category": rng.choice(["violence", "theft", "disorder"]),
                "bcu": "AW", "lat": lat, "lon": lon, "cell": cell_of(lat, lon),
                "outcome": "resolved",
            }
        )  # fmt: skip
    return rows


def _flat_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """The local plane's distance, written out again here (the test's own)."""
    north = (lat - lat0) * 111_195.0
    east = (lon - lon0) * 111_195.0 * math.cos(lat0 * math.pi / 180)
    return math.sqrt(north * north + east * east)


def test_calls_near_equals_a_scan_of_a_generated_year(
    sqlite_or_postgres: tuple[str, str | None],
) -> None:
    url, schema = sqlite_or_postgres
    engine = make_engine(migrated(url, schema), schema)
    rng = random.Random(2025)
    rows = _year(rng, 60_000)
    with engine.begin() as conn:
        conn.execute(insert(report_incidents), rows)
    nonempty = 0
    for _ in range(120):
        lat, lon = rng.choice(HOT) if rng.random() < 0.5 else (rng.uniform(51.4, 51.62), -0.1)
        radius = rng.choice([50, 100, 250, 800])
        before = YEAR_START + timedelta(days=rng.uniform(30, 365))
        since = before - timedelta(days=rng.choice([30, 180, 365]))
        limit = rng.choice([None, 5])
        got = calls_near(engine, lat, lon, radius, since, before, limit=limit)
        period = [r for r in rows if since <= r["created_at"] < before]
        inside = [r for r in period if _flat_m(lat, lon, r["lat"], r["lon"]) <= radius]
        want = sorted(inside, key=lambda r: (r["created_at"], r["incident_id"]), reverse=True)
        assert got.total == len(want)
        assert [c.incident_id for c in got.calls] == [r["incident_id"] for r in want][:limit]
        # on the plane, within centimetres of the great circle at these distances
        for c in got.calls:
            true = float(
                haversine_m(
                    lat,
                    lon,
                    *next((r["lat"], r["lon"]) for r in want if r["incident_id"] == c.incident_id),
                )
            )
            assert abs(c.distance_m - true) < 0.2
        nonempty += bool(want)
    assert nonempty > 30, "the queries found calls: the comparison means something"
    leave_out = got.calls[0].incident_id if got.calls else None
    if leave_out:
        again = calls_near(engine, lat, lon, radius, since, before, leave_out=leave_out)
        assert again.total == got.total - 1
        assert leave_out not in [c.incident_id for c in again.calls]
    with pytest.raises(ValueError, match="at most"):
        calls_near(engine, lat, lon, MAX_RADIUS_M + 1, since, before)
    engine.dispose()
