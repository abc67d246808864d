"""The London-wide figures of the KPI strip, read off the live picture in event time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stream.clock import shift
from stream.events import TARGET_SECONDS, Grade
from stream.picture.model import iso_time
from stream.picture.state import PictureState

#: The window of the I-grade compliance KPI (event time).
KPI_WINDOW = timedelta(hours=1)
_I_TARGET = timedelta(seconds=TARGET_SECONDS[Grade.IMMEDIATE])


def kpi_strip(picture: PictureState) -> dict[str, Any]:
    """London-wide figures for the KPI strip, all in event time (``now``), JSON-able."""
    counts = picture.bcu_counts()
    return {
        "seq": picture.seq,
        "as_of": iso_time(picture.now),
        "open_i": sum(c.open_by_grade[Grade.IMMEDIATE] for c in counts.values()),
        "open_s": sum(c.open_by_grade[Grade.SIGNIFICANT] for c in counts.values()),
        "awaiting_unit": sum(c.awaiting_unit for c in counts.values()),
        "available_units": sum(c.available for c in counts.values()),
        "on_duty_units": sum(c.capacity for c in counts.values()),
        "i_within_target_last_hour": i_compliance_last_hour(picture),
        "bcus": {b: c.to_dict() for b, c in counts.items()},
    }


def i_compliance_last_hour(picture: PictureState) -> float | None:
    """Share of I-grade incidents whose 15-minute target fell due in the last hour of
    event time that had a unit there in time (None when no target fell due).

    Counting by due time, not creation, means every incident counted has a known
    result: attended in time, or breached."""
    if picture.now is None:
        return None
    # target_at = created_at + 15 min in (now - 1 h, now]  <=>  created_at in (lo, hi]
    hi = shift(picture.now, -_I_TARGET)
    lo = shift(hi, -KPI_WINDOW)
    due = on_time = 0
    for i in picture.immediate_incidents():
        if lo < i.created_at <= hi:
            due += 1
            if i.arrived_at is not None and i.arrived_at - i.created_at <= _I_TARGET:
                on_time += 1
    return round(on_time / due, 4) if due else None
