"""``--policy bluelamp``: the recommender (stream.recommend) as a simulator policy, so the
evaluation measures the advice the screens give: the same ranking (ETA against the target
and the I-grade cover a unit's going costs, diversions aside), the same queue order (time to
breach), and the same move-ups, asked for every 10 minutes (stream.sim.engine) within a cap
per hour. Diversions are not simulated: the engine offers only units it may send (free
ones, and busy ones for an I-grade call: stream.recommend.situation.may_send, the rule the
screens' advice follows too).

The simulator's units are seen as the live picture would see them (a ``Situation``); what
differs is only how often the cover is recomputed: a reach row per unit is cached by where
it stands, so a unit standing still costs nothing from one decision to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from geodata.london import London
from geodata.travel import TravelTimeModel
from stream.payloads import TARGET_SECONDS, Grade
from stream.recommend.assign import QUICKEST, Ranker
from stream.recommend.cover import BoolArray, Cover, reach
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import move_ups
from stream.recommend.situation import Call, Resource, Situation
from stream.sim.dispatch import PRIORITY, Job, eligible
from stream.sim.fleet import DISPATCHABLE, SimUnit, State
from stream.sim.prior import calibrated_prior

MOVES_PER_HOUR = 12  # London-wide (assumption: about one per BCU an hour)
COVER_EVERY_S = 60.0
_STATUS = {State.BUSY: "busy", State.AT_STATION: "at_station", State.AVAILABLE: "available"}


@dataclass
class BluelampPolicy:
    travel: TravelTimeModel
    name: str = "bluelamp"
    units: Sequence[SimUnit] = ()
    grid: CoverGrid | None = None
    prior: Prior | None = None
    moves_made: list[float] = field(default_factory=list)  # when each move-up was made
    _rows: dict[tuple[float, float, str, int], BoolArray] = field(default_factory=dict, repr=False)
    _demand: tuple[int, np.ndarray] | None = None
    _cover_at: tuple[float, Cover] | None = None

    def attach(self, units: Sequence[SimUnit], london: London) -> None:
        """The simulation's units and London, once, before the first decision."""
        self.units = units
        self.grid = CoverGrid.of(london)
        self.prior = calibrated_prior(london, self.grid)

    # -- the two questions every policy answers ------------------------------------------

    def choose_unit(
        self, job: Job, available: Sequence[SimUnit], t: float, when: datetime
    ) -> SimUnit | None:
        pool = [u for u in available if eligible(u, job)]
        if not pool:
            return None
        target = TARGET_SECONDS.get(Grade(job.grade))
        if target is None:  # E and R: no target to rank against, the nearest goes
            return min(pool, key=lambda u: self._seconds(u, job, t, when))
        created = datetime.fromtimestamp(job.created, UTC)
        call = Call(
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
        ranker = self._ranker(pool, t, when, (call,))
        best = ranker.rank(call, limit=1)
        if not best:
            return None
        return next(u for u in pool if u.unit_id == best[0].unit_id)

    def choose_job(self, unit: SimUnit, waiting: Sequence[Job], t: float) -> Job | None:
        """The most urgent grade first; within I and S, the call nearest its breach (time to
        target less this unit's drive), not the oldest; within E and R, the oldest."""
        allowed = [job for job in waiting if eligible(unit, job)]
        if not allowed:
            return None
        grade = min(PRIORITY[job.grade] for job in allowed)
        jobs = [job for job in allowed if PRIORITY[job.grade] == grade]
        target = TARGET_SECONDS.get(Grade(jobs[0].grade))
        if target is None:
            return min(jobs, key=lambda job: job.ready)
        when = datetime.fromtimestamp(t, UTC)
        return min(
            jobs, key=lambda job: job.created + target - t - self._seconds(unit, job, t, when)
        )

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
        ranker = self._ranker(free, t, when, ())
        moves = move_ups(
            ranker.situation, self.travel, ranker.cover, ranker.rows, ranker.available, min(room, 3)
        )
        by_id = {u.unit_id: u for u in free}
        self.moves_made = [*recent, *([t] * len(moves))]
        return [(by_id[m.unit_id], (m.lat, m.lon)) for m in moves]

    # -- the recommender's view of the simulation ------------------------------------------

    def _ranker(
        self, pool: Sequence[SimUnit], t: float, when: datetime, calls: tuple[Call, ...]
    ) -> Ranker:
        """The recommender's ranking over ``pool``: for a call, its 20 quickest units (as the
        recommender scores them: stream.recommend.assign.QUICKEST), scored on the cover."""
        assert self.grid is not None, "attach() the simulation first"
        cover = self._cover(t, when)
        if calls and len(pool) > QUICKEST:
            seconds = self.travel.seconds_many(
                [u.position(t)[0] for u in pool],
                [u.position(t)[1] for u in pool],
                calls[0].lat,
                calls[0].lon,
                np.array([u.unit_type for u in pool]),
                when,
            )
            pool = [pool[int(i)] for i in np.argpartition(seconds, QUICKEST)[:QUICKEST]]
        # As the live picture's: every candidate in the situation, the free ones available
        # (with their reach); the ranking takes a busy one for an I-grade call itself.
        candidates = tuple(self._resource(u, t) for u in pool)
        free = [u for u in pool if u.state in DISPATCHABLE]
        available = tuple(r for r in candidates if r.dispatchable)
        rows = np.array([self._row(u, t, when) for u in free], dtype=np.bool_).reshape(
            len(free), len(self.grid)
        )
        return Ranker(Situation(when, candidates, calls), self.travel, cover, rows, available)

    def _cover(self, t: float, when: datetime) -> Cover:
        """The cover the free units give, recomputed at most once a simulated minute (the
        server recomputes its own every 2 seconds: both lag the units a little)."""
        if self._cover_at is not None and t - self._cover_at[0] < COVER_EVERY_S:
            return self._cover_at[1]
        assert self.grid is not None
        on_duty = [u for u in self.units if u.state is not State.OFF]
        free = [u for u in on_duty if u.state in DISPATCHABLE]
        q = min(0.95, max(0.05, 1 - len(free) / len(on_duty))) if on_duty else 0.95
        counts = np.zeros(len(self.grid), dtype=np.int64)
        for unit in free:
            counts += self._row(unit, t, when)
        cover = Cover(self.grid, counts, self._rates(when), q)
        self._cover_at = (t, cover)
        return cover

    def _resource(self, unit: SimUnit, t: float) -> Resource:
        lat, lon = unit.position(t)
        return Resource(
            unit.unit_id,
            unit.callsign,
            unit.unit_type,
            unit.bcu,
            lat,
            lon,
            _STATUS.get(unit.state, unit.state.value),
            unit.incident_id,
        )

    def _row(self, unit: SimUnit, t: float, when: datetime) -> BoolArray:
        """Where a unit could reach in time from where it is: cached by position (to ~100 m),
        type and hour, since units mostly stand still between decisions."""
        lat, lon = unit.position(t)
        key = (round(lat, 3), round(lon, 3), unit.unit_type + unit.state.value, when.hour)
        row = self._rows.get(key)
        if row is None:
            assert self.grid is not None
            if len(self._rows) > 200_000:
                self._rows.clear()
            row = self._rows[key] = reach(self.grid, [self._resource(unit, t)], self.travel, when)[
                0
            ]
        return row

    def _rates(self, when: datetime) -> np.ndarray:
        hour = int(when.timestamp() // 3600)
        if self._demand is None or self._demand[0] != hour:
            assert self.prior is not None
            self._demand = (hour, self.prior.rates(when))
        return self._demand[1]

    def _seconds(self, unit: SimUnit, job: Job, t: float, when: datetime) -> float:
        lat, lon = unit.position(t)
        return self.travel.seconds(lat, lon, job.lat, job.lon, unit.unit_type, when)
