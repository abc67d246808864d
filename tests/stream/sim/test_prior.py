"""The recommender's prior agrees with what the simulator actually draws: per-BCU shares of
I-grade incidents from 12,000 simulated arrivals, and London's hourly rate."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from geodata.london import London
from stream.recommend.grid import CoverGrid
from stream.sim.demand import Demand, base_rate_per_s
from stream.sim.prior import calibrated_prior, london_i_per_hour

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def london() -> London:
    return London.load()


def test_the_prior_spreads_london_s_rate_over_the_points(london: London) -> None:
    grid = CoverGrid.of(london)
    prior = calibrated_prior(london, grid)
    assert abs(prior.shares.sum() - 1) < 1e-9 and (prior.shares > 0).all()
    assert prior.rates(NOON).sum() == pytest.approx(london_i_per_hour(NOON))
    assert london_i_per_hour(NOON) < base_rate_per_s(NOON) * 3600 / 2  # I is a minority


def test_per_bcu_shares_match_the_simulator_s_draws(london: London) -> None:
    grid = CoverGrid.of(london)
    prior = calibrated_prior(london, grid)
    demand, rng = Demand(london), random.Random(11)
    drawn: dict[str, int] = {}
    for n in range(12_000):
        arrival = demand.arrival(NOON + timedelta(seconds=n), rng)
        if arrival.grade == "I":
            drawn[arrival.bcu] = drawn.get(arrival.bcu, 0) + 1
    total = sum(drawn.values())
    for bcu in grid.codes:
        expected = float(prior.shares[grid.bcu_array == bcu].sum())
        # ~2,600 I-grade draws: a BCU's share has a standard error under 0.6 points.
        assert abs(drawn.get(bcu, 0) / total - expected) < 0.025, bcu
