"""A simulated unit's working day beyond driving to and standing at incidents: its shift
(parade at the station, off duty when the shift and its last job are over), refreshment
breaks, custody after an arrest, reports after an incident, patrol, and its AVL pings.

The base of :class:`stream.sim.engine.Simulation`, which adds demand and dispatch; a unit
coming free asks it for waiting work through :meth:`Workday._take_waiting`.
"""

from __future__ import annotations

import functools
import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from geodata.travel import TravelTimeModel
from stream.sim import calibration as cal
from stream.sim.dispatch import Job
from stream.sim.fleet import DISPATCHABLE, SimUnit, State
from stream.sim.scenario import Scenario
from stream.sim.timeline import Timeline


@dataclass(frozen=True)
class SimOptions:
    pings: bool = True
    ping_moving_s: float = 10.0
    ping_still_s: float = 60.0
    # Repeat places, warning markers and linked people (stream.sim.intel): the demo's;
    # evaluations and re-runs leave them out.
    intel: bool = False


class Workday(Timeline):
    """Units' states and shifts on the simulation's timeline."""

    def __init__(
        self,
        scenario: Scenario,
        units: Sequence[SimUnit],
        travel: TravelTimeModel,
        options: SimOptions,
        seed: int,
    ) -> None:
        super().__init__(seed, scenario.start.timestamp())
        self.scenario = scenario
        self.units = list(units)
        self.travel = travel
        self.options = options
        # Units' own choices (parade length, when a break falls due, arrests, reports) draw
        # from their own generator: when they happen depends on the policy, and from the
        # shared one they would change the demand, which must be the same under every policy.
        self.unit_rng = random.Random(f"units-{seed}")
        self.waiting: list[Job] = []  # incidents a controller found no unit for
        # Hours worked past the shift's end (a call, custody or reports to finish): what
        # putting work off costs (the evaluation's ``overtime_h``).
        self.overtime_s = 0.0

    def _take_waiting(self, unit: SimUnit) -> bool:
        """Send ``unit`` to a waiting incident if the policy has one for it."""
        raise NotImplementedError

    def _start_shifts(self) -> None:
        start = self.scenario.start.timestamp()
        for unit in self.units:
            if unit.on_shift(self.scenario.start):
                self._at(start, functools.partial(self._on_duty, unit))
            shift = self._next_shift_start(unit, start)
            self._at(shift, functools.partial(self._shift_starts, unit))

    # -- states ----------------------------------------------------------------------------

    def _set_state(self, unit: SimUnit, state: State) -> None:
        unit.state = state
        unit.state_generation += 1

    def _status(self, unit: SimUnit, state: State) -> None:
        self._set_state(unit, state)
        self._emit("unit.status", {"unit_id": unit.unit_id, "status": state.value})

    def _free(self, unit: SimUnit) -> None:
        self._set_state(unit, State.AVAILABLE)
        unit.incident_id = unit.incident_grade = None
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

    def _busy_for(self, unit: SimUnit, state: State, seconds: float) -> None:
        """Not to be sent for ``seconds``: ``_done`` then."""
        self._status(unit, state)
        generation = unit.state_generation
        unit.free_at = self.now + seconds
        self._at(unit.free_at, lambda: self._done(unit, generation))

    def _to_station_and_wait(self, unit: SimUnit, state: State, seconds: float) -> None:
        """Drive to the station (home) at blue-light pace, then ``_done`` after ``seconds``
        (or on arrival, if later)."""
        lat, lon = unit.position(self.now)
        drive = self.travel.seconds(lat, lon, *unit.home, unit.unit_type, self._when())
        unit.move(self.now, unit.home, self.now, self.now + drive)
        self._ping_soon(unit)
        self._busy_for(unit, state, max(seconds, drive))

    def _custody(self, unit: SimUnit) -> None:
        """The prisoner to custody (the home station stands for the BCU's custody suite),
        booked in, handed over: hours."""
        unit.incident_id, unit.incident_grade, unit.reports_owed_s = None, None, 0.0
        self._back_to_home_bcu(unit)
        hours = self.unit_rng.lognormvariate(math.log(cal.CUSTODY_MEDIAN_H), cal.CUSTODY_SIGMA)
        self._to_station_and_wait(unit, State.CUSTODY, hours * 3600)

    def _reports(self, unit: SimUnit, seconds: float) -> None:
        """Statements and the crime report, written where the unit is (``busy``)."""
        unit.incident_id, unit.incident_grade, unit.reports_owed_s = None, None, 0.0
        unit.stop(self.now)
        self._back_to_home_bcu(unit)
        self._busy_for(unit, State.BUSY, seconds)

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
        """A break only when the BCU can spare the unit: no I-grade call waiting, and enough
        of its units free to take the next one (a supervisor's call, made here by rule). An
        S-grade call waiting does not stop it: it can wait the 45 minutes."""
        if any(j.bcu == bcu and j.grade == "I" for j in self.waiting):
            return False
        here = [u for u in self.units if u.bcu == bcu and u.state is not State.OFF]
        free = sum(1 for u in here if u.state in DISPATCHABLE and not u.ending)
        return free >= cal.REFRESHMENT_SPARE * len(here)

    def _done(self, unit: SimUnit, generation: int) -> None:
        """A break, custody or reports are over: off duty if the shift is, else back at
        the station (after custody) or out."""
        if unit.state_generation != generation:
            return
        unit.stop(self.now)
        if unit.ending:
            self._off_duty(unit)
        elif unit.state is State.CUSTODY:
            self._at_station(unit, self.unit_rng.uniform(*cal.AFTER_CUSTODY_S))
        else:
            self._out_again(unit, generation)

    def _at_station(self, unit: SimUnit, seconds: float) -> None:
        self._status(unit, State.AT_STATION)
        generation = unit.state_generation
        self._at(self.now + seconds, lambda: self._out_again(unit, generation))
        self._take_waiting(unit)

    def _out_again(self, unit: SimUnit, generation: int) -> None:
        if unit.state_generation != generation:
            return
        self._status(unit, State.AVAILABLE)
        if not self._take_waiting(unit):
            self._patrol(unit)

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

    def _on_duty(self, unit: SimUnit, parade: bool = True) -> None:
        """On duty at home, the break due in a few hours; then the parade at the station
        (``parade`` false: the caller says what the unit is doing, as a re-run does for a
        unit the log shows on duty already)."""
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
        # Each AVL box keeps its own clock: without a phase of its own, a fleet coming on
        # duty together would report in the same second of every minute, silent between.
        phase = zlib.crc32(unit.unit_id.encode()) % 1000 / 1000 * self.options.ping_still_s
        self._ping_soon(unit, 1.0 + phase)
        unit.shift_no, unit.had_break = unit.shift_no + 1, False
        due = self.now + self.unit_rng.uniform(*cal.REFRESHMENT_DUE_H) * 3600
        self._at(due, functools.partial(self._refreshment_due, unit, unit.shift_no))
        # Parade: the shift starts at the station, from where a call can take it at once.
        if parade:
            self._at_station(unit, self.unit_rng.uniform(*cal.PARADE_S))

    def _shift_ends(self, unit: SimUnit) -> None:
        if unit.state in DISPATCHABLE:
            self._off_duty(unit)
        elif unit.state is not State.OFF:
            unit.ending, unit.ended_at = True, self.now

    def _off_duty(self, unit: SimUnit) -> None:
        if unit.ended_at is not None:
            self.overtime_s += self.now - unit.ended_at
            unit.ended_at = None
        unit.stop(self.now)
        unit.reports_owed_s = 0.0  # written before going home: past the shift's end
        self._set_state(unit, State.OFF)
        unit.ending = False
        unit.ping_generation += 1
        self._emit("unit.off_duty", {"unit_id": unit.unit_id})

    # -- AVL -------------------------------------------------------------------------------

    def _in_london(self, lat: float, lon: float) -> bool:
        """Whether a ping from here is one the spine takes (the simulation knows London)."""
        return True

    def _ping_soon(self, unit: SimUnit, after_s: float = 1.0) -> None:
        if not self.options.pings:
            return
        unit.ping_generation += 1
        generation = unit.ping_generation
        self._at(self.now + after_s, lambda: self._ping(unit, generation))

    def _ping(self, unit: SimUnit, generation: int) -> None:
        if generation != unit.ping_generation or unit.state is State.OFF:
            return
        lat, lon = round_point(unit.position(self.now))
        if self._in_london(lat, lon):
            self._emit("unit.location", {"unit_id": unit.unit_id, "lat": lat, "lon": lon})
        every = self.options.ping_moving_s if unit.moving(self.now) else self.options.ping_still_s
        self._at(self.now + every, lambda: self._ping(unit, generation))


def round_point(point: tuple[float, float]) -> tuple[float, float]:
    """A position as AVL reports it: six decimals (~0.1 m)."""
    return round(point[0], 6), round(point[1], 6)
