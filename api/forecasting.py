"""The live recommender's forecast, fitted from the log: the seasonal model
(stream.recommend.forecast) over the last ``WEEKS`` weeks of I-grade calls in the reports'
read model, once the read model has caught up at start and every ``every_s`` after, in a
worker thread; the recommender keeps the forecast it has until the new one is ready.

While the log is short the recommender keeps the simulator's calibrated prior. "Short":
the I-grade calls in the window span less than a week (some hour of the week has not been
seen yet, and the seasonal model's totals would be half the log's, half the prior's), or
there are fewer than ``MIN_CALLS`` of them (one an hour: London has ~60 an hour, so fewer
is a test or partial feed, whose totals would say London is all but quiet). Past that, the
seasonal model's own smoothing of each point's share towards the prior's (2,000
pseudo-calls) handles a log of a week or two.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine

from api.recommending import Recommending
from geodata import London
from reports.calls import i_grade_calls
from stream.clock import shift
from stream.picture import Picture
from stream.recommend.forecast import Forecast, Prior, fit
from stream.recommend.grid import CoverGrid
from stream.sim.prior import calibrated_prior

logger = logging.getLogger(__name__)
#: Weeks of log fitted: eight of each hour of the week (assumption: long enough to steady
#: the hourly totals, short enough to follow a change of season within two months).
WEEKS = 8
EVERY_S = 3600.0
WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)
MIN_SPAN = WEEK
MIN_CALLS = 168
READY_POLL_S = 1.0


@dataclass(frozen=True)
class Fitted:
    """A forecast and what it was made from, as /readyz tells it."""

    forecast: Forecast
    source: Literal["log", "prior"]
    calls: int  # I-grade calls in the window
    start: datetime | None  # the hours fitted, [start, end)
    end: datetime | None
    seconds: float  # the query and the fit
    why: str = ""  # the prior's: why the log was not fitted

    def describe(self) -> str:
        if self.source == "prior" or self.start is None or self.end is None:
            return f"the simulator's calibrated prior ({self.why})"
        days = (self.end - self.start) / timedelta(days=1)
        return (
            f"fitted from the log: {self.calls:,} I-grade calls over {days:.1f} days to "
            f"{self.end:%Y-%m-%d %H:%M} UTC, in {self.seconds:.1f} s"
        )


def fit_from_log(
    engine: Engine,
    grid: CoverGrid,
    prior: Prior,
    now: datetime,
    weeks: int = WEEKS,
    min_calls: int = MIN_CALLS,
) -> Fitted:
    """The forecast from the ``weeks`` whole hours of I-grade calls up to ``now`` (the
    picture's time), or the prior if the log is short."""
    began = time.perf_counter()
    end = now.replace(minute=0, second=0, microsecond=0)
    records = i_grade_calls(engine, shift(end, -weeks * WEEK), end)
    if not records:
        return Fitted(prior, "prior", 0, None, None, time.perf_counter() - began, "no calls")
    # From the first whole hour the log holds: hours before it are not quiet, just unseen.
    first = records[0][0]
    start = first.replace(minute=0, second=0, microsecond=0)
    start = start if start == first else shift(start, HOUR)
    span, calls = end - start, sum(start <= r[0] for r in records)
    if span < MIN_SPAN or calls < min_calls:
        why = (
            f"the log's {calls:,} I-grade calls span {span / timedelta(days=1):.1f} days; "
            f"fitted from a week and {min_calls} calls"
        )
        return Fitted(prior, "prior", calls, None, None, time.perf_counter() - began, why)
    model = fit(grid, records, start, end, prior)
    return Fitted(model, "log", calls, start, end, time.perf_counter() - began)


@dataclass
class Forecasting:
    """Refits the recommender's forecast from the read model in the background."""

    engine: Engine  # the reports' read model's
    recommending: Recommending
    prior: Prior
    every_s: float = EVERY_S  # 0: never fitted, the prior throughout
    weeks: int = WEEKS
    latest: Fitted | None = None

    @classmethod
    def of(
        cls, london: London, engine: Engine, recommending: Recommending, every_s: float
    ) -> Forecasting:
        prior = calibrated_prior(london, recommending.context.grid)
        return cls(engine, recommending, prior, every_s)

    async def run(self, picture_of: Callable[[], Picture], ready: Callable[[], bool]) -> None:
        """Fit once ``ready()`` (the read model has caught up), then every ``every_s``."""
        if self.every_s <= 0:
            return
        while not ready():
            await asyncio.sleep(READY_POLL_S)
        while True:
            try:
                await self.refit(picture_of())
            except Exception:  # the prior, or the last fit, stands until the next try
                logger.exception("could not fit the forecast; next try in %.0f s", self.every_s)
            await asyncio.sleep(self.every_s)

    async def refit(self, picture: Picture) -> Fitted:
        """Fit from the log up to the picture's time and hand the recommender the result."""
        now = picture.now
        if now is None:
            fitted = Fitted(self.prior, "prior", 0, None, None, 0.0, "the log is empty")
        else:
            grid = self.recommending.context.grid
            fitted = await asyncio.to_thread(
                fit_from_log, self.engine, grid, self.prior, now, self.weeks
            )
        # One assignment: a recommendation in progress keeps the context it was handed.
        self.recommending.context = replace(self.recommending.context, forecast=fitted.forecast)
        if fitted.source != (self.latest.source if self.latest else "prior"):
            logger.info("the recommender's forecast: %s", fitted.describe())
        self.latest = fitted
        return fitted

    def describe(self) -> str:
        """What /readyz says about the forecast."""
        if self.latest is None:
            if self.every_s <= 0:
                return "the simulator's calibrated prior (BLUELAMP_FORECAST_REFIT_S is 0)"
            return "the simulator's calibrated prior (not fitted from the log yet)"
        return self.latest.describe()
