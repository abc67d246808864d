"""A real London grid and travel model for the recommender's pure-logic tests, and builders
for situations placed on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from geodata.london import London
from geodata.travel import CrowFliesModel
from stream.recommend.advise import Context
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import Call, Resource

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
TRAVEL = CrowFliesModel()
PER_HOUR = 60.0  # London's I-grade calls an hour in the flat test forecast


@pytest.fixture(scope="session")
def grid() -> CoverGrid:
    return CoverGrid.of(London.load())


def flat(grid: CoverGrid, per_hour: float = PER_HOUR) -> Prior:
    """The same demand at every point."""
    return Prior(np.full(len(grid), 1.0 / len(grid)), lambda when: per_hour)


@pytest.fixture
def context(grid: CoverGrid) -> Context:
    return Context(grid, TRAVEL, flat(grid))


def spot(grid: CoverGrid, bcu: str, k: int = 0) -> tuple[float, float]:
    """The k-th demand point of ``bcu`` (points sorted by cell), as (lat, lon)."""
    points = [i for i, b in enumerate(grid.bcus) if b == bcu]
    i = points[k % len(points)]
    return float(grid.lats[i]), float(grid.lons[i])


def unit(
    unit_id: str, at: tuple[float, float], bcu: str, status: str = "available", **more: object
) -> Resource:
    return Resource(
        unit_id, unit_id, str(more.pop("unit_type", "IRV")), bcu, at[0], at[1], status, **more
    )  # type: ignore[arg-type]


def call(
    incident_id: str, at: tuple[float, float], bcu: str, grade: str = "I", waited_s: float = 0
) -> Call:
    created = NOW - timedelta(seconds=waited_s)
    target = created + timedelta(minutes=15 if grade == "I" else 60)
    return Call(
        incident_id, f"CAD {incident_id}", grade, "violence", at[0], at[1], bcu, created, target
    )
