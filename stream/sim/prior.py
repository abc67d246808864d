"""The recommender's prior: expected I-grade incidents per demand point and hour as the
simulator's calibration draws them, for a log too short to forecast from."""

from __future__ import annotations

from datetime import datetime

from geodata.london import London
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.sim import calibration as cal
from stream.sim.demand import Demand, base_rate_per_s, category_weights, grade_weights

_NOON = datetime.fromisoformat("2026-11-25T12:00:00+00:00")


def _i_share(category: str, when: datetime) -> float:
    weights = grade_weights(category, when)
    return weights[0] / sum(weights)


def london_i_per_hour(when: datetime) -> float:
    """London's expected I-grade incidents an hour at ``when`` (no surges)."""
    weights = category_weights(when)
    total = sum(weights.values())
    i_share = sum(w / total * _i_share(c, when) for c, w in weights.items())
    return base_rate_per_s(when) * 3600 * i_share


def calibrated_prior(london: London, grid: CoverGrid) -> Prior:
    """Each point's share of I-grade demand (categories weighted by their I-grade share at
    midday) times London's rate at the moment asked."""
    demand = Demand(london)
    weights = category_weights(_NOON)
    cells: dict[str, float] = {}
    for category in cal.CATEGORY_SHARE:
        weight = weights[category] * _i_share(category, _NOON)
        for cell, share in demand.place_weights(category).items():
            cells[cell] = cells.get(cell, 0.0) + weight * share
    shares = grid.weights_from(cells)
    return Prior(shares / max(float(shares.sum()), 1e-12), london_i_per_hour)


__all__ = ["calibrated_prior", "london_i_per_hour"]
