"""What the recommender sees: units, calls waiting for one, and the time, as plain values.

The live picture (:func:`of_picture`) and the simulator build the same ``Situation``, so the
advice a screen shows and the policy the simulator evaluates are one computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stream.payloads import DISPATCHABLE, TARGET_SECONDS, Grade, UnitStatus
from stream.picture.fold import Picture
from stream.picture.model import Incident, IncidentStatus, Unit
from stream.sending import BREAKS_OFF, BREAKS_OFF_FOR, LEAVES_SCENE_OF, may_divert, may_send

#: A unit in the station must get back to its car before it can drive (assumption, as in
#: stream.advice and the simulator's calibration).
AT_STATION_START_S = 120.0
#: A ``busy`` unit sent to an I- or S-grade call first breaks off (leaves the report or the
#: enquiry, back to the car): assumption, the simulator's calibration uses this one.
BREAK_OFF_S = 60.0
#: Only an I-grade call is driven to on blue lights: to an S- or E-grade call (or on a
#: move-up) a unit keeps to the road's pace, this much longer than the travel model's
#: blue-light time (assumption; docs/simulation.md, "Movement").
ROUTINE_PACE = 1.5
_DISPATCHABLE = frozenset(s.value for s in DISPATCHABLE)
#: Who may be sent where is stream.sending's rule, which the picture's checks apply too.
__all__ = [
    "AT_STATION_START_S",
    "BREAKS_OFF",
    "BREAKS_OFF_FOR",
    "BREAK_OFF_S",
    "LEAVES_SCENE_OF",
    "ROUTINE_PACE",
    "TARGETED",
    "Call",
    "Journey",
    "Resource",
    "Situation",
    "may_divert",
    "may_send",
    "of_picture",
    "pace",
]
#: A unit leaving a scene for an I-grade call gets back to its car as one leaving a report.
_START_S = {
    UnitStatus.AT_STATION.value: AT_STATION_START_S,
    UnitStatus.BUSY.value: BREAK_OFF_S,
    UnitStatus.ON_SCENE.value: BREAK_OFF_S,
}
_ON_DUTY_BUSY = frozenset(
    s.value
    for s in (
        UnitStatus.EN_ROUTE,
        UnitStatus.ON_SCENE,
        UnitStatus.BUSY,
        UnitStatus.REFRESHMENT,
        UnitStatus.CUSTODY,
    )
)


def pace(grade: str) -> float:
    """How much longer than a blue-light drive the drive to a call of ``grade`` takes."""
    return 1.0 if grade == Grade.IMMEDIATE else ROUTINE_PACE


@dataclass(frozen=True)
class Journey:
    """Where and when a unit was sent to the call it is driving to, and the seconds it
    needed then to get going (from the station, from a report): how it has driven since
    tells whether it will be late (stream.recommend.backup)."""

    lat: float
    lon: float
    at: datetime
    start_s: float = 0.0


@dataclass(frozen=True)
class Resource:
    """A unit on duty: where it is, what it is doing, and for which call if any."""

    unit_id: str
    callsign: str
    unit_type: str
    bcu: str
    lat: float
    lon: float
    status: str  # a stream.payloads.UnitStatus value
    incident_id: str | None = None
    incident_grade: str | None = None  # the grade of the call it is committed to
    journey: Journey | None = None  # on its way to a call: where and when it set off
    fix_at: datetime | None = None  # when it was where it is (None: now)

    @property
    def dispatchable(self) -> bool:
        return self.status in _DISPATCHABLE

    @property
    def start_s(self) -> float:
        """Seconds before it can start driving once sent."""
        return _START_S.get(self.status, 0.0)

    def sendable(self, grade: str) -> bool:
        """Whether it may be sent to a call of ``grade`` (a diversion aside): the rule the
        picture's checks apply to assignments and mutual aid requests too."""
        return may_send(self.status, grade)

    @property
    def divertable(self) -> bool:
        """On its way to a call that is not I-grade, or on scene at an E- or R-grade one: an
        I-grade call may take it (the rule the picture's incident.assigned check applies
        too)."""
        return may_divert(self.status, self.incident_grade, Grade.IMMEDIATE)


@dataclass(frozen=True)
class Call:
    """An I- or S-grade incident waiting for its first unit."""

    incident_id: str
    reference: str | None
    grade: str
    category: str
    lat: float
    lon: float
    bcu: str
    created_at: datetime
    target_at: datetime

    @property
    def name(self) -> str:
        return self.reference or self.incident_id


@dataclass(frozen=True)
class Situation:
    now: datetime
    resources: tuple[Resource, ...]
    calls: tuple[Call, ...]  # waiting for their first unit
    #: I-grade calls with units on their way and none there yet (a back-up may be needed)
    driven_to: tuple[Call, ...] = ()

    @property
    def busy_share(self) -> float:
        """The share of units on duty that could not be sent now (MEXCLP's busy fraction q),
        held inside [0.05, 0.95] so neither an idle nor a saturated moment zeroes the model."""
        on_duty = [r for r in self.resources if r.dispatchable or r.status in _ON_DUTY_BUSY]
        if not on_duty:
            return 0.95
        busy = sum(1 for r in on_duty if not r.dispatchable)
        return min(0.95, max(0.05, busy / len(on_duty)))

    def resource(self, unit_id: str) -> Resource | None:
        return next((r for r in self.resources if r.unit_id == unit_id), None)


def of_picture(picture: Picture) -> Situation | None:
    """The situation the live picture describes (None before its first event)."""
    now = picture.now
    if now is None:
        return None
    grades = {i.incident_id: i.grade.value for i in picture.incidents.values()}
    resources = tuple(
        Resource(
            u.unit_id,
            u.callsign,
            u.unit_type.value,
            u.bcu,
            u.lat,
            u.lon,
            u.status.value,
            u.incident_id,
            grades.get(u.incident_id) if u.incident_id else None,
            _journey(picture, u),
            u.fix_at,
        )
        for u in picture.units.values()
        if u.status is not UnitStatus.OFF_DUTY
    )
    waiting, driven_to = [], []
    for i in picture.incidents.values():
        if i.target_at is None or i.grade not in TARGETED:
            continue
        if i.status is IncidentStatus.OPEN:
            waiting.append(_call(i))
        elif i.status is IncidentStatus.ASSIGNED and i.grade is Grade.IMMEDIATE:
            driven_to.append(_call(i))
    return Situation(
        now,
        resources,
        tuple(sorted(waiting, key=lambda c: c.target_at)),
        tuple(sorted(driven_to, key=lambda c: c.target_at)),
    )


def _call(i: Incident) -> Call:
    assert i.target_at is not None
    return Call(
        i.incident_id,
        i.reference,
        i.grade.value,
        i.category,
        i.lat,
        i.lon,
        i.bcu,
        i.created_at,
        i.target_at,
    )


def _journey(picture: Picture, unit: Unit) -> Journey | None:
    """Where and when an en-route unit set off for the incident it is committed to."""
    if unit.status is not UnitStatus.EN_ROUTE:
        return None
    found = picture.set_off.get(unit.unit_id)
    if found is None or found.incident_id != unit.incident_id:
        return None
    return Journey(found.lat, found.lon, found.at, _START_S.get(found.status.value, 0.0))


TARGETED = frozenset(g for g in Grade if g in TARGET_SECONDS)
