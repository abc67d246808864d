"""The simulation: a discrete-event loop that turns demand, fleet and a dispatch policy into
the events (README, "Event catalogue") a real CAD/AVL feed would send, in time order.

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
from stream.sim.fleet import DISPATCHABLE, SimUnit, State, build_fleet
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
        # Units' own choices (parade length, when a break falls due, arrests) draw from their
        # own generator: when they happen depends on the policy, and from the shared one
        # they would change the demand, which must be the same under every policy.
        self.unit_rng = random.Random(f"units-{seed}")
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
        # incident -> (the arresting unit, seconds it will spend in custody)
        self._arrests: dict[str, tuple[str, float]] = {}
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

    def _choose_unit(self, job: Job) -> SimUnit | None:
        available = [u for u in self.units if u.state in DISPATCHABLE and not u.ending]
        if job.major:  # mutual aid: the closest units, wherever they belong
            return self._mutual_aid.choose_unit(job, available, self.now, self._when())
        return self.policy.choose_unit(job, available, self.now, self._when())

    def _dispatch(self, unit: SimUnit, job: Job) -> None:
        assert job.units is not None
        if job.major and unit.bcu != job.bcu:
            unit.bcu = job.bcu
            self._emit(
                "unit.redeployed",
                {"unit_id": unit.unit_id, "bcu": job.bcu, "reason": "mutual aid: major incident"},
            )
        job.units.append(unit.unit_id)
        # From the station: back to the car first, then the same drive.
        start = cal.AT_STATION_START_S if unit.state is State.AT_STATION else 0.0
        self._set_state(unit, State.EN_ROUTE)
        unit.incident_id = job.incident_id
        self._emit("incident.assigned", {"incident_id": job.incident_id, "unit_id": unit.unit_id})
        lat, lon = unit.position(self.now)
        seconds = self.travel.seconds(lat, lon, job.lat, job.lon, unit.unit_type, self._when())
        turnout = min(self.travel.turnout(unit.unit_type), seconds) + start
        seconds += start
        unit.move(self.now, (job.lat, job.lon), self.now + turnout, self.now + seconds)
        self._ping_soon(unit)
        self._at(self.now + seconds, lambda: self._arrived(unit, job))

    def _arrived(self, unit: SimUnit, job: Job) -> None:
        if job.closed or unit.incident_id != job.incident_id:
            return
        self._set_state(unit, State.ON_SCENE)
        unit.stop(self.now)
        self._emit("incident.arrived", {"incident_id": job.incident_id, "unit_id": unit.unit_id})
        if job.first_arrival is None:
            job.first_arrival = self.now
            share = cal.ARREST_SHARE.get(job.category, 0.0)
            if share and not job.major and self.unit_rng.random() < share:
                # The arresting unit's time on the job is split, not lengthened: the
                # on-scene assumption is its whole time, custody included.
                at_scene = job.on_scene_s * cal.ARREST_ON_SCENE_SHARE
                self._arrests[job.incident_id] = (unit.unit_id, job.on_scene_s - at_scene)
                self._at(self.now + at_scene, lambda: self._close(job, "arrest"))
            else:
                self._at(self.now + job.on_scene_s, lambda: self._close(job, "resolved"))

    def _close(self, job: Job, outcome: str) -> None:
        if job.closed:
            return
        job.closed = True
        if job in self.waiting:
            self.waiting.remove(job)
        self._emit("incident.closed", {"incident_id": job.incident_id, "outcome": outcome})
        arrest = self._arrests.pop(job.incident_id, None)
        for unit_id in job.units or []:
            unit = self._by_id[unit_id]
            if arrest is not None and unit_id == arrest[0]:
                self._custody(unit, arrest[1])
            else:
                self._free(unit)

    def _free(self, unit: SimUnit) -> None:
        self._set_state(unit, State.AVAILABLE)
        unit.incident_id = None
        unit.stop(self.now)
        self._back_to_home_bcu(unit)
        if unit.ending:
            self._off_duty(unit)
            return
        if not self._take_waiting(unit):
            self._patrol(unit)

    def _back_to_home_bcu(self, unit: SimUnit) -> None:
        if unit.bcu != unit.home_bcu:
            unit.bcu = unit.home_bcu
            self._emit(
                "unit.redeployed",
                {"unit_id": unit.unit_id, "bcu": unit.home_bcu, "reason": "mutual aid ended"},
            )

    # -- the rest of a unit's day: station, refreshment, custody ---------------------------

    def _set_state(self, unit: SimUnit, state: State) -> None:
        unit.state = state
        unit.state_generation += 1

    def _status(self, unit: SimUnit, state: State) -> None:
        self._set_state(unit, state)
        self._emit("unit.status", {"unit_id": unit.unit_id, "status": state.value})

    def _to_station_and_wait(self, unit: SimUnit, state: State, seconds: float) -> None:
        """Drive to the station (home) at blue-light pace, then ``_done`` after ``seconds``
        (or on arrival, if later)."""
        self._status(unit, state)
        lat, lon = unit.position(self.now)
        drive = self.travel.seconds(lat, lon, *unit.home, unit.unit_type, self._when())
        unit.move(self.now, unit.home, self.now, self.now + drive)
        self._ping_soon(unit)
        generation = unit.state_generation
        self._at(self.now + max(seconds, drive), lambda: self._done(unit, generation))

    def _custody(self, unit: SimUnit, seconds: float) -> None:
        unit.incident_id = None
        self._back_to_home_bcu(unit)
        self._to_station_and_wait(unit, State.CUSTODY, seconds)

    def _refreshment_due(self, unit: SimUnit, shift_no: int) -> None:
        if unit.shift_no != shift_no or unit.had_break or unit.ending or unit.state is State.OFF:
            return
        if unit.state in DISPATCHABLE and self._can_spare(unit.bcu):
            unit.had_break = True
            self._to_station_and_wait(unit, State.REFRESHMENT, cal.REFRESHMENT_S)
            return
        again = functools.partial(self._refreshment_due, unit, shift_no)
        self._at(self.now + cal.REFRESHMENT_DEFER_S, again)

    def _can_spare(self, bcu: str) -> bool:
        """A break only when the BCU can spare the unit: no I or S call waiting, and enough
        of its units free to take the next one (a supervisor's call, made here by rule)."""
        if any(j.bcu == bcu and j.grade in ("I", "S") for j in self.waiting):
            return False
        here = [u for u in self.units if u.bcu == bcu and u.state is not State.OFF]
        free = sum(1 for u in here if u.state in DISPATCHABLE and not u.ending)
        return free >= cal.REFRESHMENT_SPARE * len(here)

    def _done(self, unit: SimUnit, generation: int) -> None:
        """A break or custody is over: off duty if the shift is, else the station or out."""
        if unit.state_generation != generation:
            return
        unit.stop(self.now)
        if unit.ending:
            self._off_duty(unit)
        elif unit.state is State.CUSTODY:
            self._at_station(unit, self.unit_rng.uniform(*cal.AFTER_CUSTODY_S))
        else:
            self._leave_station(unit, generation)

    def _at_station(self, unit: SimUnit, seconds: float) -> None:
        self._status(unit, State.AT_STATION)
        generation = unit.state_generation
        self._at(self.now + seconds, lambda: self._leave_station(unit, generation))
        self._take_waiting(unit)

    def _leave_station(self, unit: SimUnit, generation: int) -> None:
        if unit.state_generation != generation:
            return
        self._status(unit, State.AVAILABLE)
        if not self._take_waiting(unit):
            self._patrol(unit)

    def _take_waiting(self, unit: SimUnit) -> bool:
        job = self.policy.choose_job(unit, self.waiting, self.now)
        if job is None:
            return False
        self._dispatch(unit, job)
        if job.wanted <= 0:
            self.waiting.remove(job)
        return True

    def _patrol(self, unit: SimUnit) -> None:
        """Back towards home at patrol pace (half blue-light speed), available all the way."""
        lat, lon = unit.position(self.now)
        seconds = 2 * self.travel.seconds(lat, lon, *unit.home, unit.unit_type, self._when())
        unit.move(self.now, unit.home, self.now, self.now + seconds)
        self._ping_soon(unit)

    # -- shifts ----------------------------------------------------------------------------

    def _next_shift_start(self, unit: SimUnit, after: float) -> float:
        local = self._when(after).astimezone(self.scenario.start.tzinfo)
        start = local.replace(hour=unit.shift_start_h, minute=0, second=0, microsecond=0)
        if start.timestamp() <= after:
            start += timedelta(days=1)
        return start.timestamp()

    def _shift_starts(self, unit: SimUnit) -> None:
        if unit.state is State.OFF:
            self._on_duty(unit)
        self._at(self._next_shift_start(unit, self.now), lambda: self._shift_starts(unit))

    def _on_duty(self, unit: SimUnit) -> None:
        self._set_state(unit, State.AVAILABLE)
        unit.ending, unit.bcu = False, unit.home_bcu
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
        unit.shift_no, unit.had_break = unit.shift_no + 1, False
        due = self.now + self.unit_rng.uniform(*cal.REFRESHMENT_DUE_H) * 3600
        self._at(due, functools.partial(self._refreshment_due, unit, unit.shift_no))
        # Parade: the shift starts at the station, from where a call can take it at once.
        self._at_station(unit, self.unit_rng.uniform(*cal.PARADE_S))

    def _shift_ends(self, unit: SimUnit) -> None:
        if unit.state in DISPATCHABLE:
            self._off_duty(unit)
        elif unit.state is not State.OFF:
            unit.ending = True

    def _off_duty(self, unit: SimUnit) -> None:
        unit.stop(self.now)
        self._set_state(unit, State.OFF)
        unit.ending = False
        unit.ping_generation += 1
        self._emit("unit.off_duty", {"unit_id": unit.unit_id})

    # -- AVL -------------------------------------------------------------------------------

    def _ping_soon(self, unit: SimUnit) -> None:
        if not self.options.pings:
            return
        unit.ping_generation += 1
        generation = unit.ping_generation
        self._at(self.now + 1.0, lambda: self._ping(unit, generation))

    def _ping(self, unit: SimUnit, generation: int) -> None:
        if generation != unit.ping_generation or unit.state is State.OFF:
            return
        lat, lon = unit.position(self.now)
        self._emit(
            "unit.location",
            {"unit_id": unit.unit_id, "lat": round(lat, 6), "lon": round(lon, 6)},
        )
        every = self.options.ping_moving_s if unit.moving(self.now) else self.options.ping_still_s
        self._at(self.now + every, lambda: self._ping(unit, generation))
