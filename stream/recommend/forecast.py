"""Expected I-grade incidents per demand point and hour: a seasonal forecast from the log,
a prior from the simulator's calibration when the log is short, and the back-test of the
seasonal forecast against a naive one (the same hour last week).

The seasonal model is London's mean count for each hour of the week times each point's
share of all incidents (the share smoothed towards the prior's, so a point with no history
is not forecast to be empty). Counts per point and hour are small (most are 0 or 1), so a
per-point, per-hour mean over a few weeks is mostly noise; the product of two well-measured
margins is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from stream.recommend.grid import CoverGrid

LONDON = ZoneInfo("Europe/London")
HOURS_OF_WEEK = 168
#: How many incidents' worth of weight the prior's spatial share carries (assumption): with
#: a year of London's I-grade calls (~480,000) the log dominates; with a day it barely moves.
PRIOR_PSEUDO_COUNT = 2_000.0
FloatArray = NDArray[np.float64]


class Forecast(Protocol):
    def rates(self, when: datetime) -> FloatArray:
        """Expected I-grade incidents per hour at each grid point, for the hour holding ``when``."""
        ...


def hour_of_week(when: datetime) -> int:
    """0 for Monday 00:00-00:59 London time, 167 for Sunday 23:00-23:59."""
    local = when.astimezone(LONDON)
    return local.weekday() * 24 + local.hour


@dataclass(frozen=True)
class Prior:
    """A London-wide rate (calls an hour at a moment) spread by fixed shares per point."""

    shares: FloatArray
    london_per_hour: Callable[[datetime], float]

    def rates(self, when: datetime) -> FloatArray:
        return self.shares * self.london_per_hour(when)


@dataclass(frozen=True)
class Seasonal:
    """London's mean per hour of the week (168 values) times each point's share."""

    totals: FloatArray
    shares: FloatArray

    def rates(self, when: datetime) -> FloatArray:
        return self.shares * float(self.totals[hour_of_week(when)])


Record = tuple[datetime, float, float]  # an I-grade incident's creation time and position


def fit(
    grid: CoverGrid, records: Iterable[Record], start: datetime, end: datetime, prior: Prior
) -> Seasonal:
    """The seasonal forecast from I-grade incidents created in [start, end).

    An hour of the week that [start, end) never saw takes the prior's London rate."""
    counts = np.zeros(len(grid), dtype=np.float64)
    by_hour = np.zeros(HOURS_OF_WEEK, dtype=np.float64)
    for when, lat, lon in records:
        if not start <= when < end:
            continue
        by_hour[hour_of_week(when)] += 1
        if (point := grid.point_of(lat, lon)) is not None:
            counts[point] += 1
    seen = _hours_seen(start, end)
    totals = np.empty(HOURS_OF_WEEK, dtype=np.float64)
    for how in range(HOURS_OF_WEEK):
        if seen[how]:
            totals[how] = by_hour[how] / seen[how]
        else:
            totals[how] = prior.london_per_hour(_a_time_at(how, end))
    shares = counts + PRIOR_PSEUDO_COUNT * prior.shares / max(prior.shares.sum(), 1e-12)
    return Seasonal(totals, shares / max(shares.sum(), 1e-12))


def _hours_seen(start: datetime, end: datetime) -> NDArray[np.int64]:
    """How many times each hour of the week occurs in [start, end), whole hours only."""
    seen = np.zeros(HOURS_OF_WEEK, dtype=np.int64)
    hour = start.replace(minute=0, second=0, microsecond=0)
    if hour < start:
        hour += timedelta(hours=1)
    while hour + timedelta(hours=1) <= end:
        seen[hour_of_week(hour)] += 1
        hour += timedelta(hours=1)
    return seen


def _a_time_at(how: int, near: datetime) -> datetime:
    """A moment in hour-of-week ``how``, in the week before ``near``."""
    local = near.astimezone(LONDON).replace(minute=30, second=0, microsecond=0)
    delta = (hour_of_week(local) - how) % HOURS_OF_WEEK
    return (local - timedelta(hours=delta or HOURS_OF_WEEK)).astimezone(near.tzinfo)


@dataclass(frozen=True)
class Backtest:
    """Mean absolute error per point and hour over the test period, both forecasts."""

    hours: int
    incidents: int
    seasonal_mae: float
    naive_mae: float
    seasonal_deviance: float  # mean Poisson deviance per point-hour (lower is better)
    naive_deviance: float


def backtest(
    grid: CoverGrid,
    records: list[Record],
    train: tuple[datetime, datetime],
    test_hours: int,
    prior: Prior,
) -> Backtest:
    """Fit on ``train``, then forecast each of the ``test_hours`` after it, against the naive
    forecast "each point's count in the same hour a week before"."""
    model = fit(grid, records, train[0], train[1], prior)
    actual = _counts_per_hour(grid, records, train[1], test_hours)
    last_week = _counts_per_hour(grid, records, train[1] - timedelta(days=7), test_hours)
    errors, naive_errors, dev, naive_dev = [], [], [], []
    for h in range(test_hours):
        expected = model.rates(train[1] + timedelta(hours=h, minutes=30))
        errors.append(np.abs(expected - actual[h]).mean())
        naive_errors.append(np.abs(last_week[h] - actual[h]).mean())
        dev.append(_deviance(actual[h], expected))
        naive_dev.append(_deviance(actual[h], last_week[h]))
    return Backtest(
        test_hours,
        int(actual.sum()),
        float(np.mean(errors)),
        float(np.mean(naive_errors)),
        float(np.mean(dev)),
        float(np.mean(naive_dev)),
    )


def _counts_per_hour(
    grid: CoverGrid, records: list[Record], start: datetime, hours: int
) -> FloatArray:
    counts = np.zeros((hours, len(grid)), dtype=np.float64)
    for when, lat, lon in records:
        h = int((when - start).total_seconds() // 3600)
        if 0 <= h < hours and (point := grid.point_of(lat, lon)) is not None:
            counts[h, point] += 1
    return counts


def _deviance(actual: FloatArray, expected: FloatArray) -> float:
    """Mean Poisson deviance; a forecast of 0 where something happened is floored at 0.01
    (the naive forecast is 0 at most points, which would otherwise score infinite)."""
    mu = np.maximum(expected, 0.01)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(actual > 0, actual * np.log(actual / mu), 0.0)
    return float((2 * (term - (actual - mu))).mean())
