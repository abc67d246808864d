"""The seasonal forecast: it recovers a known seasonal process, falls back to the prior for
hours the log never saw, and beats the naive same-hour-last-week forecast in a back-test."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np

from stream.recommend.forecast import (
    HOURS_OF_WEEK,
    Prior,
    backtest,
    fit,
    hour_of_week,
)
from stream.recommend.grid import CoverGrid
from tests.stream.recommend.conftest import NOW


def _process(grid: CoverGrid) -> tuple[np.ndarray, np.ndarray]:
    """A seasonal truth: a daily curve, busier at weekends, over a skewed spatial share."""
    hours = np.arange(HOURS_OF_WEEK)
    totals = 40 + 25 * np.sin((hours % 24 - 8) / 24 * 2 * np.pi) + np.where(hours >= 120, 15, 0)
    weights = np.random.default_rng(3).gamma(0.6, 1.0, len(grid))
    return totals, weights / weights.sum()


def _draw(grid: CoverGrid, start, hours: int, seed: int) -> list:
    totals, shares = _process(grid)
    rng = np.random.default_rng(seed)
    jitter = random.Random(seed)
    records = []
    for h in range(hours):
        when = start + timedelta(hours=h)
        counts = rng.poisson(totals[hour_of_week(when)] * shares)
        for point in np.flatnonzero(counts):
            for _ in range(int(counts[point])):
                records.append(
                    (
                        when + timedelta(seconds=jitter.randrange(3600)),
                        float(grid.lats[point]),
                        float(grid.lons[point]),
                    )
                )
    return records


def _uniform(grid: CoverGrid, per_hour: float = 50.0) -> Prior:
    return Prior(np.full(len(grid), 1 / len(grid)), lambda when: per_hour)


def test_four_weeks_recover_the_hourly_totals_and_the_spatial_shares(grid: CoverGrid) -> None:
    start = (NOW - timedelta(days=28)).replace(minute=0)
    records = _draw(grid, start, 28 * 24, seed=1)
    model = fit(grid, records, start, start + timedelta(days=28), _uniform(grid))
    totals, shares = _process(grid)
    # Each hour of the week seen 4 times, counts ~Poisson(15-85): within ~10% on average.
    assert np.abs(model.totals - totals).mean() / totals.mean() < 0.1
    assert np.corrcoef(model.shares, shares)[0, 1] > 0.9
    assert abs(model.shares.sum() - 1) < 1e-9


def test_hours_the_log_never_saw_take_the_prior(grid: CoverGrid) -> None:
    start = NOW.replace(minute=0)
    records = _draw(grid, start, 6, seed=2)
    model = fit(grid, records, start, start + timedelta(hours=6), _uniform(grid, 77.0))
    seen = {hour_of_week(start + timedelta(hours=h)) for h in range(6)}
    unseen = [h for h in range(HOURS_OF_WEEK) if h not in seen]
    assert all(model.totals[h] == 77.0 for h in unseen)
    assert all(model.totals[h] != 77.0 for h in seen)


def test_the_seasonal_forecast_beats_same_hour_last_week(grid: CoverGrid) -> None:
    start = (NOW - timedelta(days=35)).replace(minute=0)
    records = _draw(grid, start, 35 * 24, seed=4)
    train = (start, start + timedelta(days=28))
    result = backtest(grid, records, train, 7 * 24, _uniform(grid))
    assert result.hours == 168 and result.incidents > 5_000
    assert result.seasonal_mae < result.naive_mae
    assert result.seasonal_deviance < result.naive_deviance
