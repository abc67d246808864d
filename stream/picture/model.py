"""The live picture's entities and their codecs: Incident, Unit, BcuCounts, IncidentStatus.

``to_row``/``from_row`` are the compact snapshot layout (``INCIDENT_FIELDS``,
``UNIT_FIELDS``); ``to_dict``/``from_dict`` the JSON-able one, which older snapshots used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from stream.clock import shift
from stream.events import BCU_CODES, TARGET_SECONDS, Grade, UnitStatus, UnitType

#: Statuses only assignment and arrival give: the unit is committed to an incident.
COMMITTED = frozenset({UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})
#: Grades with a live attendance target: the demand a BCU must meet now.
LIVE_GRADES = frozenset(TARGET_SECONDS)
BCUS: tuple[str, ...] = tuple(sorted(BCU_CODES))

#: Snapshot row layouts (each snapshot carries its own, so older snapshots still load).
INCIDENT_FIELDS: tuple[str, ...] = (
    "incident_id",
    "grade",
    "category",
    "lat",
    "lon",
    "borough",
    "bcu",
    "created_at",
    "summary",
    "status",
    "units",
    "first_unit",
    "assigned_at",
    "arrived_at",
    "closed_at",
    "outcome",
    "graded_history",
    "reference",
    "address",
)
UNIT_FIELDS: tuple[str, ...] = (
    "unit_id",
    "callsign",
    "unit_type",
    "home_bcu",
    "bcu",
    "status",
    "lat",
    "lon",
    "fix_at",
    "borough",
    "incident_id",
    "status_since",
)


class IncidentStatus(StrEnum):
    OPEN = "open"  # no unit attached
    ASSIGNED = "assigned"  # units on their way, none there yet
    ON_SCENE = "on_scene"  # an attached unit is there
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
    units: list[str] = field(default_factory=list)  # attached now, in order of assignment
    first_unit: str | None = None
    assigned_at: datetime | None = None  # first assignment
    arrived_at: datetime | None = None  # first arrival
    closed_at: datetime | None = None
    outcome: str | None = None
    graded_history: list[tuple[datetime, Grade]] = field(default_factory=list)  # incl. creation
    reference: str | None = None  # the CAD's reference, what people call it
    address: str | None = None

    @property
    def name(self) -> str:
        """What people call it: the CAD's reference, or its id when it has none."""
        return self.reference or self.incident_id

    @property
    def target_at(self) -> datetime | None:
        """When the attendance target falls due (None for grades with no live target)."""
        seconds = TARGET_SECONDS.get(self.grade)
        return None if seconds is None else shift(self.created_at, timedelta(seconds=seconds))

    @property
    def response_seconds(self) -> float | None:
        """Creation to first arrival, the Met's response-time definition."""
        if self.arrived_at is None:
            return None
        return (self.arrived_at - self.created_at).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        """JSON-able; :meth:`from_dict` gives it back exactly."""
        return dict(zip(INCIDENT_FIELDS, self.to_row(), strict=True))

    def to_row(self) -> list[Any]:
        """The values of :meth:`to_dict`, in ``INCIDENT_FIELDS`` order (compact snapshots)."""
        return [
            self.incident_id,
            self.grade,  # a str: JSON-able as it is
            self.category,
            self.lat,
            self.lon,
            self.borough,
            self.bcu,
            self.created_at.isoformat(),
            self.summary,
            self.status,
            list(self.units),
            self.first_unit,
            iso_time(self.assigned_at),
            iso_time(self.arrived_at),
            iso_time(self.closed_at),
            self.outcome,
            [[t.isoformat(), g] for t, g in self.graded_history],
            self.reference,
            self.address,
        ]

    @classmethod
    def from_row(cls, r: list[Any]) -> Incident:
        """The inverse of :meth:`to_row` (positional: the fast path for snapshots)."""
        (iid, grade, category, lat, lon, borough, bcu, created, summary, status, units) = r[:11]
        first_unit, assigned, arrived, closed, outcome, grades, reference, address = r[11:]
        return cls(
            iid,
            _GRADES[grade],
            category,
            lat,
            lon,
            borough,
            bcu,
            datetime.fromisoformat(created),
            summary,
            _INCIDENT_STATUSES[status],
            list(units),
            first_unit,
            parse_time(assigned),
            parse_time(arrived),
            parse_time(closed),
            outcome,
            [(datetime.fromisoformat(t), _GRADES[g]) for t, g in grades],
            reference,
            address,
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Incident:
        return cls(
            incident_id=d["incident_id"],
            grade=_GRADES[d["grade"]],
            category=d["category"],
            lat=d["lat"],
            lon=d["lon"],
            borough=d["borough"],
            bcu=d["bcu"],
            created_at=datetime.fromisoformat(d["created_at"]),
            summary=d["summary"],
            status=_INCIDENT_STATUSES[d["status"]],
            units=list(d["units"]),
            first_unit=d["first_unit"],
            assigned_at=parse_time(d["assigned_at"]),
            arrived_at=parse_time(d["arrived_at"]),
            closed_at=parse_time(d["closed_at"]),
            outcome=d["outcome"],
            graded_history=[
                (datetime.fromisoformat(t), _GRADES[g]) for t, g in d["graded_history"]
            ],
            reference=d.get("reference"),  # older snapshots have neither
            address=d.get("address"),
        )


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
    fix_at: datetime  # time of the last position (on_duty or location)
    borough: str | None = None  # of the last position
    incident_id: str | None = None  # the incident it is committed to, if any
    # Event time of its last change of status (on duty counts as one): "busy 23 min".
    status_since: datetime | None = None

    def __post_init__(self) -> None:
        if self.status_since is None:
            self.status_since = self.fix_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-able; :meth:`from_dict` gives it back exactly."""
        return dict(zip(UNIT_FIELDS, self.to_row(), strict=True))

    def to_row(self) -> list[Any]:
        """The values of :meth:`to_dict`, in ``UNIT_FIELDS`` order (compact snapshots)."""
        return [
            self.unit_id,
            self.callsign,
            self.unit_type,
            self.home_bcu,
            self.bcu,
            self.status,
            self.lat,
            self.lon,
            self.fix_at.isoformat(),
            self.borough,
            self.incident_id,
            iso_time(self.status_since),
        ]

    @classmethod
    def from_row(cls, r: list[Any]) -> Unit:
        """The inverse of :meth:`to_row`."""
        uid, callsign, unit_type, home_bcu, bcu, status, lat, lon, fix_at, borough, iid, since = r
        return cls(
            uid,
            callsign,
            _UNIT_TYPES[unit_type],
            home_bcu,
            bcu,
            _UNIT_STATUSES[status],
            lat,
            lon,
            datetime.fromisoformat(fix_at),
            borough,
            iid,
            parse_time(since),
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Unit:
        return cls(
            unit_id=d["unit_id"],
            callsign=d["callsign"],
            unit_type=_UNIT_TYPES[d["unit_type"]],
            home_bcu=d["home_bcu"],
            bcu=d["bcu"],
            status=_UNIT_STATUSES[d["status"]],
            lat=d["lat"],
            lon=d["lon"],
            fix_at=datetime.fromisoformat(d["fix_at"]),
            borough=d["borough"],
            incident_id=d["incident_id"],
            # Snapshots from before time in status: the last fix is the best bound we have.
            status_since=parse_time(d.get("status_since")),
        )


@dataclass(frozen=True, slots=True)
class SetOff:
    """Where and when a unit was sent to an incident, and its status then (from the station
    or a report it takes longer to get going): how it has driven since tells whether it will
    be late (stream.recommend.backup)."""

    incident_id: str
    lat: float
    lon: float
    at: datetime
    status: UnitStatus

    def to_row(self) -> list[Any]:
        return [self.incident_id, self.lat, self.lon, self.at.isoformat(), self.status.value]

    @classmethod
    def from_row(cls, r: list[Any]) -> SetOff:
        incident_id, lat, lon, at, status = r
        return cls(incident_id, lat, lon, datetime.fromisoformat(at), _UNIT_STATUSES[status])


@dataclass(frozen=True, slots=True)
class BcuCounts:
    """One BCU at a glance: its demand (open I and S incidents) against its capacity (units
    on duty deployed to it, by current BCU). ``load`` = demand / capacity (demand itself when
    no unit is on duty, so an uncovered BCU with demand stands out)."""

    bcu: str
    open_by_grade: dict[str, int]  # open (not closed) incidents by grade
    units_by_status: dict[str, int]  # units deployed here, by status
    awaiting_unit: int  # open I/S incidents with no unit attached
    demand: int  # open I and S incidents
    capacity: int  # on-duty units deployed here
    available: int  # of those, the ones that can be sent (available or at station)
    load: float

    @property
    def on_duty(self) -> int:
        return self.capacity

    def to_dict(self) -> dict[str, Any]:
        return {
            "bcu": self.bcu,
            "open_by_grade": dict(self.open_by_grade),
            "units_by_status": dict(self.units_by_status),
            "awaiting_unit": self.awaiting_unit,
            "demand": self.demand,
            "capacity": self.capacity,
            "available": self.available,
            "load": self.load,
        }


# Value -> member by dict: Enum(value) is several times slower, and snapshots load thousands.
_GRADES = {g.value: g for g in Grade}
_INCIDENT_STATUSES = {s.value: s for s in IncidentStatus}
_UNIT_STATUSES = {s.value: s for s in UnitStatus}
_UNIT_TYPES = {t.value: t for t in UnitType}


def iso_time(value: datetime | None) -> str | None:
    """ISO text of a time, or None (the snapshot's and the KPI strip's encoding)."""
    return None if value is None else value.isoformat()


def parse_time(value: str | None) -> datetime | None:
    """The inverse of :func:`iso_time`."""
    return None if value is None else datetime.fromisoformat(value)
