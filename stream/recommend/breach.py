"""Breach prediction: for each waiting call, the best ETA it can still get and how long a
unit can wait before it is too late; for each BCU, the expected breaches in the next 30
minutes, from the calls waiting now and the I-grade calls the forecast expects.

Waiting calls are served in order of time to breach, each by the quickest unit the calls
before it have not taken (greedy, as a controller short of units would; a busy unit breaks
off for an I-grade call, or for an S-grade one no free unit reaches in time, as the ranking
lets it): a call that still cannot be reached in
time counts as one breach if its target falls in the horizon. A new
I-grade call in the first (horizon - target) of the window breaches within it when no unit
is free to reach it: demand × q^k at each point (the MEXCLP chance that none is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from stream.payloads import TARGET_SECONDS, Grade
from stream.recommend.assign import Ranker, busy_in_time_only, busy_offered
from stream.recommend.cover import FloatArray
from stream.recommend.situation import Call

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


def outlooks(ranker: Ranker) -> list[Outlook]:
    """Each waiting call's outlook, in order of time to breach (the queue to serve): the
    quickest unit the ranking may offer (:func:`quickest`)."""
    now, result = ranker.situation.now, []
    for call in ranker.situation.calls:
        left = round((call.target_at - now).total_seconds())
        busy = ranker.eta_of(call, ranker.breaking_off(call))
        seconds, _ = quickest(call, ranker.etas(call), busy, left)
        best = None if seconds == np.inf else round(seconds)
        send_within = None if best is None else left - best
        result.append(Outlook(call.incident_id, call.grade, call.bcu, left, best, send_within))
    return sorted(
        result, key=lambda o: (o.send_within_s is None, o.send_within_s or 0, o.seconds_left)
    )


def quickest(call: Call, free: FloatArray, busy: FloatArray, left: float) -> tuple[float, bool]:
    """The ETA of the unit the ranking would offer ``call`` going by speed alone, of ``free``
    units' and ``busy`` ones' (breaking off) ETAs, ``left`` seconds before its target; and
    whether it is a free one (inf: none). The ranking's rule (``busy_offered``), by ETA
    alone: an I-grade call takes the quickest of either; an S-grade call takes a busy unit
    only when it is in time and no free one is."""
    fastest_free = float(free.min(initial=np.inf))
    fastest_busy = float(busy.min(initial=np.inf))
    late_busy = busy_in_time_only(call.grade) and fastest_busy > left
    if not busy_offered(call.grade, fastest_free <= left) or late_busy:
        return fastest_free, True
    return (fastest_free, True) if fastest_free <= fastest_busy else (fastest_busy, False)


def expected_breaches(ranker: Ranker) -> dict[str, float]:
    """Per BCU, the breaches expected in the next 30 minutes."""
    situation, cover = ranker.situation, ranker.cover
    expected = dict.fromkeys(cover.grid.codes, 0.0)
    free = np.ones(len(ranker.available), dtype=np.bool_)
    counts = cover.counts.copy()
    horizon_end = situation.now + HORIZON
    calls = {c.incident_id: c for c in situation.calls}
    broken_off: set[str] = set()  # busy units already breaking off for a call before
    for outlook in outlooks(ranker):
        call = calls[outlook.incident_id]
        etas = np.where(free, ranker.etas(call), np.inf)
        busy = [r for r in ranker.breaking_off(call) if r.unit_id not in broken_off]
        busy_etas = ranker.eta_of(call, busy)
        left = (call.target_at - situation.now).total_seconds()
        seconds, is_free = quickest(call, etas, busy_etas, left)
        if seconds <= left and is_free:
            taken = int(np.argmin(etas))
            free[taken] = False
            counts = counts - ranker.rows[taken].astype(np.int64)
        elif seconds <= left:  # a busy unit: it covers nothing now, so the cover is as it was
            broken_off.add(busy[int(np.argmin(busy_etas))].unit_id)
        elif situation.now <= call.target_at <= horizon_end:
            expected[call.bcu] = expected.get(call.bcu, 0.0) + 1.0
    window_h = max(0.0, (HORIZON.total_seconds() - TARGET_SECONDS[Grade.IMMEDIATE]) / 3600)
    unreached = cover.demand * np.power(cover.q, counts) * window_h
    for bcu in cover.grid.codes:
        expected[bcu] += float(unreached[cover.grid.bcu_array == bcu].sum())
    return {bcu: round(value, 2) for bcu, value in expected.items()}
