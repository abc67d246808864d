"""The reports' read model kept up to date in the background, one attempt every few seconds.

An attempt that fails (the database refusing, a record the projection cannot take) is
logged, counted (``bluelamp_report_projection_failures_total``, and
``bluelamp_report_projection_failing`` is 1 until one succeeds) and shown on ``/readyz``;
the next attempt waits twice as long each time, up to ``MAX_BACKOFF_S``, so a failure that
repeats costs a log line every few minutes, not a hot loop. Readiness stays green: the live
picture does not depend on the reports, and every server shares the failing log, so taking
them out of a load balancer would only turn a reports problem into an outage.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from reports.readmodel import ProjectionStopped, ReadModel
from stream.log import EventLog

EVERY_S = 5.0
MAX_BACKOFF_S = 300.0
log = logging.getLogger(__name__)


class _Counter(Protocol):
    def inc(self, amount: float = 1) -> None: ...


class _Gauge(Protocol):
    def set(self, value: float) -> None: ...


class ProjectionMetrics(Protocol):
    """What the projector counts, and where: the server's metrics (``api.metrics.Metrics``)
    are passed in, so this room never imports the API."""

    @property
    def projection_failures(self) -> _Counter: ...
    @property
    def projection_failing(self) -> _Gauge: ...
    @property
    def intervals_skipped(self) -> _Counter: ...


@dataclass
class Projector:
    read_model: ReadModel
    log: EventLog
    metrics: ProjectionMetrics
    every_s: float = EVERY_S
    max_backoff_s: float = MAX_BACKOFF_S
    cursor: int | None = None  # after the latest successful attempt
    failures: int = 0  # attempts failed in a row
    error: str | None = None  # the latest failure
    retry_at: float = 0.0  # monotonic time of the next attempt
    _skipped: int = 0

    async def run(self) -> None:
        """Attempt, wait, attempt again, until cancelled or the read model is stopped."""
        while True:
            try:
                delay = await self.attempt()
            except ProjectionStopped:
                return
            self.retry_at = time.monotonic() + delay
            await asyncio.sleep(delay)

    async def attempt(self) -> float:
        """One attempt to catch up; how long to wait before the next one."""
        try:
            self.cursor = await asyncio.to_thread(self.read_model.catch_up, self.log)
        except ProjectionStopped:
            raise
        except Exception as exc:
            return self._failed(exc)
        finally:
            self._count_skipped()
        if self.failures:
            log.info("the reports' read model is up to date again (seq %s)", self.cursor)
        self.failures, self.error = 0, None
        self.metrics.projection_failing.set(0)
        return self.every_s

    def _failed(self, exc: Exception) -> float:
        self.failures += 1
        self.error = f"{type(exc).__name__}: {exc}"[:500]
        self.metrics.projection_failures.inc()
        self.metrics.projection_failing.set(1)
        delay = min(self.max_backoff_s, self.every_s * float(2 ** min(self.failures, 16)))
        log.error(
            "could not bring the reports' read model up to date (%d failed in a row; next "
            "try in %.0f s): %s",
            self.failures,
            delay,
            self.error,
            exc_info=self.failures == 1,  # the traceback once, not every few minutes
        )
        return delay

    def _count_skipped(self) -> None:
        total = self.read_model.skipped_intervals
        if total > self._skipped:
            self.metrics.intervals_skipped.inc(total - self._skipped)
            self._skipped = total

    def describe(self) -> str:
        """What /readyz says about the reports."""
        where = "not yet projected" if self.cursor is None else f"at seq {self.cursor}"
        if not self.failures:
            return f"reports' read model {where}"
        wait = max(0.0, self.retry_at - time.monotonic())
        return (
            f"reports' read model {where}, failing ({self.failures} attempts in a row; "
            f"next in {wait:.0f} s): {self.error}"
        )
