"""Event time at the extremes: arithmetic that cannot overflow, and the picture's clock.

A log written before the sequencer bounded event times may hold an event stamped
9999-12-31 or 0001-01-01. ``shift`` keeps ``t ± delta`` inside what ``datetime`` can hold
(so a target 15 minutes after 9999-12-31T23:59 is the last representable instant, not an
OverflowError), and :class:`EventClock` keeps one such event from moving the picture's
clock: the clock is what the KPIs and the eviction of closed incidents are measured by, and
a clock moved days ahead by one outlier would evict every closed incident at once and find
no I-grade target due in "the last hour" until real time caught up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)

#: The furthest one event may move the clock ahead on its own. A London feed is never quiet
#: this long (hundreds of position reports a minute), so a later time is either an outlier
#: or the start of new traffic after a gap, which the recent events must confirm.
CLOCK_STEP = timedelta(minutes=15)
#: How many recent event times vote. A jump is believed once most of them agree.
CLOCK_VOTES = 7
#: A clock this far ahead of most recent events was set by an outlier (the first event of a
#: log, say): it goes back to where they are.
CLOCK_RESET = timedelta(hours=24)


def shift(t: datetime, delta: timedelta) -> datetime:
    """``t + delta``, held to the range of ``datetime`` instead of raising OverflowError."""
    try:
        return t + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST


class EventClock:
    """The picture's "now": the latest event time, robust to a minority of outliers.

    * An event at most ``CLOCK_STEP`` ahead of the clock moves it to its time (the usual
      case: the clock is exactly the latest event time, as it always was).
    * An event further ahead moves it only as far as the median of the last
      ``CLOCK_VOTES`` event times, so one event (or a minority feed) stamped days ahead
      moves nothing, while new traffic after a real gap moves it once most recent events
      are past the gap.
    * An earlier event never moves it back, unless most recent events are more than
      ``CLOCK_RESET`` behind it: then the clock was set by an outlier and goes back to
      their median.

    Pure and deterministic, like the fold it serves: the same times in the same order give
    the same clock, and :meth:`state` / :meth:`restore` carry it through snapshots.
    """

    __slots__ = ("now", "recent")

    def __init__(self) -> None:
        self.now: datetime | None = None
        self.recent: deque[datetime] = deque(maxlen=CLOCK_VOTES)

    def advance(self, t: datetime) -> datetime:
        """Take one event time in; the clock after it."""
        self.recent.append(t)
        now = self.now
        if now is None:
            self.now = t
        elif t > now:
            if t - now <= CLOCK_STEP:
                self.now = t
            else:
                self.now = max(now, self._median(upper=False))
        elif now - t > CLOCK_RESET:  # only an event far behind can make most of them so
            median = self._median(upper=True)
            if now - median > CLOCK_RESET:
                self.now = median
        return self.now  # type: ignore[return-value]  # set above

    def _median(self, upper: bool) -> datetime:
        # With an even count, the lower middle to go forward and the upper one to go back:
        # either way a strict majority must agree.
        times = sorted(self.recent)
        return times[len(times) // 2] if upper else times[(len(times) - 1) // 2]

    def state(self) -> list[str]:
        """The recent times, JSON-able (the clock itself is the snapshot's ``now``)."""
        return [t.isoformat() for t in self.recent]

    def restore(self, now: datetime | None, recent: Iterable[str] | None) -> None:
        """Back to a snapshot's clock. An older snapshot kept no recent times: its ``now``
        stands in for them."""
        self.now = now
        self.recent.clear()
        if recent is not None:
            self.recent.extend(datetime.fromisoformat(t) for t in recent)
        elif now is not None:
            self.recent.append(now)
