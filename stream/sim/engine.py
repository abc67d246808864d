"""The simulation: a discrete-event loop that turns demand, fleet and a dispatch policy into
the events (README, "Event catalogue") a real CAD/AVL feed would send, in time order.

An incident is created when the call comes in; once graded it joins its BCU's dispatch desk
(:mod:`stream.sim.desk`), where a controller works it and asks the policy for units; with
none to send, it waits until one comes free. Units' days beyond incidents are in
:mod:`stream.sim.workday`.

Deterministic: one ``random.Random(seed)`` for the demand and the fleet, drawn in a fixed
order, one for units' own choices, and a heap of actions ordered by (time, insertion order).
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

from geodata import London
from geodata.travel import CrowFliesModel, TravelTimeModel
from stream.recommend.situation import pace
from stream.sim import calibration as cal
from stream.sim import places
from stream.sim.demand import Arrival, Demand, handling_s, on_scene_s
from stream.sim.desk import Desk
from stream.sim.dispatch import Job, Policy, make_policy
from stream.sim.fleet import SimUnit, State, build_fleet, divertable, sendable
from stream.sim.intel import SimIntel
from stream.sim.rounds import BACKUP_EVERY_S, MOVE_EVERY_S, Rounds
from stream.sim.scenario import MajorIncident, Scenario
from stream.sim.timeline import Event
from stream.sim.workday import SimOptions

__all__ = ["BACKUP_EVERY_S", "MOVE_EVERY_S", "SimOptions", "Simulation"]
#: How much later a unit sent from these states starts its drive.
_START_S = {
    State.AT_STATION: cal.AT_STATION_START_S,
    State.BUSY: cal.BREAK_OFF_S,
    State.ON_SCENE: cal.BREAK_OFF_S,  # leaving an E-grade call for an emergency: back to the car
}


class Simulation(Rounds):
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
        travel = travel or CrowFliesModel()
        self.rng = random.Random(seed)
        self.demand = Demand(london, scenario.surges)
        units = self._fleet(london, scenario)
        super().__init__(scenario, units, travel, options or SimOptions(), seed)
        self.london = london
        self.policy = make_policy(policy, travel) if isinstance(policy, str) else policy
        if callable(attach := getattr(self.policy, "attach", None)):
            attach(self.units, london)  # a policy that sees the whole simulation (bluelamp)
        self._mutual_aid = make_policy("closest-idle-any", travel)
        self._by_id = {u.unit_id: u for u in self.units}
        self._place = {u.unit_id: i for i, u in enumerate(self.units)}
        self._driven_to: set[str] = set()  # I-grade calls units were sent to, not yet reached
        self.desks = {b.code: Desk(cal.CONTROLLERS_PER_BCU) for b in london.bcus}
        self.jobs: dict[str, Job] = {}
        self._incidents = itertools.count(1)
        self._per_day: dict[date, int] = {}  # incidents so far each day (CAD numbers)
        self._arrests: set[str] = set()  # incidents whose first unit made an arrest
        self.moves = 0  # move-ups made (a policy that makes them: bluelamp)
        self.diversions = 0  # units taken off their way to a lower-grade call (bluelamp)
        self.backups = 0  # units sent beside one running late to an I-grade call (bluelamp)
        self.stood_down = 0  # units on their way stood down: others were there first
        self.left_scenes = 0  # units that left an E- or R-grade call's scene for an I-grade one
        self.resumed: list[float] = []  # how long each call left so waited for its next unit
        self.intel = SimIntel(seed, self._emit) if self.options.intel else None

    def _in_london(self, lat: float, lon: float) -> bool:
        # A unit drives a straight line between two places in London, which can leave it
        # where London's edge curves in (Croydon's south, Kingston): the spine refuses a
        # position outside London, so such a ping is not sent, as if the fix were missed.
        return self.london.locate(lat, lon) is not None

    def _fleet(self, london: London, scenario: Scenario) -> list[SimUnit]:
        """The units: the scenario's fleet, drawn (a re-run takes the log's)."""
        return build_fleet(london, self.demand, scenario.fleet, self.rng)

    def events(self) -> Iterator[Event]:
        """Every event from the scenario's start to its end, in time order."""
        self._start_shifts()
        self._at(self.now, self._arrivals)
        for major in self.scenario.major_incidents:
            self._at(major.at.timestamp(), functools.partial(self._major, major))
        if hasattr(self.policy, "relocations"):
            self._at(self.now + MOVE_EVERY_S, self._relocate)
        if hasattr(self.policy, "backup"):
            self._at(self.now + BACKUP_EVERY_S, self._back_up)
        end = self.scenario.end.timestamp()
        while (action := self._next_before(end)) is not None:
            action()
            if self._out:
                yield from self._out
                self._out.clear()

    # -- demand ----------------------------------------------------------------------------

    def _arrivals(self) -> None:
        when, surge = self.demand.next_arrival(self._when(), self.rng)
        self._at(when.timestamp(), lambda: self._incident(surge))

    def _incident(self, surge: Any) -> None:
        arrival = self.demand.arrival(self._when(), self.rng, surge)
        if self.intel is None:
            self._create(arrival, units_needed=self._units_needed(arrival))
        else:
            arrival, place = self.intel.place(arrival, self._when())
            job = self._create(arrival, units_needed=self._units_needed(arrival))
            self.intel.link(job.incident_id, arrival, place)
        self._arrivals()

    def _units_needed(self, arrival: Arrival) -> int:
        if arrival.grade == "I" and self.rng.random() < cal.SECOND_UNIT_I:
            return 2
        return 1

    def _create(self, arrival: Arrival, units_needed: int, on_scene: float | None = None) -> Job:
        incident_id = f"SIM{self.seed}-{next(self._incidents):07d}"
        ready = self.now + handling_s(arrival.grade, self.rng)
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
            self._at(ready, lambda: self._to_desk(job))
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

    # -- the dispatch desk -----------------------------------------------------------------

    def _to_desk(self, job: Job) -> None:
        if job.major:  # run by a command team of its own, not the BCU's desk
            self._send(job)
            return
        self.desks[job.bcu].join(job)
        self._work_desk(job.bcu)

    def _work_desk(self, bcu: str) -> None:
        desk = self.desks[bcu]
        while (job := desk.take()) is not None:
            seconds = self.unit_rng.uniform(*cal.CONTROLLER_S[job.grade])
            self._at(self.now + seconds, functools.partial(self._worked, job))

    def _worked(self, job: Job) -> None:
        self.desks[job.bcu].release()
        self._send(job)
        self._work_desk(job.bcu)

    # -- dispatch --------------------------------------------------------------------------

    def _send(self, job: Job) -> None:
        if job.closed:
            return
        while job.wanted > 0:
            unit = self._choose_unit(job)
            if unit is None:
                self.waiting.append(job)
                return
            if unit.incident_id is not None:  # committed to another call
                self._divert(unit, job)
            else:
                self._dispatch(unit, job)

    def _choose_unit(self, job: Job) -> SimUnit | None:
        if job.major:  # mutual aid: the closest units, wherever they belong
            aid = self._mutual_aid
            available = sendable(self.units, job.grade, aid.breaks_off_for)
            return aid.choose_unit(job, available, self.now, self._when())
        return self.policy.choose_unit(job, self._choosable(job.grade), self.now, self._when())

    def _divert(self, unit: SimUnit, job: Job) -> None:
        """``unit``, on its way to a lower-grade call or on scene at an E- or R-grade one,
        goes to ``job`` instead: the live record of it is the one ``incident.assigned``
        (which releases the unit from the call it leaves). The call it leaves is sent again
        at once if a unit is free for it; if none is, it waits, ahead of the calls of its
        grade that came in after it. A scene left with no unit on it pauses: the work there
        goes on when the next unit arrives."""
        left = self.jobs[unit.incident_id or ""]
        assert left.units is not None
        left.units.remove(unit.unit_id)
        if unit.state is State.ON_SCENE:
            self.left_scenes += 1
            if not any(self._by_id[u].state is State.ON_SCENE for u in left.units):
                left.pause(self.now)
        else:
            self.diversions += 1
        self._dispatch(unit, job)
        waiting = len(self.waiting)
        self._send(left)
        if len(self.waiting) > waiting:  # _send put it last: its place is by its call's time
            self.waiting.pop()
            place = next(
                (i for i, other in enumerate(self.waiting) if other.created > left.created),
                len(self.waiting),
            )
            self.waiting.insert(place, left)

    def _dispatch(self, unit: SimUnit, job: Job) -> None:
        assert job.units is not None
        if job.major and unit.bcu != job.bcu:
            unit.bcu = job.bcu
            self._emit(
                "unit.redeployed",
                {"unit_id": unit.unit_id, "bcu": job.bcu, "reason": "mutual aid: major incident"},
            )
        job.units.append(unit.unit_id)
        # From the station or a report: back to the car first, then the same drive.
        start = _START_S.get(unit.state, 0.0)
        unit.sent_from, unit.sent_at, unit.sent_start_s = unit.position(self.now), self.now, start
        driving = unit.state is State.EN_ROUTE  # diverted: on the move already
        if unit.state is State.BUSY:
            unit.reports_owed_s += max(0.0, unit.free_at - self.now)
        self._set_state(unit, State.EN_ROUTE)
        generation = unit.state_generation  # a diversion later makes this drive's end stale
        unit.incident_id, unit.incident_grade = job.incident_id, job.grade
        if job.grade == "I" and not job.major:  # a major incident's own commander sends more
            self._driven_to.add(job.incident_id)
        self._emit("incident.assigned", {"incident_id": job.incident_id, "unit_id": unit.unit_id})
        lat, lon = unit.position(self.now)
        seconds = self.travel.seconds(lat, lon, job.lat, job.lon, unit.unit_type, self._when())
        seconds *= self._hold_up() * pace(job.grade)
        turnout = 0.0 if driving else min(self.travel.turnout(unit.unit_type), seconds) + start
        seconds += start
        unit.move(self.now, (job.lat, job.lon), self.now + turnout, self.now + seconds)
        self._ping_soon(unit)
        self._at(self.now + seconds, lambda: self._arrived(unit, job, generation))

    def _hold_up(self) -> float:
        """How much longer than the model's estimate this drive takes (a factor, ≥ 1)."""
        if self.unit_rng.random() >= cal.HOLD_UP_SHARE:
            return 1.0
        return 1.0 + self.unit_rng.expovariate(1.0 / cal.HOLD_UP_MEAN)

    def _take_waiting(self, unit: SimUnit) -> bool:
        job = self.policy.choose_job(unit, self.waiting, self.now)
        if job is None:
            return False
        self._dispatch(unit, job)
        if job.wanted <= 0:
            self.waiting.remove(job)
        return True

    def _choosable(self, grade: str) -> list[SimUnit]:
        """Who a policy may send to a call of ``grade``: diversions too for an I-grade call,
        where the policy makes them."""
        available = sendable(self.units, grade, self.policy.breaks_off_for)
        if grade == "I" and getattr(self.policy, "diverts", False):
            available += divertable(self.units)
        return available

    def _stand_down(self, job: Job) -> None:
        """Enough units are on scene: the ones still on their way (back-ups) go free."""
        units = [self._by_id[u] for u in job.units or []]
        if sum(u.state is State.ON_SCENE for u in units) < job.units_needed:
            return
        for unit in units:
            if unit.state is State.EN_ROUTE and unit.incident_id == job.incident_id:
                assert job.units is not None
                job.units.remove(unit.unit_id)
                self.stood_down += 1
                self._status(unit, State.AVAILABLE)
                self._after_work(unit, unit.reports_owed_s)

    # -- at the scene and after ------------------------------------------------------------

    def _arrived(self, unit: SimUnit, job: Job, generation: int) -> None:
        if job.closed or unit.incident_id != job.incident_id:
            return
        if unit.state_generation != generation:  # diverted, and sent back here since
            return
        self._set_state(unit, State.ON_SCENE)
        unit.stop(self.now)
        self._emit("incident.arrived", {"incident_id": job.incident_id, "unit_id": unit.unit_id})
        self._stand_down(job)
        if job.first_arrival is not None:
            if job.paused is not None:  # left for an emergency: this unit takes it on
                waited, left = job.resume(self.now)
                self.resumed.append(waited)
                job.first_unit = unit.unit_id
                self._close_after(job, left)
            return
        job.first_arrival, job.first_unit = self.now, unit.unit_id
        share = cal.ARREST_SHARE.get(job.category, 0.0)
        if share and not job.major and self.unit_rng.random() < share:
            self._arrests.add(job.incident_id)
        self._close_after(job, job.on_scene_s)

    def _close_after(self, job: Job, seconds: float) -> None:
        """The work on scene is done in ``seconds``, unless every unit leaves it first."""
        job.close_at, visit = self.now + seconds, job.visit

        def done() -> None:
            if job.visit == visit:
                self._close(job, "arrest" if job.incident_id in self._arrests else "resolved")

        self._at(job.close_at, done)

    def _close(self, job: Job, outcome: str) -> None:
        if job.closed:
            return
        job.closed = True
        if job in self.waiting:
            self.waiting.remove(job)
        self._emit("incident.closed", {"incident_id": job.incident_id, "outcome": outcome})
        arrest = job.incident_id in self._arrests
        self._arrests.discard(job.incident_id)
        for unit_id in job.units or []:
            unit = self._by_id[unit_id]
            first = unit_id == job.first_unit
            if first and arrest:  # the arresting officer writes up in custody
                self._custody(unit)
                continue
            self._after_work(unit, unit.reports_owed_s + (self._report_s(job) if first else 0.0))

    def _after_work(self, unit: SimUnit, seconds: float) -> None:
        """``unit`` is done at a call and owes ``seconds`` of reports (0: none)."""
        if seconds > 0 and not self._emergency_waiting_for(unit):
            self._reports(unit, seconds)
        else:  # free (an emergency first: the reports after it)
            unit.reports_owed_s = seconds
            self._free(unit)

    def _emergency_waiting_for(self, unit: SimUnit) -> bool:
        """An I-grade call waits that the policy would send ``unit`` to."""
        urgent = [job for job in self.waiting if job.grade == "I"]
        return bool(urgent) and self.policy.choose_job(unit, urgent, self.now) is not None

    def _report_s(self, job: Job) -> float:
        """Seconds of statements and reports the first unit on scene owes (0: none)."""
        share, low, high = cal.REPORTS.get(job.category, (0.0, 0.0, 0.0))
        if job.major or self.unit_rng.random() >= share:
            return 0.0
        return self.unit_rng.uniform(low, high)
