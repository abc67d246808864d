"""Breach prediction: for each waiting call, the best ETA it can still get and how long a
unit can wait before it is too late; for each BCU, the expected breaches in the next 30
minutes, from the calls waiting now and the I-grade calls the forecast expects.

Waiting calls are served in order of time to breach, each by the quickest unit the calls
before it have not taken (greedy, as a controller short of units would): a call that still
cannot be reached in time counts as one breach if its target falls in the horizon. A new
I-grade call in the first (horizon - target) of the window breaches within it when no unit
is free to reach it: demand × q^k at each point (the MEXCLP chance that none is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from geodata.travel import TravelTimeModel
from stream.payloads import TARGET_SECONDS, Grade
from stream.recommend.cover import BoolArray, Cover
from stream.recommend.situation import Call, Resource, Situation

HORIZON = timedelta(minutes=30)


@dataclass(frozen=True)
class Outlook:
    incident_id: str
    grade: str
    bcu: str
    seconds_left: int  # until the target
    best_eta_s: int | None  # the quickest unit free now (None: none)
    send_within_s: int | None  # seconds_left - best ETA: negative, it will breach

    @property
    def breaching(self) -> bool:
        return self.send_within_s is None or self.send_within_s < 0

    def words(self) -> str:
        if self.best_eta_s is None:
            return "no unit free to send"
        if self.send_within_s is not None and self.send_within_s < 0:
            return (
                f"will breach: the quickest unit arrives {round(-self.send_within_s / 60)} min late"
            )
        return f"breaches unless a unit is sent within {(self.send_within_s or 0) // 60} min"

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "grade": self.grade,
            "bcu": self.bcu,
            "seconds_left": self.seconds_left,
            "best_eta_s": self.best_eta_s,
            "send_within_s": self.send_within_s,
            "breaching": self.breaching,
            "words": self.words(),
        }


def _etas(
    situation: Situation, travel: TravelTimeModel, call: Call, units: list[Resource]
) -> np.ndarray:
    if not units:
        return np.zeros(0)
    seconds = travel.seconds_many(
        np.array([u.lat for u in units]),
        np.array([u.lon for u in units]),
        call.lat,
        call.lon,
        np.array([u.unit_type for u in units]),
        situation.now,
    )
    return np.asarray(seconds + np.array([u.start_s for u in units]), dtype=np.float64)


def outlooks(
    situation: Situation, travel: TravelTimeModel, available: tuple[Resource, ...]
) -> list[Outlook]:
    """Each waiting call's outlook, in order of time to breach (the queue to serve)."""
    result = []
    for call in situation.calls:
        etas = _etas(situation, travel, call, list(available))
        left = round((call.target_at - situation.now).total_seconds())
        best = round(float(etas.min())) if len(etas) else None
        result.append(
            Outlook(
                call.incident_id,
                call.grade,
                call.bcu,
                left,
                best,
                None if best is None else left - best,
            )
        )
    return sorted(
        result, key=lambda o: (o.send_within_s is None, o.send_within_s or 0, o.seconds_left)
    )


def expected_breaches(
    situation: Situation,
    travel: TravelTimeModel,
    cover: Cover,
    rows: BoolArray,
    available: tuple[Resource, ...],
) -> dict[str, float]:
    """Per BCU, the breaches expected in the next 30 minutes."""
    expected = dict.fromkeys(cover.grid.codes, 0.0)
    free = list(range(len(available)))
    counts = cover.counts.copy()
    horizon_end = situation.now + HORIZON
    for outlook in outlooks(situation, travel, available):
        call = next(c for c in situation.calls if c.incident_id == outlook.incident_id)
        units = [available[i] for i in free]
        etas = _etas(situation, travel, call, units)
        left = (call.target_at - situation.now).total_seconds()
        if len(etas) and etas.min() <= left:
            taken = free.pop(int(np.argmin(etas)))
            counts = counts - rows[taken].astype(np.int64)
        elif situation.now <= call.target_at <= horizon_end:
            expected[call.bcu] = expected.get(call.bcu, 0.0) + 1.0
    window_h = max(0.0, (HORIZON.total_seconds() - TARGET_SECONDS[Grade.IMMEDIATE]) / 3600)
    unreached = cover.demand * np.power(cover.q, counts) * window_h
    for bcu in cover.grid.codes:
        expected[bcu] += float(unreached[cover.grid.bcu_array == bcu].sum())
    return {bcu: round(value, 2) for bcu, value in expected.items()}
