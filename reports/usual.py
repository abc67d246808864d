"""Demand now against the usual demand for this hour, per BCU: what the wall compares.

"Now" is the incidents created in the hour up to a moment (event time). "Usual" is the mean
number created in the same hour of the week over the previous ``weeks`` weeks, read from the
read model's incidents (``report_incidents``), when the log goes back that far; otherwise
the simulator's calibration (stream/sim/calibration.py): London's rate for that hour and
weekday times the BCU's share of London's demand. The answer says which it used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from reports.tables import report_incidents
from stream.clock import shift

#: Weeks of log averaged for "usual" (four: a month of the same hour and weekday).
WEEKS = 4
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
LONDON_TZ = ZoneInfo("Europe/London")


@dataclass(frozen=True, slots=True)
class UsualDemand:
    at: datetime
    source: Literal["log", "calibration"]
    weeks: int  # weeks of log averaged; 0 for the calibration
    now: Mapping[str, int]  # incidents created in (at - 1 h, at], per BCU
    usual: Mapping[str, float]

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "source": self.source,
            "weeks": self.weeks,
            "bcus": {
                bcu: {"now": self.now[bcu], "usual": round(self.usual[bcu], 2)}
                for bcu in sorted(self.now)
            },
        }


def same_hour_windows(at: datetime, weeks: int) -> list[tuple[datetime, datetime]]:
    """The hour up to ``at`` in each of the previous ``weeks`` weeks, newest first."""
    # shift, not "-": an event log may hold times near the calendar's ends (fuzzing does).
    return [(shift(at, -k * WEEK - HOUR), shift(at, -k * WEEK)) for k in range(1, weeks + 1)]


def created_between(engine: Engine, start: datetime, end: datetime) -> dict[str, int]:
    """Incidents created in ``(start, end]`` per BCU (the read model's incidents)."""
    t = report_incidents
    query = (
        select(t.c.bcu, func.count())
        .where(t.c.created_at > start, t.c.created_at <= end, t.c.bcu.is_not(None))
        .group_by(t.c.bcu)
    )
    with engine.connect() as conn:
        return {str(bcu): int(n) for bcu, n in conn.execute(query)}


def first_created(engine: Engine) -> datetime | None:
    with engine.connect() as conn:
        first = conn.execute(select(func.min(report_incidents.c.created_at))).scalar_one()
    return None if first is None else _utc(first)


def calibrated(
    start: datetime,
    end: datetime,
    rate_per_s: Callable[[datetime], float],
    share: Mapping[str, float],
) -> dict[str, float]:
    """Expected incidents in ``[start, end)`` per BCU: London's rate, which is constant
    within each local clock hour, integrated piece by piece, times each BCU's share."""
    total, t = 0.0, start
    while t < end:
        try:
            local = t.astimezone(LONDON_TZ)
            next_hour = (local.replace(minute=0, second=0, microsecond=0) + HOUR).astimezone(UTC)
        except OverflowError:  # at the calendar's ends: one piece
            next_hour = end
        piece_end = min(end, next_hour)
        try:
            rate = rate_per_s(t)
        except OverflowError:  # no local hour to calibrate by at the calendar's ends
            rate = 0.0
        total += rate * (piece_end - t).total_seconds()
        t = piece_end
    return {bcu: total * s for bcu, s in share.items()}


def usual_demand(
    engine: Engine,
    at: datetime,
    bcus: Iterable[str],
    rate_per_s: Callable[[datetime], float],
    share: Mapping[str, float],
    weeks: int = WEEKS,
) -> UsualDemand:
    at = _utc(at)
    codes = sorted(bcus)
    now = created_between(engine, shift(at, -HOUR), at)
    windows = same_hour_windows(at, weeks)
    first = first_created(engine)
    if first is not None and first <= windows[-1][0]:
        sums = dict.fromkeys(codes, 0)
        for start, end in windows:
            for bcu, n in created_between(engine, start, end).items():
                if bcu in sums:
                    sums[bcu] += n
        usual = {bcu: sums[bcu] / weeks for bcu in codes}
        return UsualDemand(at, "log", weeks, {b: now.get(b, 0) for b in codes}, usual)
    expected = calibrated(shift(at, -HOUR), at, rate_per_s, {b: share.get(b, 0.0) for b in codes})
    return UsualDemand(at, "calibration", 0, {b: now.get(b, 0) for b in codes}, expected)


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; the read model stores UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
