"""Units ranked for a waiting call: by ETA against the target and by what their going costs
the cover of the area they leave, with the reasons in words.

Cost (lower is better): a unit that arrives in time costs its ETA (a quarter of it for an
S-grade call, whose hour leaves room) plus ``COVER_WEIGHT_S`` per expected I-grade call an
hour that would no longer be reached in time; one that cannot arrive in time ranks after
every one that can, quickest first. Only the 20 quickest units are scored: a bound on the
work per call that the simulator, which asks for every dispatch, needs (a slower unit wins
only where it saves more cover than 20 nearer ones, which the evaluation can test).
An I-grade call may also take a ``busy`` unit, which breaks off its work
(stream.recommend.situation.may_send: the simulator's rule too), scored like the rest with
no cover cost, as it covers nothing while busy; an S-grade call takes one only when no free
unit worth the drive arrives in time (the report waits, the call would not). An I-grade call
that no such unit reaches in time may take a unit on its way to a lower-grade call (a
diversion) that does reach it in time, at a cost of ``DIVERT_COST_S``: that call waits
again. An S-grade call's unit more than ``S_REACH_S`` away (at road pace) ranks after every
nearer one, and is not worth sending until the call has waited ``S_LONGEST_WAIT_S``
(:func:`worth_the_drive`): when units are short, a nearer one usually comes free first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from geodata.travel import TravelTimeModel
from stream.payloads import Grade, UnitStatus
from stream.recommend.cover import BoolArray, Cover, FloatArray
from stream.recommend.situation import Call, Resource, Situation, pace

#: One expected I-grade call an hour left out of reach weighs as much as 10 minutes of ETA
#: (assumption; the evaluation in docs/decision-support.md is what judges it).
COVER_WEIGHT_S = 600.0
DIVERT_COST_S = 300.0
#: Leaving a caller already met weighs more than passing one not yet reached (assumption).
LEAVE_SCENE_COST_S = 600.0
S_ETA_WEIGHT = 0.25
LATE = 1e9  # ranks every late arrival after every timely one
FAR = 1e10  # ranks a unit too far for an S-grade call after every nearer one, late or not
#: An S-grade call is not worth a drive of more than 20 minutes at road pace until it has
#: waited two hours (its target twice over): when units are short, a unit nearer it usually
#: comes free first, and the fleet's hours go on calls rather than on crossing London
#: (tuned on the simulator: docs/decision-support.md, "Queue order").
S_REACH_S = 1200.0
S_LONGEST_WAIT_S = 7200.0
SHORTLIST = 3
QUICKEST = 20  # the units scored for a call: the 20 quickest there
Eligible = Callable[[Resource, Call], bool]


@dataclass(frozen=True)
class Suggestion:
    unit_id: str
    callsign: str
    unit_type: str
    bcu: str
    eta_s: int
    margin_s: int  # target minus arrival: negative, late by that much
    cover_cost: float  # expected I-grade calls an hour no longer reached in time
    cover_before: float  # the share of the unit's BCU's demand covered, now
    cover_after: float  # and once it has gone
    diverted_from: str | None
    reasons: tuple[str, ...]
    cost: float

    def to_dict(self) -> dict[str, Any]:
        # Its fields, in order; not ``asdict``, whose deep copy of each was a tenth of the
        # advice's time at 2,000 waiting calls (its fields are plain values).
        data = dict(self.__dict__)
        data["reasons"] = list(self.reasons)
        data["cover_cost"] = round(self.cover_cost, 3)
        data["cover_before"] = round(self.cover_before, 3)
        data["cover_after"] = round(self.cover_after, 3)
        data["cost"] = round(self.cost, 1)
        return data


def everyone(resource: Resource, call: Call) -> bool:
    return True


def worth_the_drive(grade: str, eta_s: float, waited_s: float) -> bool:
    """Whether a unit ``eta_s`` away is worth sending to a call of ``grade`` that has
    waited ``waited_s``: always for an I-grade call; for an S-grade call, when it is within
    ``S_REACH_S`` or the call has waited ``S_LONGEST_WAIT_S``."""
    return grade != "S" or eta_s <= S_REACH_S or waited_s >= S_LONGEST_WAIT_S


def busy_offered(grade: str, free_will_do: bool) -> bool:
    """Whether units breaking off their work (busy: stream.sending) are offered for a call
    of ``grade`` beside the free ones: for an I-grade call always; for an S-grade call only
    when no free unit will do (in time, and worth the drive), and then only
    ``busy_in_time_only``. The ranking and the breach outlook both ask this."""
    return grade == "I" or not free_will_do


def busy_in_time_only(grade: str) -> bool:
    """Whether only busy units that arrive in time are offered for a call of ``grade``: a
    report is left to save an S-grade call, not for one already late."""
    return grade != "I"


def beyond_reach(grade: str, etas: FloatArray, waited_s: float) -> BoolArray:
    """``not worth_the_drive`` for each of ``etas`` at once (one call, many units)."""
    if grade != "S" or waited_s >= S_LONGEST_WAIT_S:
        return np.zeros(len(etas), dtype=bool)
    return np.asarray(etas > S_REACH_S, dtype=bool)


@dataclass(frozen=True)
class Ranker:
    """Ranks units for calls in one situation: the cover and reach are computed once."""

    situation: Situation
    travel: TravelTimeModel
    cover: Cover
    rows: BoolArray  # reach of ``available``, row per unit
    available: tuple[Resource, ...]
    eligible: Eligible = everyone

    def rank(
        self, call: Call, limit: int = SHORTLIST, taken: frozenset[str] = frozenset()
    ) -> list[Suggestion]:
        """The best ``limit`` units for ``call`` (none of ``taken``), best first."""
        pool = self._choosable(self.available, call, taken)
        found = [] if call.grade == "I" else self._timely(call, pool, [], limit)
        if busy_offered(call.grade, bool(found) and found[0].cost < LATE):
            found = self._timely(call, pool, self._busy_offered(call, taken), limit)
        if call.grade == "I" and not any(s.margin_s >= 0 for s in found):
            found += self._diversions(call, taken)
        return sorted(found, key=lambda s: (s.cost, s.eta_s, s.unit_id))[:limit]

    def _eta(self, call: Call, units: Sequence[Resource]) -> FloatArray:
        if not units:
            return np.zeros(0, dtype=np.float64)
        seconds = self.travel.seconds_matrix(
            [u.lat for u in units],
            [u.lon for u in units],
            [call.lat],
            [call.lon],
            np.array([u.unit_type for u in units]),
            self.situation.now,
        )[:, 0]
        seconds = seconds * pace(call.grade)
        return np.asarray(seconds + [u.start_s for u in units], dtype=np.float64)

    @cached_property
    def _waiting_etas(self) -> dict[str, FloatArray]:
        """Every available unit's ETA to every waiting call: one matrix for them all."""
        return self._matrix(self.available)

    @cached_property
    def _not_free_etas(self) -> dict[str, FloatArray]:
        """Every unit not free now (busy, or committed to a call) to every waiting call: the
        ones that may break off or be diverted are asked for call by call, three times a
        cycle, which at 2,000 calls cost seconds as one small matrix each."""
        return self._matrix(self._not_free)

    @cached_property
    def _not_free_index(self) -> dict[str, int]:
        return {r.unit_id: i for i, r in enumerate(self._not_free)}

    def _matrix(self, units: Sequence[Resource]) -> dict[str, FloatArray]:
        """Each of ``units``' ETA (starts included) to each waiting call, by call."""
        calls = self.situation.calls
        if not calls or not units:
            return {c.incident_id: np.zeros(len(units), dtype=np.float64) for c in calls}
        seconds = self.travel.seconds_matrix(
            [u.lat for u in units],
            [u.lon for u in units],
            [c.lat for c in calls],
            [c.lon for c in calls],
            np.array([u.unit_type for u in units]),
            self.situation.now,
        ) * np.array([pace(c.grade) for c in calls], dtype=np.float64)
        seconds = seconds + np.array([[u.start_s] for u in units], dtype=np.float64)
        return {c.incident_id: seconds[:, j] for j, c in enumerate(calls)}

    def etas(self, call: Call) -> FloatArray:
        """Seconds for each available unit (in order) to reach ``call``, once sent."""
        found = self._waiting_etas.get(call.incident_id)
        return self._eta(call, self.available) if found is None else found

    def breaking_off(self, call: Call, taken: frozenset[str] = frozenset()) -> list[Resource]:
        """Units not free now that may leave their work for ``call`` (busy ones, for an I- or
        S-grade call: stream.sending), none of ``taken``."""
        return self._breaking_off(call, taken)

    def eta_of(self, call: Call, units: Sequence[Resource]) -> FloatArray:
        """Seconds for each of ``units`` to reach ``call`` once sent (starts included):
        looked up for units not free and a waiting call, else worked out."""
        found = self._not_free_etas.get(call.incident_id) if units else None
        if found is None:
            return self._eta(call, units)
        index = self._not_free_index
        rows = np.fromiter((index.get(u.unit_id, -1) for u in units), np.intp, len(units))
        return self._eta(call, units) if (rows < 0).any() else found[rows]

    @cached_property
    def losses(self) -> FloatArray:
        """What each available unit's going costs the cover: the same for every call."""
        return self.cover.loss(self.rows)

    @cached_property
    def _not_free(self) -> list[Resource]:
        """The units not free now, found once: every waiting call asks which of them may
        break off for it, three times a cycle (2,000 calls × 3,000 units otherwise)."""
        return [r for r in self.situation.resources if not r.dispatchable]

    @cached_property
    def _divertable(self) -> list[Resource]:
        return [r for r in self.situation.resources if r.divertable]

    @cached_property
    def _not_free_sendable(self) -> dict[str, list[Resource]]:
        """By grade, the units not free now that may be sent to a call of it."""
        return {g.value: [r for r in self._not_free if r.sendable(g.value)] for g in Grade}

    def _breaking_off(self, call: Call, taken: frozenset[str]) -> list[Resource]:
        """Units that may leave their work for this call (busy ones, for an I- or S-grade
        call)."""
        units = self._not_free_sendable.get(call.grade)
        if units is None:
            units = [r for r in self._not_free if r.sendable(call.grade)]
        return [units[i] for i in self._choosable(units, call, taken)]

    def _choosable(self, units: Sequence[Resource], call: Call, taken: frozenset[str]) -> list[int]:
        """The indices of ``units`` that ``call`` may have, none of ``taken``: all of them
        with no one taken and everyone eligible, the common case, without asking each."""
        if not taken and self.eligible is everyone:
            return list(range(len(units)))
        return [i for i, r in enumerate(units) if r.unit_id not in taken and self.eligible(r, call)]

    def _busy_offered(self, call: Call, taken: frozenset[str]) -> list[Resource]:
        """The units breaking off their work offered for ``call``: all of them, or for an
        S-grade call those that arrive in time (``busy_in_time_only``)."""
        busy = self._breaking_off(call, taken)
        if not busy or not busy_in_time_only(call.grade):
            return busy
        left = (call.target_at - self.situation.now).total_seconds()
        in_time = self.eta_of(call, busy) <= left
        return [r for r, ok in zip(busy, in_time, strict=True) if ok]

    def _timely(
        self, call: Call, pool: list[int], breaking: list[Resource], limit: int
    ) -> list[Suggestion]:
        """The ``limit`` cheapest of ``pool`` (indices into ``available``) and ``breaking``
        (units that break off their work: their going costs no cover, since a busy unit
        covers nothing now): costs are vectors; words only for those."""
        n = len(pool)
        if not n + len(breaking):
            return []
        rows_of = np.asarray(pool, dtype=np.intp)
        etas = np.concatenate([self.etas(call)[rows_of], self.eta_of(call, breaking)])
        losses = np.concatenate([self.losses[rows_of], np.zeros(len(breaking))])
        # Only the quickest are costed: the units are looked up for those alone.
        keep = range(len(etas))
        if len(etas) > QUICKEST:
            keep = np.argpartition(etas, QUICKEST)[:QUICKEST].tolist()
            etas, losses = etas[keep], losses[keep]
        rows = [pool[k] if k < n else -1 for k in keep]
        units = [self.available[pool[k]] if k < n else breaking[k - n] for k in keep]
        left = (call.target_at - self.situation.now).total_seconds()
        weight = 1.0 if call.grade == "I" else S_ETA_WEIGHT
        costs = np.where(etas <= left, weight * etas + COVER_WEIGHT_S * losses, LATE + etas)
        waited = (self.situation.now - call.created_at).total_seconds()
        far = beyond_reach(call.grade, etas, waited)
        costs = np.where(far, FAR + etas, costs)
        # Ties go to the lower unit id, as ``rank`` sorts: whatever the limit, the same best.
        order = np.lexsort((np.array([u.unit_id for u in units]), etas, costs))[:limit]
        return [
            self._suggest(call, units[k], rows[k], (float(etas[k]), left, float(costs[k])), far[k])
            for k in order
        ]

    def _suggest(
        self, call: Call, unit: Resource, row: int, times: tuple[float, float, float], far: bool
    ) -> Suggestion:
        """``row``: the unit's index in ``available``, -1 for one breaking off (no cover);
        ``times``: its ETA, the seconds left to the target and its cost; ``far``: beyond the
        reach worth driving for this call."""
        eta, left, cost = times
        before = self.cover.share(unit.bcu)
        after = before
        if row >= 0:
            after = self.cover.share(unit.bcu, self.cover.counts - self.rows[row].astype(np.int64))
        margin = left - eta
        reasons = _reasons(call, unit, eta, margin, before, after)
        if far:
            reasons += (
                f"over {in_minutes(S_REACH_S)} away at road pace: a nearer unit usually comes "
                "free first",
            )
        return Suggestion(
            unit.unit_id,
            unit.callsign,
            unit.unit_type,
            unit.bcu,
            round(eta),
            round(margin),
            float(self.losses[row]) if row >= 0 else 0.0,
            before,
            after,
            None,
            reasons,
            cost,
        )

    def _diversions(self, call: Call, taken: frozenset[str]) -> list[Suggestion]:
        units = [r for r in self._divertable if r.unit_id not in taken and self.eligible(r, call)]
        if not units:
            return []
        left = (call.target_at - self.situation.now).total_seconds()
        found = []
        for unit, eta in zip(units, self.eta_of(call, units), strict=True):
            margin = left - float(eta)
            if margin < 0:  # late anyway: the call it leaves would wait for nothing
                continue
            share = self.cover.share(unit.bcu)
            on_scene = unit.status == UnitStatus.ON_SCENE.value
            diverted = (
                f"leaves the {unit.incident_grade}-grade call it is at, which waits for "
                "another unit"
                if on_scene
                else f"diverted from the {unit.incident_grade}-grade call it is driving to, "
                "which waits again"
            )
            reasons = (*_reasons(call, unit, float(eta), margin, share, share), diverted)
            cost = float(eta) + (LEAVE_SCENE_COST_S if on_scene else DIVERT_COST_S)
            found.append(
                Suggestion(
                    unit.unit_id,
                    unit.callsign,
                    unit.unit_type,
                    unit.bcu,
                    round(float(eta)),
                    round(margin),
                    0.0,
                    share,
                    share,
                    unit.incident_id,
                    reasons,
                    cost,
                )
            )
        return found


def in_minutes(seconds: float) -> str:
    minutes = max(0, round(seconds / 60))
    return "under a minute" if seconds < 30 else f"{minutes} min"


def _reasons(
    call: Call, unit: Resource, eta: float, margin: float, before: float, after: float
) -> tuple[str, ...]:
    reasons = []
    if margin >= 0:
        reasons.append(f"{in_minutes(eta)} away, {in_minutes(margin)} inside the target")
    else:
        reasons.append(f"{in_minutes(eta)} away: {in_minutes(-margin)} after the target")
    if unit.status == UnitStatus.BUSY.value:
        why = "this emergency" if call.grade == "I" else "this call: no free unit is in time"
        reasons.append(
            f"busy (a report or an enquiry): breaks off for {why}, "
            f"{in_minutes(unit.start_s)} to get going"
        )
    elif unit.status == UnitStatus.AT_STATION.value:
        reasons.append(f"at the station: {in_minutes(unit.start_s)} to get going")
    if unit.bcu != call.bcu:
        reasons.append(f"comes from {unit.bcu}, outside {call.bcu}")
    if after < before - 0.005:
        reasons.append(f"{unit.bcu}'s I-grade cover falls from {before:.0%} to {after:.0%}")
    else:
        reasons.append(f"{unit.bcu}'s I-grade cover stays at {before:.0%}")
    return tuple(reasons)
