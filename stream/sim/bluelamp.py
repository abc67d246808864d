"""``--policy bluelamp``: the recommender (stream.recommend) as a simulator policy, so the
evaluation measures the advice the screens give: the same ranking (ETA against the target
and the I-grade cover a unit's going costs, an S-grade call's reach), the queue served as
docs/decision-support.md ("Queue order") says, and the same move-ups, asked for every 10
minutes (stream.sim.engine) within a cap per hour. The engine offers the units it may send
(free ones, and busy ones for an I- or S-grade call: stream.recommend.situation.may_send,
the rule the screens' advice follows too) and, for an I-grade call, the units on their way to a
lower-grade call: when the ranking's best is one of those (a diversion), the engine
diverts it.

The simulator's units are seen as the live picture would see them (a ``Situation``); what
differs is only how often the cover is recomputed (once a simulated minute) and how the
reach rows are found: cached by where a unit stands, the ones not cached yet computed
together in one matrix, so a unit standing still costs nothing from one decision to the
next. A unit's position is worked out once per decision (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import numpy as np

from geodata.london import London
from geodata.travel import TravelTimeModel
from stream.payloads import TARGET_SECONDS, Grade
from stream.recommend.assign import QUICKEST, Ranker, Suggestion, worth_the_drive
from stream.recommend.backup import running_late, worth_a_backup
from stream.recommend.cover import BoolArray, Cover, reach
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import move_ups
from stream.recommend.situation import (
    BREAKS_OFF_FOR,
    Call,
    Journey,
    Resource,
    Situation,
    pace,
)
from stream.sim.dispatch import PRIORITY, Job, attending, eligible
from stream.sim.fleet import DISPATCHABLE, SimUnit, State
from stream.sim.prior import calibrated_prior

MOVES_PER_HOUR = 12  # London-wide (assumption: about one per BCU an hour)
COVER_EVERY_S = 60.0
MAX_ROWS = 200_000  # reach rows cached (~330 bytes each) before the cache starts again
SHORT_POOL = 8  # below this, one-journey ETAs cost less than one vectorised call
#: A reach row's cache key: position rounded to ~100 m, unit type, state, hour.
RowKey = tuple[float, float, str, State, int]
_STATUS = {State.BUSY: "busy", State.AT_STATION: "at_station", State.AVAILABLE: "available"}


@dataclass
class BluelampPolicy:
    travel: TravelTimeModel
    name: str = "bluelamp"
    diverts: bool = True  # the engine offers units en route to lower-grade calls (I-grade)
    breaks_off_for: ClassVar[frozenset[str]] = BREAKS_OFF_FOR  # the rules' whole allowance
    units: Sequence[SimUnit] = ()
    grid: CoverGrid | None = None
    prior: Prior | None = None
    moves_made: list[float] = field(default_factory=list)  # when each move-up was made
    _rows: dict[RowKey, BoolArray] = field(default_factory=dict, repr=False)
    # unit id -> the position tuple, state and hour its row was last found for, and the row
    _seen: dict[str, tuple[tuple[float, float], State, int, BoolArray]] = field(
        default_factory=dict, repr=False
    )
    _none: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_), repr=False)
    _demand: tuple[int, np.ndarray] | None = None
    _cover_at: tuple[float, Cover] | None = None

    def attach(self, units: Sequence[SimUnit], london: London) -> None:
        """The simulation's units and London, once, before the first decision."""
        self.units = units
        self.grid = CoverGrid.of(london)
        self.prior = calibrated_prior(london, self.grid)
        self._none = np.zeros(len(self.grid), dtype=np.bool_)  # the row of a unit not free

    # -- the two questions every policy answers ------------------------------------------

    def choose_unit(
        self, job: Job, available: Sequence[SimUnit], t: float, when: datetime
    ) -> SimUnit | None:
        pool = self._eligible(job, available)
        if not pool:
            return None
        call = self._call(job)
        if call is None:  # E and R: no target to rank against, the nearest goes
            return self._nearest(pool, job, t, when)
        found = self._best(call, pool, t, when)
        if found is None or not worth_the_drive(job.grade, found[0].eta_s, t - job.created):
            return None  # an S-grade call: a nearer unit usually comes free first
        return found[1]

    def _eligible(self, job: Job, available: Sequence[SimUnit]) -> list[SimUnit]:
        types = attending(job)
        return [u for u in available if u.unit_type in types]  # eligible(u, job), inlined

    def _call(self, job: Job) -> Call | None:
        """The job as the recommender sees a call (None for E and R: no target)."""
        target = TARGET_SECONDS.get(Grade(job.grade))
        if target is None:
            return None
        created = datetime.fromtimestamp(job.created, UTC)
        return Call(
            job.incident_id,
            None,
            job.grade,
            job.category,
            job.lat,
            job.lon,
            job.bcu,
            created,
            created + timedelta(seconds=target),
        )

    def _best(
        self, call: Call, pool: list[SimUnit], t: float, when: datetime
    ) -> tuple[Suggestion, SimUnit] | None:
        """The ranking's best for ``call`` of ``pool``, and the unit it names."""
        # Committed to another call (on its way, or on scene at an E-grade one): a diversion.
        en_route = [u for u in pool if u.incident_id is not None] if call.grade == "I" else []
        if en_route:
            pool = [u for u in pool if u.incident_id is None]
        ranker, scored = self._ranker(pool, t, when, (call,))
        best = ranker.rank(call, limit=1)
        # The ranking looks at diversions only when no unit it may send is in time (rank's
        # own test): only then are the units en route worth placing in the situation.
        if en_route and (not best or best[0].margin_s < 0):
            ranker, scored = self._ranker(pool, t, when, (call,), en_route)
            best = ranker.rank(call, limit=1)
        if not best:
            return None
        return best[0], next(u for u in scored if u.unit_id == best[0].unit_id)

    def backup(
        self,
        job: Job,
        driving: Sequence[SimUnit],
        choosable: Callable[[str], list[SimUnit]],
        t: float,
        when: datetime,
    ) -> SimUnit | None:
        """A unit to send beside ``driving`` (on their way to ``job``), when by their
        progress every one will be late and the ranking's best for the call (from
        ``choosable(grade)``, as for a call waiting) arrives in time, clearly before them
        (stream.recommend.backup, as the screens advise)."""
        call = self._call(job)
        if call is None:
            return None
        journeys = [
            (
                _resource(u, u.position(t)),
                Journey(*u.sent_from, datetime.fromtimestamp(u.sent_at, UTC), u.sent_start_s),
            )
            for u in driving
        ]
        late = running_late(journeys, call, self.travel, when)
        if late is None:
            return None
        taken = {u.unit_id for u in driving}
        pool = [u for u in self._eligible(job, choosable(job.grade)) if u.unit_id not in taken]
        found = self._best(call, pool, t, when) if pool else None
        if found is None or not worth_a_backup(late, found[0].eta_s, found[0].margin_s):
            return None
        return found[1]

    def choose_job(self, unit: SimUnit, waiting: Sequence[Job], t: float) -> Job | None:
        """The most urgent grade first. Within I, the call nearest its breach (time to target
        less this unit's drive), not the oldest. Within S, of the calls worth this unit's
        drive (stream.recommend.assign.worth_the_drive), the nearest it can still reach in
        time, then (none can be) the nearest: when units are short, a unit spent on a call
        already past its target, or on a long drive, is one fewer for the calls that can
        still be saved (docs/decision-support.md, "Queue order"). Within E and R, the
        oldest."""
        allowed = [job for job in waiting if eligible(unit, job)]
        if not allowed:
            return None
        grade = min(PRIORITY[job.grade] for job in allowed)
        jobs = [job for job in allowed if PRIORITY[job.grade] == grade]
        target = TARGET_SECONDS.get(Grade(jobs[0].grade))
        if target is None:
            return min(jobs, key=lambda job: job.ready)
        when = datetime.fromtimestamp(t, UTC)
        drives = {job.incident_id: self._seconds(unit, job, t, when) for job in jobs}
        jobs = [
            job
            for job in jobs
            if worth_the_drive(job.grade, drives[job.incident_id], t - job.created)
        ]
        if not jobs:
            return None

        def slack(job: Job) -> float:
            return job.created + target - t - drives[job.incident_id]

        if jobs[0].grade == Grade.IMMEDIATE:
            return min(jobs, key=slack)
        return min(jobs, key=lambda job: (slack(job) < 0, drives[job.incident_id]))

    # -- move-ups -------------------------------------------------------------------------

    def relocations(self, t: float, when: datetime) -> list[tuple[SimUnit, tuple[float, float]]]:
        """The move-ups to make now, within ``MOVES_PER_HOUR`` over the last hour."""
        recent = [m for m in self.moves_made if m > t - 3600]
        room = MOVES_PER_HOUR - len(recent)
        free = [
            u for u in self.units if u.state is State.AVAILABLE and not u.ending and not u.moving(t)
        ]
        if room <= 0 or not free:
            return []
        ranker, _ = self._ranker(free, t, when, ())
        moves = move_ups(
            ranker.situation, self.travel, ranker.cover, ranker.rows, ranker.available, min(room, 3)
        )
        by_id = {u.unit_id: u for u in free}
        self.moves_made = [*recent, *([t] * len(moves))]
        return [(by_id[m.unit_id], (m.lat, m.lon)) for m in moves]

    # -- the recommender's view of the simulation ------------------------------------------

    def _ranker(
        self,
        pool: Sequence[SimUnit],
        t: float,
        when: datetime,
        calls: tuple[Call, ...],
        en_route: Sequence[SimUnit] = (),
    ) -> tuple[Ranker, Sequence[SimUnit]]:
        """The recommender's ranking over ``pool``: for a call, its 20 quickest units (as the
        recommender scores them: stream.recommend.assign.QUICKEST), scored on the cover,
        and every unit of ``en_route`` (the ranking may divert one); and the units it
        scores."""
        assert self.grid is not None, "attach() the simulation first"
        cover = self._cover(t, when)
        at = [u.position(t) for u in pool]  # once per unit and decision: ETAs, rows, words
        if calls and len(pool) > QUICKEST:
            seconds = self.travel.seconds_many(
                [p[0] for p in at],
                [p[1] for p in at],
                calls[0].lat,
                calls[0].lon,
                _types(pool),
                when,
            )
            keep = [int(i) for i in np.argpartition(seconds, QUICKEST)[:QUICKEST]]
            pool, at = [pool[i] for i in keep], [at[i] for i in keep]
        # As the live picture's: every candidate in the situation, the free ones available
        # (with their reach); the ranking takes a busy one for an I-grade call itself.
        candidates = tuple(_resource(u, p) for u, p in zip(pool, at, strict=True))
        free = [i for i, u in enumerate(pool) if u.state in DISPATCHABLE]
        rows = self._rows_of([pool[i] for i in free], [at[i] for i in free], when)
        available = tuple(candidates[i] for i in free)
        if en_route:
            candidates += tuple(_resource(u, u.position(t)) for u in en_route)
            pool = [*pool, *en_route]
        ranker = Ranker(Situation(when, candidates, calls), self.travel, cover, rows, available)
        return ranker, pool

    def _cover(self, t: float, when: datetime) -> Cover:
        """The cover the free units give, recomputed at most once a simulated minute (the
        server recomputes its own every 2 seconds: both lag the units a little)."""
        if self._cover_at is not None and t - self._cover_at[0] < COVER_EVERY_S:
            return self._cover_at[1]
        assert self.grid is not None
        on_duty = [u for u in self.units if u.state is not State.OFF]
        free = [u for u in on_duty if u.state in DISPATCHABLE]
        q = min(0.95, max(0.05, 1 - len(free) / len(on_duty))) if on_duty else 0.95
        rows = self._rows_of(free, [u.position(t) for u in free], when)
        counts = rows.sum(axis=0, dtype=np.int64)
        cover = Cover(self.grid, counts, self._rates(when), q)
        self._cover_at = (t, cover)
        return cover

    def _rows_of(
        self, units: Sequence[SimUnit], at: Sequence[tuple[float, float]], when: datetime
    ) -> BoolArray:
        """Row per unit: where it could reach in time from where it is (none for a unit that
        cannot be sent). Cached by position (to ~100 m), type, state and hour, since units
        mostly stand still between decisions; the first unit to ask fills an entry, and the
        rows not cached yet are computed in one matrix. A unit whose position is the very
        tuple it was last time (it has not moved), in the same state and hour, is looked up
        by its id: rounding its position again would find the same entry."""
        grid = self.grid
        assert grid is not None
        rows: list[BoolArray] = [self._none] * len(units)
        pending: dict[RowKey, list[int]] = {}
        hour, seen = when.hour, self._seen

        def fill() -> None:
            first = [indices[0] for indices in pending.values()]
            resources = [_resource(units[i], at[i]) for i in first]
            for (key, indices), row in zip(
                pending.items(), reach(grid, resources, self.travel, when), strict=True
            ):
                self._rows[key] = row
                for i in indices:
                    rows[i] = row
                    seen[units[i].unit_id] = (at[i], units[i].state, hour, row)
            pending.clear()

        for i, (unit, here) in enumerate(zip(units, at, strict=True)):
            state = unit.state
            if state not in DISPATCHABLE:
                continue
            last = seen.get(unit.unit_id)
            if last is not None and last[0] is here and last[1] is state and last[2] == hour:
                rows[i] = last[3]
                continue
            key = (round(here[0], 3), round(here[1], 3), unit.unit_type, state, hour)
            row = self._rows.get(key)
            if row is not None:
                rows[i] = row
                seen[unit.unit_id] = (here, state, hour, row)
            elif key in pending:
                pending[key].append(i)
            else:
                if len(self._rows) + len(pending) > MAX_ROWS:  # as if filled one by one
                    fill()
                    self._rows.clear()
                    seen.clear()
                pending[key] = [i]
        if pending:
            fill()
        if not rows:
            return np.zeros((0, len(grid)), dtype=np.bool_)
        return np.array(rows, dtype=np.bool_)

    def _rates(self, when: datetime) -> np.ndarray:
        hour = int(when.timestamp() // 3600)
        if self._demand is None or self._demand[0] != hour:
            assert self.prior is not None
            self._demand = (hour, self.prior.rates(when))
        return self._demand[1]

    def _seconds(self, unit: SimUnit, job: Job, t: float, when: datetime) -> float:
        lat, lon = unit.position(t)
        drive = self.travel.seconds(lat, lon, job.lat, job.lon, unit.unit_type, when)
        return drive * pace(job.grade)

    def _nearest(self, pool: Sequence[SimUnit], job: Job, t: float, when: datetime) -> SimUnit:
        """The unit with the fewest seconds to ``job`` (the first of equals), by the travel
        model's one-journey ``seconds``. Only the few the vectorised estimate puts within a
        hair of the quickest are timed one by one (the two differ in the last bits only)."""
        if len(pool) <= SHORT_POOL:
            return min(pool, key=lambda u: self._seconds(u, job, t, when))
        at = [u.position(t) for u in pool]
        estimate = self.travel.seconds_many(
            [p[0] for p in at],
            [p[1] for p in at],
            job.lat,
            job.lon,
            _types(pool),
            when,
        )
        near = estimate <= estimate.min() * (1 + 1e-9) + 1e-6
        if not near.any():  # no estimate to go by (a NaN position): time them all
            return min(pool, key=lambda u: self._seconds(u, job, t, when))
        return min(
            (u for u, close in zip(pool, near, strict=True) if close),
            key=lambda u: self._seconds(u, job, t, when),
        )


def _types(units: Sequence[SimUnit]) -> np.ndarray | str:
    """The units' types for the travel model: one name when they share it (most calls take
    IRVs only), which spares it sorting the names; the seconds are the same."""
    kinds = [u.unit_type for u in units]
    return kinds[0] if len(set(kinds)) == 1 else np.array(kinds)


def _resource(unit: SimUnit, at: tuple[float, float]) -> Resource:
    """The unit as the recommender sees it, at ``at`` (where it is now)."""
    return Resource(
        unit.unit_id,
        unit.callsign,
        unit.unit_type,
        unit.bcu,
        at[0],
        at[1],
        _STATUS.get(unit.state, unit.state.value),
        unit.incident_id,
        unit.incident_grade,
    )
