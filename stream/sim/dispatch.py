"""Dispatch policies: which unit goes to which incident. Plug-ins by name.

A policy answers two questions: a new incident is ready — which available unit (if any)?
A unit has just become free — which waiting incident (if any)? ``closest-idle-own-bcu`` is
today's borough-bound practice (an IRV only answers its own BCU's calls; pan-London units go
anywhere); ``closest-idle-any`` lets any unit go; ``manual`` sends nobody (people using the
dashboard assign). A later recommender registers itself with :func:`register`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from geodata.travel import TravelTimeModel
from stream.sim import calibration as cal
from stream.sim.fleet import SimUnit

#: The order grades are worked in. A booked E-grade appointment whose time has come goes
#: before an S-grade call: the caller was given that time, and the team keeps it (E-grade
#: incidents only reach dispatch at their appointment).
PRIORITY = {"I": 0, "E": 1, "S": 2, "R": 3}
#: The grades a busy unit breaks off its report for under today's practice: emergencies.
TODAYS_BREAK_OFF = frozenset({"I"})


@dataclass
class Job:
    """An incident waiting for (or being attended by) units."""

    incident_id: str
    grade: str
    category: str
    lat: float
    lon: float
    bcu: str
    created: float
    ready: float
    on_scene_s: float
    units_needed: int = 1
    units: list[str] | None = None
    first_arrival: float | None = None
    first_unit: str | None = None  # the first on scene: it arrests, or writes the report
    closed: bool = False
    major: bool = False
    close_at: float = 0.0  # when the work on scene will be done, once begun
    visit: int = 0  # bumped when every unit leaves the scene: the close set before is void
    #: Left by every unit for an emergency: when, and the seconds of work on scene left then.
    paused: tuple[float, float] | None = None

    @property
    def wanted(self) -> int:
        return self.units_needed - len(self.units or [])

    def pause(self, now: float) -> None:
        """Every unit has left the scene (for an I-grade call): the work stops."""
        self.visit += 1
        self.paused = (now, max(0.0, self.close_at - now))

    def resume(self, now: float) -> tuple[float, float]:
        """A unit is on scene again: how long the work waited, and the seconds of it left."""
        assert self.paused is not None
        (at, left), self.paused = self.paused, None
        return now - at, left


def _crow_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Ranking only: an equirectangular distance is plenty at London's scale.
    return math.hypot((lat2 - lat1) * 111_200, (lon2 - lon1) * 69_300)


def attending(job: Job) -> tuple[str, ...]:
    """The unit types that may attend ``job``."""
    return cal.ATTENDING_TYPES.get(job.category, ("IRV",))


def eligible(unit: SimUnit, job: Job) -> bool:
    return unit.unit_type in attending(job)


class Policy(Protocol):
    name: str
    #: The grades of call the engine offers this policy busy units for (off their reports).
    breaks_off_for: ClassVar[frozenset[str]]

    def choose_unit(
        self, job: Job, available: Sequence[SimUnit], t: float, when: datetime
    ) -> SimUnit | None: ...

    def choose_job(self, unit: SimUnit, waiting: Sequence[Job], t: float) -> Job | None: ...


@dataclass
class Closest:
    """The available eligible unit with the shortest estimated travel time (a busy one, off
    its report, for an I-grade call only)."""

    travel: TravelTimeModel
    own_bcu: bool
    name: str

    #: Today's practice: an officer is called off a report for an emergency only; an
    #: S-grade call waits for a free unit (the rules allow more: stream.sending). The
    #: engine offers busy units only for these grades.
    breaks_off_for: ClassVar[frozenset[str]] = TODAYS_BREAK_OFF

    def allowed(self, unit: SimUnit, job: Job) -> bool:
        if not eligible(unit, job):
            return False
        return not self.own_bcu or unit.unit_type != "IRV" or unit.bcu == job.bcu

    def choose_unit(
        self, job: Job, available: Sequence[SimUnit], t: float, when: datetime
    ) -> SimUnit | None:
        best, best_s = None, float("inf")
        for unit in available:
            if self.allowed(unit, job):
                lat, lon = unit.position(t)
                seconds = self.travel.seconds(lat, lon, job.lat, job.lon, unit.unit_type, when)
                if seconds < best_s:
                    best, best_s = unit, seconds
        return best

    def choose_job(self, unit: SimUnit, waiting: Sequence[Job], t: float) -> Job | None:
        """The most urgent grade waiting that this unit may take; within it, the nearest
        (the oldest on a tie), so a freed unit is not sent across London."""
        allowed = [job for job in waiting if self.allowed(unit, job)]
        if not allowed:
            return None
        grade = min(PRIORITY[job.grade] for job in allowed)
        lat, lon = unit.position(t)
        return min(
            (job for job in allowed if PRIORITY[job.grade] == grade),
            key=lambda job: (_crow_m(lat, lon, job.lat, job.lon), job.ready),
        )


@dataclass
class Manual:
    name: str = "manual"
    breaks_off_for: ClassVar[frozenset[str]] = frozenset()

    def choose_unit(
        self, job: Job, available: Sequence[SimUnit], t: float, when: datetime
    ) -> SimUnit | None:
        return None

    def choose_job(self, unit: SimUnit, waiting: Sequence[Job], t: float) -> Job | None:
        return None


PolicyFactory = Callable[[TravelTimeModel], Policy]
_POLICIES: dict[str, PolicyFactory] = {
    "closest-idle-own-bcu": lambda travel: Closest(travel, True, "closest-idle-own-bcu"),
    "closest-idle-any": lambda travel: Closest(travel, False, "closest-idle-any"),
    "manual": lambda travel: Manual(),
    "bluelamp": lambda travel: _bluelamp(travel),
}


def _bluelamp(travel: TravelTimeModel) -> Policy:
    # Imported when asked for: the recommender's policy imports this module.
    from stream.sim.bluelamp import BluelampPolicy

    return BluelampPolicy(travel)


def register(name: str, factory: PolicyFactory) -> None:
    """Make a policy available to ``bluelamp simulate/evaluate --policy NAME``."""
    _POLICIES[name] = factory


def policy_names() -> list[str]:
    return sorted(_POLICIES)


def make_policy(name: str, travel: TravelTimeModel) -> Policy:
    try:
        return _POLICIES[name](travel)
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; one of {', '.join(policy_names())}") from None
