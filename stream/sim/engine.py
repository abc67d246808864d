"""The simulation: a discrete-event loop that turns demand, fleet and a dispatch policy into
the SPEC.md events a real CAD/AVL feed would send, in time order.

Deterministic: one ``random.Random(seed)`` drawn from in a fixed order, and a heap of
actions ordered by (time, insertion order). Time is float seconds since the Unix epoch.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from geodata import London
from geodata.travel import CrowFliesModel, TravelTimeModel
from stream.sim import calibration as cal
from stream.sim import places
from stream.sim.demand import Arrival, Demand, on_scene_s
from stream.sim.dispatch import Job, Policy, make_policy
from stream.sim.fleet import State, Unit, build_fleet
from stream.sim.scenario import MajorIncident, Scenario

SOURCE = "bluelamp-sim"
Event = dict[str, Any]


@dataclass(order=True)
class _Due:
    t: float
    order: int
    action: Callable[[], None] = field(compare=False)


@dataclass(frozen=True)
class SimOptions:
    pings: bool = True
    ping_moving_s: float = 10.0
    ping_still_s: float = 60.0


class Simulation:
    """One run of a scenario. Iterate :meth:`events` for the CloudEvents dicts."""

    def __init__(
        self,
        london: London,
        scenario: Scenario,
        policy: str | Policy = "closest-idle-own-bcu",
        seed: int = 0,
        options: SimOptions | None = None,
        travel: TravelTimeModel | None = None,
    ) -> None:
        self.london = london
        self.scenario = scenario
        self.seed = seed
        self.options = options or SimOptions()
        self.travel = travel or CrowFliesModel()
        self.policy = make_policy(policy, self.travel) if isinstance(policy, str) else policy
        self._mutual_aid = make_policy("closest-idle-any", self.travel)
        self.rng = random.Random(seed)
        self.demand = Demand(london, scenario.surges)
        self.units = build_fleet(london, self.demand, scenario.fleet, self.rng)
        self._by_id = {u.unit_id: u for u in self.units}
        self.jobs: dict[str, Job] = {}
        self.waiting: list[Job] = []
        self._heap: list[_Due] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._incidents = itertools.count(1)
        self._per_day: dict[date, int] = {}  # incidents so far each day (CAD numbers)
        self._out: list[Event] = []
        self.now = scenario.start.timestamp()

    # -- running ---------------------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        """Every event from the scenario's start to its end, in time order."""
        start, end = self.scenario.start.timestamp(), self.scenario.end.timestamp()
        for unit in self.units:
            if unit.on_shift(self.scenario.start):
                self._at(start, functools.partial(self._on_duty, unit))
            shift = self._next_shift_start(unit, start)
            self._at(shift, functools.partial(self._shift_starts, unit))
        self._at(start, self._arrivals)
        for major in self.scenario.major_incidents:
            self._at(major.at.timestamp(), functools.partial(self._major, major))
        while self._heap and self._heap[0].t < end:
            due = heapq.heappop(self._heap)
            self.now = due.t
            due.action()
            if self._out:
                yield from self._out
                self._out.clear()

    def _at(self, t: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._heap, _Due(t, next(self._order), action))

    def _when(self, t: float | None = None) -> datetime:
        return datetime.fromtimestamp(self.now if t is None else t, UTC)

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        self._out.append(
            {
                "specversion": "1.0",
                "id": f"sim{self.seed}-{next(self._ids)}",
                "source": SOURCE,
                "type": kind,
                "time": self._when().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "data": data,
            }
        )

    # -- demand ----------------------------------------------------------------------------

    def _arrivals(self) -> None:
        when, surge = self.demand.next_arrival(self._when(), self.rng)
        self._at(when.timestamp(), lambda: self._incident(surge))

    def _incident(self, surge: Any) -> None:
        arrival = self.demand.arrival(self._when(), self.rng, surge)
        self._create(arrival, units_needed=self._units_needed(arrival))
        self._arrivals()

    def _units_needed(self, arrival: Arrival) -> int:
        if arrival.grade == "I" and self.rng.random() < cal.SECOND_UNIT_I:
            return 2
        return 1

    def _create(self, arrival: Arrival, units_needed: int, on_scene: float | None = None) -> Job:
        incident_id = f"SIM{self.seed}-{next(self._incidents):07d}"
        low, high = cal.HANDLING_S[arrival.grade]
        ready = self.now + self.rng.uniform(low, high)
        job = Job(
            incident_id,
            arrival.grade,
            arrival.category,
            arrival.lat,
            arrival.lon,
            arrival.bcu,
            created=self.now,
            ready=ready,
            on_scene_s=on_scene or on_scene_s(arrival.category, arrival.grade, self.rng),
            units_needed=units_needed,
            units=[],
        )
        self.jobs[incident_id] = job
        data = {"incident_id": incident_id, "grade": arrival.grade, "category": arrival.category}
        data |= self._names(incident_id, arrival.borough)
        self._emit("incident.created", data | {"lat": arrival.lat, "lon": arrival.lon})
        if arrival.grade == "R":
            self._at(ready, lambda: self._close(job, "resolved by telephone"))
        else:
            self._at(ready, lambda: self._ready(job))
        return job

    def _names(self, incident_id: str, borough: str) -> dict[str, str]:
        """The CAD reference (numbered per day, as a CAD does) and an address."""
        day = self._when().date()
        number = self._per_day[day] = self._per_day.get(day, 0) + 1
        return {
            "reference": places.reference(self._when(), number),
            "address": places.address(incident_id, borough),
        }

    def _major(self, major: MajorIncident) -> None:
        place = self.london.locate(major.lat, major.lon)
        if place is None or place.bcu is None:
            raise ValueError(f"major incident at {major.lat},{major.lon} is not in a Met BCU")
        arrival = Arrival(
            self._when(), major.category, "I", major.lat, major.lon, place.borough, place.bcu
        )
        job = self._create(arrival, units_needed=major.units, on_scene=major.on_scene_s)
        job.major = True

    # -- dispatch --------------------------------------------------------------------------

    def _ready(self, job: Job) -> None:
        if job.closed:
            return
        while job.wanted > 0:
            unit = self._choose_unit(job)
            if unit is None:
                self.waiting.append(job)
                return
            self._dispatch(unit, job)

    def _choose_unit(self, job: Job) -> Unit | None:
        available = [u for u in self.units if u.state is State.AVAILABLE and not u.ending]
        if job.major:  # mutual aid: the closest units, wherever they belong
            return self._mutual_aid.choose_unit(job, available, self.now, self._when())
        return self.policy.choose_unit(job, available, self.now, self._when())

    def _dispatch(self, unit: Unit, job: Job) -> None:
        assert job.units is not None
        if job.major and unit.bcu != job.bcu:
            unit.bcu = job.bcu
            self._emit(
                "unit.redeployed",
                {"unit_id": unit.unit_id, "bcu": job.bcu, "reason": "mutual aid: major incident"},
            )
        job.units.append(unit.unit_id)
        unit.state, unit.incident_id = State.EN_ROUTE, job.incident_id
        self._emit("incident.assigned", {"incident_id": job.incident_id, "unit_id": unit.unit_id})
        lat, lon = unit.position(self.now)
        seconds = self.travel.seconds(lat, lon, job.lat, job.lon, unit.unit_type, self._when())
        turnout = min(self.travel.turnout(unit.unit_type), seconds)
        unit.move(self.now, (job.lat, job.lon), self.now + turnout, self.now + seconds)
        self._ping_soon(unit)
        self._at(self.now + seconds, lambda: self._arrived(unit, job))

    def _arrived(self, unit: Unit, job: Job) -> None:
        if job.closed or unit.incident_id != job.incident_id:
            return
        unit.state = State.ON_SCENE
        unit.stop(self.now)
        self._emit("incident.arrived", {"incident_id": job.incident_id, "unit_id": unit.unit_id})
        if job.first_arrival is None:
            job.first_arrival = self.now
            self._at(self.now + job.on_scene_s, lambda: self._close(job, "resolved"))

    def _close(self, job: Job, outcome: str) -> None:
        if job.closed:
            return
        job.closed = True
        if job in self.waiting:
            self.waiting.remove(job)
        self._emit("incident.closed", {"incident_id": job.incident_id, "outcome": outcome})
        for unit_id in job.units or []:
            self._free(self._by_id[unit_id])

    def _free(self, unit: Unit) -> None:
        unit.state, unit.incident_id = State.AVAILABLE, None
        unit.stop(self.now)
        if unit.bcu != unit.home_bcu:
            unit.bcu = unit.home_bcu
            self._emit(
                "unit.redeployed",
                {"unit_id": unit.unit_id, "bcu": unit.home_bcu, "reason": "mutual aid ended"},
            )
        if unit.ending:
            self._off_duty(unit)
            return
        if not self._take_waiting(unit):
            self._patrol(unit)

    def _take_waiting(self, unit: Unit) -> bool:
        job = self.policy.choose_job(unit, self.waiting, self.now)
        if job is None:
            return False
        self._dispatch(unit, job)
        if job.wanted <= 0:
            self.waiting.remove(job)
        return True

    def _patrol(self, unit: Unit) -> None:
        """Back towards home at patrol pace (half blue-light speed), available all the way."""
        lat, lon = unit.position(self.now)
        seconds = 2 * self.travel.seconds(lat, lon, *unit.home, unit.unit_type, self._when())
        unit.move(self.now, unit.home, self.now, self.now + seconds)
        self._ping_soon(unit)

    # -- shifts ----------------------------------------------------------------------------

    def _next_shift_start(self, unit: Unit, after: float) -> float:
        local = self._when(after).astimezone(self.scenario.start.tzinfo)
        start = local.replace(hour=unit.shift_start_h, minute=0, second=0, microsecond=0)
        if start.timestamp() <= after:
            start += timedelta(days=1)
        return start.timestamp()

    def _shift_starts(self, unit: Unit) -> None:
        if unit.state is State.OFF:
            self._on_duty(unit)
        self._at(self._next_shift_start(unit, self.now), lambda: self._shift_starts(unit))

    def _on_duty(self, unit: Unit) -> None:
        unit.state, unit.ending, unit.bcu = State.AVAILABLE, False, unit.home_bcu
        unit.origin = unit.target = unit.home
        unit.depart = unit.arrive = self.now
        lat, lon = unit.home
        self._emit(
            "unit.on_duty",
            {
                "unit_id": unit.unit_id,
                "callsign": unit.callsign,
                "unit_type": unit.unit_type,
                "home_bcu": unit.home_bcu,
                "lat": lat,
                "lon": lon,
            },
        )
        self._at(self.now + unit.shift_hours * 3600, lambda: self._shift_ends(unit))
        self._ping_soon(unit)
        self._take_waiting(unit)

    def _shift_ends(self, unit: Unit) -> None:
        if unit.state is State.AVAILABLE:
            self._off_duty(unit)
        elif unit.state is not State.OFF:
            unit.ending = True

    def _off_duty(self, unit: Unit) -> None:
        unit.stop(self.now)
        unit.state, unit.ending = State.OFF, False
        unit.ping_generation += 1
        self._emit("unit.off_duty", {"unit_id": unit.unit_id})

    # -- AVL -------------------------------------------------------------------------------

    def _ping_soon(self, unit: Unit) -> None:
        if not self.options.pings:
            return
        unit.ping_generation += 1
        generation = unit.ping_generation
        self._at(self.now + 1.0, lambda: self._ping(unit, generation))

    def _ping(self, unit: Unit, generation: int) -> None:
        if generation != unit.ping_generation or unit.state is State.OFF:
            return
        lat, lon = unit.position(self.now)
        self._emit(
            "unit.location",
            {"unit_id": unit.unit_id, "lat": round(lat, 6), "lon": round(lon, 6)},
        )
        every = self.options.ping_moving_s if unit.moving(self.now) else self.options.ping_still_s
        self._at(self.now + every, lambda: self._ping(unit, generation))
