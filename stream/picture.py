"""The live picture: the current operational state, a pure fold of recorded events.

Same log, same picture — always. ``apply`` changes the picture only as the event says and
reads nothing but the event and the picture (no clock, no I/O), so a replay, a snapshot plus
its tail, and the sequencer's running picture are identical. ``check`` holds every business
rule in one place: the sequencer asks it before giving an event a ``seq``, so conflicting
commands are decided here, deterministically, in log order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from stream.events import (
    BCU_CODES,
    TARGET_SECONDS,
    Grade,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    Payload,
    Recorded,
    UnitLocated,
    UnitOffDuty,
    UnitOnDuty,
    UnitRedeployed,
    UnitStatus,
    UnitStatusChanged,
    UnitType,
    Validated,
)

#: Closed incidents leave the live picture this long (in event time) after closing.
RETAIN_CLOSED = timedelta(hours=24)
COMMITTED = frozenset({UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})


class IncidentStatus(StrEnum):
    OPEN = "open"  # no unit assigned yet
    ASSIGNED = "assigned"  # a unit is on its way
    ON_SCENE = "on_scene"  # a unit has arrived
    CLOSED = "closed"


@dataclass(slots=True)
class Incident:
    incident_id: str
    grade: Grade
    category: str
    lat: float
    lon: float
    borough: str
    bcu: str
    created_at: datetime
    summary: str | None = None
    status: IncidentStatus = IncidentStatus.OPEN
    units: list[str] = field(default_factory=list)
    first_unit: str | None = None
    assigned_at: datetime | None = None
    arrived_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None

    @property
    def target_at(self) -> datetime | None:
        """When the attendance target falls due (None for grades with no live target)."""
        seconds = TARGET_SECONDS.get(self.grade)
        return None if seconds is None else self.created_at + timedelta(seconds=seconds)

    @property
    def response_seconds(self) -> float | None:
        """Creation to first arrival, the Met's response-time definition."""
        if self.arrived_at is None:
            return None
        return (self.arrived_at - self.created_at).total_seconds()


@dataclass(slots=True)
class Unit:
    unit_id: str
    callsign: str
    unit_type: UnitType
    home_bcu: str
    bcu: str  # where it is deployed now: home at on_duty, changed by unit.redeployed
    status: UnitStatus
    lat: float
    lon: float
    fix_at: datetime
    borough: str | None = None
    incident_id: str | None = None  # the incident it is committed to, if any


@dataclass(frozen=True, slots=True)
class BcuCounts:
    """One BCU at a glance. ``load`` = open I and S incidents per on-duty unit deployed here."""

    bcu: str
    open_by_grade: dict[str, int]
    units_by_status: dict[str, int]
    awaiting_unit: int  # open I/S incidents with no unit yet
    available: int
    on_duty: int
    load: float


P = TypeVar("P", bound=Payload)
_Checker = Callable[["Picture", Validated, Any], str | None]
_Applier = Callable[["Picture", Recorded, Any], None]
_CHECKS: dict[type[Payload], _Checker] = {}
_APPLIES: dict[type[Payload], _Applier] = {}


def _checks(kind: type[P]) -> Callable[[Callable[[Picture, Validated, P], str | None]], Any]:
    def register(fn: Callable[[Picture, Validated, P], str | None]) -> Any:
        _CHECKS[kind] = fn
        return fn

    return register


def _applies(kind: type[P]) -> Callable[[Callable[[Picture, Recorded, P], None]], Any]:
    def register(fn: Callable[[Picture, Recorded, P], None]) -> Any:
        _APPLIES[kind] = fn
        return fn

    return register


class Picture:
    """Incidents, units and per-BCU counts as of ``seq``. Change it only with :meth:`apply`."""

    def __init__(self) -> None:
        self.seq = 0
        self.now: datetime | None = None  # the latest event time applied
        self.incidents: dict[str, Incident] = {}
        self.units: dict[str, Unit] = {}
        self._closed: list[tuple[datetime, str]] = []  # heap of (closed_at, id) to evict

    # -- the fold ----------------------------------------------------------------------

    def check(self, validated: Validated) -> str | None:
        """Why this event cannot be accepted now, or None if it can."""
        data = validated.event.data
        return _CHECKS[type(data)](self, validated, data)

    def apply(self, record: Recorded) -> None:
        """Fold one recorded event in. Records must come in ``seq`` order, gap-free."""
        if record.seq != self.seq + 1:
            raise ValueError(f"picture is at seq {self.seq}; cannot apply seq {record.seq}")
        time = record.event.time
        if self.now is None or time > self.now:
            self.now = time
        _APPLIES[type(record.event.data)](self, record, record.event.data)
        self.seq = record.seq
        self._evict()

    def _evict(self) -> None:
        if self.now is None:
            return
        horizon = self.now - RETAIN_CLOSED
        while self._closed and self._closed[0][0] <= horizon:
            _, incident_id = heapq.heappop(self._closed)
            self.incidents.pop(incident_id, None)

    # -- what screens need --------------------------------------------------------------

    def bcu_counts(self) -> dict[str, BcuCounts]:
        open_by: dict[str, dict[str, int]] = {b: dict.fromkeys(Grade, 0) for b in BCU_CODES}
        awaiting = dict.fromkeys(BCU_CODES, 0)
        for incident in self.incidents.values():
            if incident.status is not IncidentStatus.CLOSED:
                open_by[incident.bcu][incident.grade] += 1
                live = incident.grade in TARGET_SECONDS
                if live and incident.status is IncidentStatus.OPEN:
                    awaiting[incident.bcu] += 1
        by_status: dict[str, dict[str, int]] = {b: dict.fromkeys(UnitStatus, 0) for b in BCU_CODES}
        for unit in self.units.values():
            by_status[unit.bcu][unit.status] += 1
        result = {}
        for bcu in sorted(BCU_CODES):
            statuses = by_status[bcu]
            on_duty = sum(statuses.values()) - statuses[UnitStatus.OFF_DUTY]
            live_open = open_by[bcu][Grade.IMMEDIATE] + open_by[bcu][Grade.SIGNIFICANT]
            result[bcu] = BcuCounts(
                bcu=bcu,
                open_by_grade={str(g): n for g, n in open_by[bcu].items()},
                units_by_status={str(s): n for s, n in statuses.items()},
                awaiting_unit=awaiting[bcu],
                available=statuses[UnitStatus.AVAILABLE],
                on_duty=on_duty,
                load=round(live_open / max(on_duty, 1), 3),
            )
        return result

    def kpis(self) -> dict[str, Any]:
        """London-wide figures for the KPI strip, all in event time (``now``)."""
        open_i = open_s = 0
        for incident in self.incidents.values():
            if incident.status is not IncidentStatus.CLOSED:
                open_i += incident.grade is Grade.IMMEDIATE
                open_s += incident.grade is Grade.SIGNIFICANT
        return {
            "seq": self.seq,
            "as_of": self.now.isoformat() if self.now else None,
            "open_i": open_i,
            "open_s": open_s,
            "available_units": sum(u.status is UnitStatus.AVAILABLE for u in self.units.values()),
            "on_duty_units": sum(u.status is not UnitStatus.OFF_DUTY for u in self.units.values()),
            "i_within_target_last_hour": self.i_compliance_last_hour(),
        }

    def i_compliance_last_hour(self) -> float | None:
        """Share of I-grade incidents whose 15-minute target fell due in the last hour that
        were attended in time (None if there were none)."""
        if self.now is None:
            return None
        since = self.now - timedelta(hours=1)
        due = [
            i
            for i in self.incidents.values()
            if i.grade is Grade.IMMEDIATE and i.target_at and since < i.target_at <= self.now
        ]
        if not due:
            return None
        on_time = sum(
            1 for i in due if i.arrived_at and i.target_at and i.arrived_at <= i.target_at
        )
        return round(on_time / len(due), 4)

    # -- snapshots ------------------------------------------------------------------------

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy from which :meth:`from_snapshot` rebuilds this exact picture."""
        return {
            "seq": self.seq,
            "now": self.now.isoformat() if self.now else None,
            "incidents": [_dump(asdict(i)) for i in self.incidents.values()],
            "units": [_dump(asdict(u)) for u in self.units.values()],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Picture:
        picture = cls()
        picture.seq = int(data["seq"])
        picture.now = datetime.fromisoformat(data["now"]) if data["now"] else None
        for raw in data["incidents"]:
            incident = Incident(**_load(raw, Incident))
            picture.incidents[incident.incident_id] = incident
            if incident.closed_at is not None:
                picture._closed.append((incident.closed_at, incident.incident_id))
        heapq.heapify(picture._closed)
        for raw in data["units"]:
            unit = Unit(**_load(raw, Unit))
            picture.units[unit.unit_id] = unit
        return picture

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Picture):
            return NotImplemented
        return (
            self.seq == other.seq
            and self.now == other.now
            and self.incidents == other.incidents
            and self.units == other.units
            and sorted(self._closed) == sorted(other._closed)
        )

    __hash__ = None  # type: ignore[assignment]


def _on_time(incident: Incident) -> bool:
    target = incident.target_at
    return incident.arrived_at is not None and target is not None and incident.arrived_at <= target


def fold(records: Iterable[Recorded], start: Picture | None = None) -> Picture:
    """The picture after applying ``records`` (in order) to ``start`` (or an empty picture)."""
    picture = start if start is not None else Picture()
    for record in records:
        picture.apply(record)
    return picture


# -- snapshot encoding ---------------------------------------------------------------------

_TIMES = ("created_at", "assigned_at", "arrived_at", "closed_at", "fix_at")


def _dump(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def _load(values: dict[str, Any], kind: type[Incident] | type[Unit]) -> dict[str, Any]:
    out = dict(values)
    for name in _TIMES:
        if out.get(name) is not None:
            out[name] = datetime.fromisoformat(out[name])
    if "grade" in out:
        out["grade"] = Grade(out["grade"])
    if "unit_type" in out:
        out["unit_type"] = UnitType(out["unit_type"])
    out["status"] = (IncidentStatus if kind is Incident else UnitStatus)(out["status"])
    if kind is Incident:
        out["units"] = list(out["units"])
    return out


# -- rules and effects, one pair per event type ----------------------------------------------


def _incident(picture: Picture, incident_id: str) -> tuple[Incident | None, str | None]:
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return None, f"unknown incident {incident_id}"
    if incident.status is IncidentStatus.CLOSED:
        return None, f"incident {incident_id} is closed"
    return incident, None


def _unit(picture: Picture, unit_id: str) -> tuple[Unit | None, str | None]:
    unit = picture.units.get(unit_id)
    return (unit, None) if unit is not None else (None, f"unknown unit {unit_id}")


def _release(picture: Picture, unit: Unit, status: UnitStatus) -> None:
    """Detach a unit from the incident it was committed to, and set its status."""
    if unit.incident_id is not None:
        incident = picture.incidents.get(unit.incident_id)
        if incident is not None and unit.unit_id in incident.units:
            incident.units.remove(unit.unit_id)
            if not incident.units and incident.status is not IncidentStatus.CLOSED:
                # Nobody left attached: it waits for a unit again (arrival time is history).
                incident.status = IncidentStatus.OPEN
        unit.incident_id = None
    unit.status = status


@_checks(IncidentCreated)
def _check_created(picture: Picture, v: Validated, data: IncidentCreated) -> str | None:
    if data.incident_id in picture.incidents:
        return f"incident {data.incident_id} already exists"
    if v.bcu is None:
        return f"incident {data.incident_id} is not in a Met BCU"
    return None


@_applies(IncidentCreated)
def _apply_created(picture: Picture, r: Recorded, data: IncidentCreated) -> None:
    picture.incidents[data.incident_id] = Incident(
        incident_id=data.incident_id,
        grade=data.grade,
        category=data.category,
        lat=data.lat,
        lon=data.lon,
        borough=r.borough or "",
        bcu=r.bcu or "",
        created_at=r.event.time,
        summary=data.summary,
    )


@_checks(IncidentGraded)
def _check_graded(picture: Picture, v: Validated, data: IncidentGraded) -> str | None:
    return _incident(picture, data.incident_id)[1]


@_applies(IncidentGraded)
def _apply_graded(picture: Picture, r: Recorded, data: IncidentGraded) -> None:
    picture.incidents[data.incident_id].grade = data.grade


@_checks(IncidentAssigned)
def _check_assigned(picture: Picture, v: Validated, data: IncidentAssigned) -> str | None:
    incident, reason = _incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.callsign} is off duty"
    if unit.incident_id == data.incident_id:
        return f"unit {unit.callsign} is already assigned to incident {data.incident_id}"
    if unit.status in COMMITTED and unit.incident_id is not None:
        return f"unit {unit.callsign} is committed to incident {unit.incident_id}"
    return None


@_applies(IncidentAssigned)
def _apply_assigned(picture: Picture, r: Recorded, data: IncidentAssigned) -> None:
    incident = picture.incidents[data.incident_id]
    unit = picture.units[data.unit_id]
    _release(picture, unit, UnitStatus.EN_ROUTE)
    unit.incident_id = incident.incident_id
    incident.units.append(unit.unit_id)
    if incident.first_unit is None:
        incident.first_unit = unit.unit_id
        incident.assigned_at = r.event.time
    if incident.status is IncidentStatus.OPEN:
        incident.status = IncidentStatus.ASSIGNED


@_checks(IncidentArrived)
def _check_arrived(picture: Picture, v: Validated, data: IncidentArrived) -> str | None:
    incident, reason = _incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _unit(picture, data.unit_id)
    if unit is None:
        return reason
    if data.unit_id not in incident.units:
        return f"unit {unit.callsign} is not assigned to incident {data.incident_id}"
    if unit.status is UnitStatus.ON_SCENE:
        return f"unit {unit.callsign} is already on scene"
    return None


@_applies(IncidentArrived)
def _apply_arrived(picture: Picture, r: Recorded, data: IncidentArrived) -> None:
    incident = picture.incidents[data.incident_id]
    picture.units[data.unit_id].status = UnitStatus.ON_SCENE
    if incident.arrived_at is None:
        incident.arrived_at = r.event.time
    incident.status = IncidentStatus.ON_SCENE


@_checks(IncidentClosed)
def _check_closed(picture: Picture, v: Validated, data: IncidentClosed) -> str | None:
    return _incident(picture, data.incident_id)[1]


@_applies(IncidentClosed)
def _apply_closed(picture: Picture, r: Recorded, data: IncidentClosed) -> None:
    incident = picture.incidents[data.incident_id]
    for unit_id in list(incident.units):
        unit = picture.units[unit_id]
        unit.incident_id = None
        unit.status = UnitStatus.AVAILABLE
    incident.units.clear()
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = r.event.time
    incident.outcome = data.outcome
    heapq.heappush(picture._closed, (r.event.time, incident.incident_id))


@_checks(UnitOnDuty)
def _check_on_duty(picture: Picture, v: Validated, data: UnitOnDuty) -> str | None:
    unit = picture.units.get(data.unit_id)
    if unit is not None and unit.status is not UnitStatus.OFF_DUTY:
        return f"unit {unit.callsign} is already on duty"
    return None


@_applies(UnitOnDuty)
def _apply_on_duty(picture: Picture, r: Recorded, data: UnitOnDuty) -> None:
    picture.units[data.unit_id] = Unit(
        unit_id=data.unit_id,
        callsign=data.callsign,
        unit_type=data.unit_type,
        home_bcu=data.home_bcu,
        bcu=data.home_bcu,
        status=UnitStatus.AVAILABLE,
        lat=data.lat,
        lon=data.lon,
        fix_at=r.event.time,
        borough=r.borough,
    )


@_checks(UnitOffDuty)
def _check_off_duty(picture: Picture, v: Validated, data: UnitOffDuty) -> str | None:
    unit, reason = _unit(picture, data.unit_id)
    if unit is not None and unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.callsign} is already off duty"
    return reason


@_applies(UnitOffDuty)
def _apply_off_duty(picture: Picture, r: Recorded, data: UnitOffDuty) -> None:
    _release(picture, picture.units[data.unit_id], UnitStatus.OFF_DUTY)


@_checks(UnitStatusChanged)
def _check_status(picture: Picture, v: Validated, data: UnitStatusChanged) -> str | None:
    unit, reason = _unit(picture, data.unit_id)
    if unit is None:
        return reason
    if data.status is UnitStatus.OFF_DUTY:
        return "a unit goes off duty with unit.off_duty, not unit.status"
    if data.status in COMMITTED:
        return f"{data.status.value} comes from incident.assigned or incident.arrived"
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.callsign} is off duty"
    return None


@_applies(UnitStatusChanged)
def _apply_status(picture: Picture, r: Recorded, data: UnitStatusChanged) -> None:
    _release(picture, picture.units[data.unit_id], data.status)


@_checks(UnitLocated)
def _check_located(picture: Picture, v: Validated, data: UnitLocated) -> str | None:
    return _unit(picture, data.unit_id)[1]


@_applies(UnitLocated)
def _apply_located(picture: Picture, r: Recorded, data: UnitLocated) -> None:
    unit = picture.units[data.unit_id]
    unit.lat, unit.lon, unit.fix_at, unit.borough = data.lat, data.lon, r.event.time, r.borough


@_checks(UnitRedeployed)
def _check_redeployed(picture: Picture, v: Validated, data: UnitRedeployed) -> str | None:
    unit, reason = _unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.callsign} is off duty"
    if unit.bcu == data.bcu:
        return f"unit {unit.callsign} is already deployed to {data.bcu}"
    return None


@_applies(UnitRedeployed)
def _apply_redeployed(picture: Picture, r: Recorded, data: UnitRedeployed) -> None:
    picture.units[data.unit_id].bcu = data.bcu
