"""How far from now an event's time may be: the sequencer's door for event time.

One event stamped far in the future moves the live picture's clock for good (closed incidents
leave at once, the KPI window empties); one stamped decades back makes the reports fill every
hour in between. So the sequencer refuses, with the reason, an event whose time is

* more than ``ahead`` after the sequencer's wall clock (``BLUELAMP_MAX_EVENT_AHEAD_S``);
* more than ``late`` before the latest event time already sequenced, the live picture's
  clock (``BLUELAMP_MAX_EVENT_LATE_S``);
* more than ``age`` before the sequencer's wall clock, when set (``BLUELAMP_MAX_EVENT_AGE_S``).

This is the sequencer's decision, not the picture's: the picture is a pure fold (a replay must
not depend on today's clock), and what the log already holds stays valid whatever the bounds
become. A duplicate of a logged event is still answered as a duplicate, however old.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from stream.settings import SpineSettings


@dataclass(frozen=True, slots=True)
class TimeBounds:
    ahead: timedelta = timedelta(minutes=5)
    late: timedelta = timedelta(days=1)
    age: timedelta | None = None  # None: no bound against the wall clock

    @classmethod
    def of(cls, settings: SpineSettings) -> TimeBounds:
        age = settings.max_event_age_s
        return cls(
            ahead=timedelta(seconds=settings.max_event_ahead_s),
            late=timedelta(seconds=settings.max_event_late_s),
            age=timedelta(seconds=age) if age else None,
        )

    def check(self, time: datetime, latest: datetime | None, now: datetime) -> str | None:
        """Why an event stamped ``time`` cannot be sequenced at wall-clock ``now`` into a
        picture whose clock is ``latest``, or None. Differences, never sums, so no bound can
        overflow a datetime."""
        if time - now > self.ahead:
            return (
                f"time {_iso(time)} is {_span(time - now)} ahead of the sequencer's clock "
                f"({_iso(now)}); at most {_span(self.ahead)} ahead is accepted"
            )
        if latest is not None and latest - time > self.late:
            return (
                f"time {_iso(time)} is {_span(latest - time)} before the latest event "
                f"sequenced ({_iso(latest)}); at most {_span(self.late)} late is accepted"
            )
        if self.age is not None and now - time > self.age:
            return (
                f"time {_iso(time)} is {_span(now - time)} before the sequencer's clock "
                f"({_iso(now)}); at most {_span(self.age)} old is accepted"
            )
        return None


def wall_clock() -> datetime:
    return datetime.now(UTC)


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _span(delta: timedelta) -> str:
    """A duration in the unit a person would say it in."""
    seconds = delta.total_seconds()
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:,.0f} {unit}"
    return f"{seconds:,.0f} seconds"
