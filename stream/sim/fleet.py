"""The simulated fleet: units, their shifts and home positions, and where they are.

IRVs belong to a BCU, in proportion to the BCU's demand; ARV, dog, TSG and traffic units
are pan-London, spread over the BCUs. Each unit works one shift a day (early, late or
night, overlapping at handovers) and starts it at a home position drawn like an incident
location in its BCU, so units sit where demand is (not on a grid). Between fixes a unit
moves in a straight line at the pace the travel-time model gives, after its turnout delay.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from geodata import London
from geodata.travel import haversine_m
from stream import payloads
from stream.recommend import situation
from stream.sim.calibration import FleetAssumptions
from stream.sim.demand import LONDON_TZ, Demand

PAN_LONDON = (("ARV", "arv_per_shift"), ("DOG", "dog_per_shift"), ("TSG", "tsg_per_shift"),
              ("TRAFFIC", "traffic_per_shift"))  # fmt: skip
MIN_IRV_PER_BCU = 6
#: Road distance over straight-line distance, as geodata's travel model assumes.
ROAD_FACTOR = 1.35


class State(StrEnum):
    OFF = "off"
    AVAILABLE = "available"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    AT_STATION = "at_station"
    REFRESHMENT = "refreshment"
    CUSTODY = "custody"
    BUSY = "busy"  # statements and reports after an incident


#: States a unit can be sent from.
DISPATCHABLE = frozenset(State(status.value) for status in payloads.DISPATCHABLE)
#: …and, for an I- or S-grade call only, these: an officer writing a report drops it for
#: an emergency or a call that would otherwise wait past its hour (and finishes it after).
#: The recommender's rule (stream.recommend.situation.may_send), which the engine asks;
#: which policy takes them for which call is the policy's choice (stream.sim.dispatch).
BREAKS_OFF = frozenset(State(status) for status in situation.BREAKS_OFF)


@dataclass
class SimUnit:
    """One simulated unit: its shift, where it is going, and its state in the simulation
    (not :class:`stream.picture.Unit`, the live picture's view of a unit on duty)."""

    unit_id: str
    callsign: str
    unit_type: str
    home_bcu: str
    home: tuple[float, float]
    shift_start_h: int
    shift_hours: int
    bcu: str = ""  # where it works now (home_bcu unless redeployed)
    state: State = State.OFF
    incident_id: str | None = None
    incident_grade: str | None = None  # that incident's grade: an I-grade call may divert it
    # Movement: at ``origin`` until ``depart``, then straight to ``target`` by ``arrive``.
    origin: tuple[float, float] = (0.0, 0.0)
    target: tuple[float, float] = (0.0, 0.0)
    depart: float = 0.0
    arrive: float = 0.0
    ending: bool = False  # the shift is over: off duty as soon as it is free
    ended_at: float | None = None  # when the shift ended, if it was still at work then
    ping_generation: int = 0
    # Bumped on every change of state: a timer (leave the station, end a break or custody)
    # set for an earlier state finds it changed and does nothing.
    state_generation: int = 0
    shift_no: int = 0  # which shift a refreshment break belongs to
    had_break: bool = False
    free_at: float = 0.0  # when the unit's break, custody or reports end
    reports_owed_s: float = 0.0  # reports broken off for another call, still to write
    km: float = 0.0  # driven so far (straight line × ROAD_FACTOR), for the evaluation
    # Sent to its call from here, then, needing this long to get going: how it has driven
    # since tells whether it will be late (stream.recommend.backup).
    sent_from: tuple[float, float] = (0.0, 0.0)
    sent_at: float = 0.0
    sent_start_s: float = 0.0

    def __post_init__(self) -> None:
        self.bcu = self.bcu or self.home_bcu
        self.origin = self.target = self.home

    def position(self, t: float) -> tuple[float, float]:
        if t <= self.depart or self.arrive <= self.depart:
            return self.origin if t < self.arrive else self.target
        if t >= self.arrive:
            return self.target
        f = (t - self.depart) / (self.arrive - self.depart)
        return (
            self.origin[0] + (self.target[0] - self.origin[0]) * f,
            self.origin[1] + (self.target[1] - self.origin[1]) * f,
        )

    def moving(self, t: float) -> bool:
        return self.depart <= t < self.arrive and self.origin != self.target

    def move(self, t: float, to: tuple[float, float], depart: float, arrive: float) -> None:
        self.origin = self._driven_to(t)
        self.target, self.depart, self.arrive = to, depart, arrive

    def stop(self, t: float) -> None:
        here = self._driven_to(t)
        self.origin = self.target = here
        self.depart = self.arrive = t

    def _driven_to(self, t: float) -> tuple[float, float]:
        """Where the unit is at ``t``, the distance from where it set out added to ``km``."""
        here = self.position(t)
        self.km += float(haversine_m(*self.origin, *here)) / 1000 * ROAD_FACTOR
        return here

    def on_shift(self, when: datetime) -> bool:
        local = when.astimezone(LONDON_TZ)
        start = local.replace(hour=self.shift_start_h, minute=0, second=0, microsecond=0)
        for day in (-1, 0):
            begins = start + timedelta(days=day)
            if begins <= local < begins + timedelta(hours=self.shift_hours):
                return True
        return False


def build_fleet(
    london: London, demand: Demand, assumptions: FleetAssumptions, rng: random.Random
) -> list[SimUnit]:
    """Every unit of every shift, with its home position (drawn from ``rng``)."""
    bcus = sorted(b.code for b in london.bcus)
    shares = {bcu: demand.bcu_share(bcu) for bcu in bcus}
    units: list[SimUnit] = []
    for letter, start_h, hours in assumptions.shifts:
        for bcu in bcus:
            count = max(MIN_IRV_PER_BCU, round(assumptions.irv_per_shift * shares[bcu]))
            for n in range(1, count + 1):
                units.append(
                    _unit(f"{bcu}{letter}{n:02d}", "IRV", bcu, start_h, hours, demand, rng)
                )
        for unit_type, attribute in PAN_LONDON:
            for n in range(1, getattr(assumptions, attribute) + 1):
                bcu = bcus[(n - 1) % len(bcus)]
                callsign = f"{unit_type}{letter}{n:02d}"
                units.append(_unit(callsign, unit_type, bcu, start_h, hours, demand, rng))
    return units


def _unit(
    callsign: str,
    unit_type: str,
    bcu: str,
    start_h: int,
    hours: int,
    demand: Demand,
    rng: random.Random,
) -> SimUnit:
    lat, lon, _borough, _bcu = demand.point("theft", rng, bcu)
    return SimUnit(callsign, callsign, unit_type, bcu, (lat, lon), start_h, hours)


#: States a unit may be diverted from, to an I-grade call, by the grades of the call it
#: leaves (stream.sending.may_divert).
DIVERTED_FROM = {
    State.EN_ROUTE: frozenset({"S", "E", "R"}),
    State.ON_SCENE: situation.LEAVES_SCENE_OF,
}


def divertable(units: list[SimUnit]) -> list[SimUnit]:
    """Who an I-grade call may take from another call: on the way to one that is not
    I-grade, or on scene at an E- or R-grade one; not at their shift's end
    (stream.recommend.situation's ``Resource.divertable``: tests/stream/sim/test_engine_rules.py
    holds them equal). Offered only to a policy that says it ``diverts`` (bluelamp)."""
    return [
        u
        for u in units
        if u.state in DIVERTED_FROM and u.incident_grade in DIVERTED_FROM[u.state] and not u.ending
    ]


def sendable(
    units: list[SimUnit], grade: str, breaks_off_for: frozenset[str] = situation.BREAKS_OFF_FOR
) -> list[SimUnit]:
    """Who can be sent to a call of ``grade``: not at their shift's end, and allowed by the
    recommender's rule (stream.recommend.situation.may_send, over the fleet's states that
    mirror its statuses: tests/stream/sim/test_engine_rules.py holds them equal), or by a
    policy's narrower ``breaks_off_for``. Written out rather than asked per unit: it runs
    over every unit for every call."""
    breaks_off = grade in breaks_off_for
    return [
        u
        for u in units
        if not u.ending and (u.state in DISPATCHABLE or (breaks_off and u.state in BREAKS_OFF))
    ]
