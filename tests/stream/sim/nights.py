"""Hand-made nights for the simulator's tests: a fleet of the test's units, every one free,
no demand of its own, and the calls the test makes, run action by action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geodata.london import London
from stream.events import Recorded, validate
from stream.picture.fold import Picture
from stream.sim.bluelamp import BluelampPolicy
from stream.sim.demand import Arrival
from stream.sim.dispatch import Job
from stream.sim.engine import Simulation
from stream.sim.fleet import SimUnit, State
from stream.sim.scenario import load
from stream.sim.workday import SimOptions

Event = dict[str, Any]


def night(london: London, units: list[SimUnit], policy: str = "bluelamp") -> Simulation:
    """A simulation whose fleet is ``units`` alone, every one free, with no demand of its
    own: the test makes its calls."""
    scenario = load("normal-day")
    sim = Simulation(london, scenario.starting(scenario.start, 24), policy, 7, SimOptions(False))
    for unit in units:
        unit.state = State.AVAILABLE
    sim.units = units
    sim._by_id = {u.unit_id: u for u in units}
    sim._place = {u.unit_id: i for i, u in enumerate(units)}
    if isinstance(sim.policy, BluelampPolicy):
        sim.policy.units = units
    return sim


def call_at(sim: Simulation, grade: str, at: tuple[float, float]) -> Job:
    place = sim.london.locate(*at)
    assert place is not None and place.bcu is not None
    arrival = Arrival(sim._when(), "theft", grade, at[0], at[1], place.borough, place.bcu)
    return sim._create(arrival, units_needed=1)


def run_until(sim: Simulation, until: Any) -> list[Event]:
    """Carry out the simulation's actions until ``until()`` holds (or nothing is left)."""
    out: list[Event] = []
    while not until() and (action := sim._next_before(float("inf"))) is not None:
        action()
        out += sim._out
        sim._out.clear()
    return out


def seconds_of(event: Event) -> float:
    """An event's time as a POSIX timestamp."""
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()


def of_kind(events: list[Event], kind: str, incident: str) -> list[Event]:
    return [e for e in events if e["type"] == kind and e["data"]["incident_id"] == incident]


def refused_by_the_picture(london: London, events: list[Event]) -> list[tuple[str, str]]:
    """What the live system would refuse of ``events``: each validated (every point in
    London) and checked by the picture's rules in turn, as (type, reason)."""
    picture, refused = Picture(), []
    for seq, event in enumerate(events, start=1):
        checked = validate(event, london.locate)
        if (objection := picture.check(checked)) is not None:
            refused.append((event["type"], objection.reason))
            continue
        picture.apply(Recorded(seq, checked.event))
    return refused


def irv(name: str, at: tuple[float, float], bcu: str = "WA") -> SimUnit:
    return SimUnit(name, name, "IRV", bcu, at, 7, 10)
