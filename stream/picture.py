"""The live picture: the current operational state, a pure fold of recorded events.

Same log, same picture — always. ``apply`` changes the picture only as the event says and
reads nothing but the event and the picture (no clock, no I/O), so a replay, a snapshot plus
its tail, and the sequencer's running picture are identical. ``check`` holds every business
rule in one place: the sequencer asks it before giving an event a ``seq``, so conflicting
commands are decided here, deterministically, in log order.

Each event type has one rule (``_CHECKS``) and one effect (``_APPLIES``), registered per
payload class. Per-BCU counts are kept incrementally (every status, grade or BCU change goes
through ``_set_*``), so ``bcu_counts`` costs the same with 10 or 10,000 incidents.
Closed incidents stay ``RETAIN_CLOSED`` of event time, then leave, so the picture of a
year-long log stays the size of a day.

Event time is measured by :class:`stream.clock.EventClock`: the latest event time, except
that one event stamped far ahead (a log written before the sequencer bounded event times)
does not move it, so such an event can neither evict every closed incident at once nor
leave the compliance KPI with no target due "in the last hour" until real time catches up.
Every sum of a time and a duration goes through ``shift``, which cannot overflow.
"""

from __future__ import annotations

import gc
import heapq
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from stream.clock import EventClock, shift
from stream.events import (
    BCU_CODES,
    DISPATCHABLE,
    TARGET_SECONDS,
    AlertAcknowledged,
    Grade,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    IncidentNoted,
    MutualAidDeclined,
    MutualAidGranted,
    MutualAidRequested,
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
    alert_key,
)
from stream.mutualaid import MutualAid

#: Closed incidents leave the live picture this long (in event time) after closing.
RETAIN_CLOSED = timedelta(hours=24)
SIDE_EFFECTS_KEPT = 100_000
#: The window of the I-grade compliance KPI (event time).
KPI_WINDOW = timedelta(hours=1)
COMMITTED = frozenset({UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})
#: Grades with a live attendance target: the demand a BCU must meet now.
LIVE_GRADES = frozenset(TARGET_SECONDS)
BCUS: tuple[str, ...] = tuple(sorted(BCU_CODES))
_I_TARGET = timedelta(seconds=TARGET_SECONDS[Grade.IMMEDIATE])


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
            _iso(self.assigned_at),
            _iso(self.arrived_at),
            _iso(self.closed_at),
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
            _time(assigned),
            _time(arrived),
            _time(closed),
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
            assigned_at=_time(d["assigned_at"]),
            arrived_at=_time(d["arrived_at"]),
            closed_at=_time(d["closed_at"]),
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
            _iso(self.status_since),
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
            _time(since),
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
            status_since=_time(d.get("status_since")),
        )


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
        self.seq = 0  # the last seq applied (0: nothing yet)
        self.clock = EventClock()  # "now": the latest event time, outliers aside
        self.incidents: dict[str, Incident] = {}
        self.units: dict[str, Unit] = {}
        # Mutual aid requests waiting for a commander's answer, by request id.
        self.mutual_aid: dict[str, MutualAid] = {}
        self._closed: list[tuple[datetime, str]] = []  # heap of (closed_at, id) to evict
        # Snapshot rows of closed incidents, which never change again: most of a day's
        # incidents are closed, so a snapshot re-encodes only what is still live.
        self._frozen: dict[str, list[Any]] = {}
        # I-grade incidents (open or closed), the only ones the compliance KPI looks at.
        self._immediate: dict[str, Incident] = {}
        # Derived counts, kept in step by _set_* (and rebuilt by from_snapshot).
        self._open: dict[str, dict[Grade, int]] = {b: dict.fromkeys(Grade, 0) for b in BCUS}
        self._awaiting: dict[str, int] = dict.fromkeys(BCUS, 0)
        self._by_status: dict[str, dict[UnitStatus, int]] = {
            b: dict.fromkeys(UnitStatus, 0) for b in BCUS
        }
        # What changed besides the record's own subjects (units released when an incident
        # closes, an incident a unit left), as (seq, "unit" | "incident", id), so a screen
        # that upserts the state of what each record touched misses nothing.
        self.side_effects: deque[tuple[int, str, str]] = deque(maxlen=SIDE_EFFECTS_KEPT)
        self._applying = 0
        self._applying_at: datetime | None = None  # event time of the record being applied
        # Alerts someone has acknowledged, by alert_key: (when, by whom). An entry goes when
        # its condition clears, so the next breach alerts again.
        self.acknowledged: dict[str, tuple[datetime, str]] = {}

    # -- the fold ----------------------------------------------------------------------

    def check(self, v: Validated) -> str | None:
        """Why this event cannot be accepted now (a short sentence), or None if it can."""
        data = v.event.data
        return _CHECKS[type(data)](self, v, data)

    def apply(self, r: Recorded) -> None:
        """Fold one recorded event in. Records must come in ``seq`` order, gap-free.

        A record the rules would have refused (an older log, a bug) changes what it can and
        never raises: a consumer that crashed here would crash again on every replay."""
        if r.seq != self.seq + 1:
            raise ValueError(f"picture is at seq {self.seq}; cannot apply seq {r.seq}")
        now = self.clock.advance(r.event.time)
        self._applying, self._applying_at = r.seq, r.event.time
        _APPLIES[type(r.event.data)](self, r, r.event.data)
        self.seq = r.seq
        if self._closed and self._closed[0][0] <= (horizon := shift(now, -RETAIN_CLOSED)):
            self._evict(horizon)

    @property
    def now(self) -> datetime | None:
        """The picture's event time (None before any event): see :class:`EventClock`."""
        return self.clock.now

    def _evict(self, horizon: datetime) -> None:
        while self._closed and self._closed[0][0] <= horizon:
            _, incident_id = heapq.heappop(self._closed)
            self.incidents.pop(incident_id, None)
            self._frozen.pop(incident_id, None)
            self._immediate.pop(incident_id, None)

    # -- every change to a counted field goes through these --------------------------------

    def _count_incident(self, incident: Incident, sign: int) -> None:
        if incident.status is IncidentStatus.CLOSED:
            return
        by_grade = self._open.get(incident.bcu)
        if by_grade is None:  # not a Met BCU (only from a record the rules refused)
            return
        by_grade[incident.grade] += sign
        if incident.status is IncidentStatus.OPEN and incident.grade in LIVE_GRADES:
            self._awaiting[incident.bcu] += sign

    def _set_incident(
        self, incident: Incident, status: IncidentStatus | None = None, grade: Grade | None = None
    ) -> None:
        self._count_incident(incident, -1)
        if status is not None:
            incident.status = status
        if grade is not None:
            incident.grade = grade
        self._count_incident(incident, +1)

    def _set_unit(
        self, unit: Unit, status: UnitStatus | None = None, bcu: str | None = None
    ) -> None:
        counts = self._by_status
        if unit.bcu in counts:
            counts[unit.bcu][unit.status] -= 1
        if status is not None and status is not unit.status:
            unit.status = status
            unit.status_since = self._applying_at
        if bcu is not None:
            unit.bcu = bcu
        if unit.bcu in counts:
            counts[unit.bcu][unit.status] += 1
        self._rearm(unit)

    def _rearm(self, unit: Unit) -> None:
        """An IRV free to send ends its BCU's "no IRV" alert: a later shortage alerts again."""
        available = unit.status in DISPATCHABLE and unit.unit_type is UnitType.IRV
        if self.acknowledged and available:
            self.acknowledged.pop(alert_key("no_irv", unit.bcu), None)

    def _rearm_incident(self, incident: Incident) -> None:
        """A unit sent (or the incident closed) ends the incident's alerts."""
        if self.acknowledged:
            for kind in ("i_unassigned",):
                self.acknowledged.pop(alert_key(kind, incident.bcu, incident.incident_id), None)

    def _restatus(self, incident: Incident) -> None:
        """An open incident's status from the units attached to it now."""
        if incident.status is IncidentStatus.CLOSED:
            return
        units = self.units
        if any(units[u].status is UnitStatus.ON_SCENE for u in incident.units if u in units):
            status = IncidentStatus.ON_SCENE
        elif incident.units:
            status = IncidentStatus.ASSIGNED
        else:
            status = IncidentStatus.OPEN
        if status is not incident.status:
            self._set_incident(incident, status)

    def _release(self, unit: Unit, status: UnitStatus) -> None:
        """Detach a unit from the incident it was committed to, and set its status."""
        incident_id, unit.incident_id = unit.incident_id, None
        self._set_unit(unit, status)
        incident = self.incidents.get(incident_id) if incident_id is not None else None
        if incident is not None and unit.unit_id in incident.units:
            incident.units.remove(unit.unit_id)
            self._restatus(incident)
            self.side_effects.append((self._applying, "incident", incident.incident_id))

    # -- what screens need --------------------------------------------------------------

    def side_effects_in(self, after: int, upto: int) -> list[tuple[str, str]]:
        """(kind, id) of what records after..upto changed besides their own subjects (the
        latest ``SIDE_EFFECTS_KEPT`` are kept)."""
        found = []
        for seq, kind, ident in reversed(self.side_effects):
            if seq <= after:
                break
            if seq <= upto:
                found.append((kind, ident))
        return found

    def bcu_counts(self) -> dict[str, BcuCounts]:
        """Per Met BCU (all 12, sorted by code): demand, capacity and their parts."""
        result = {}
        for bcu in BCUS:
            by_grade, statuses = self._open[bcu], self._by_status[bcu]
            demand = by_grade[Grade.IMMEDIATE] + by_grade[Grade.SIGNIFICANT]
            capacity = sum(statuses.values()) - statuses[UnitStatus.OFF_DUTY]
            result[bcu] = BcuCounts(
                bcu=bcu,
                open_by_grade={g.value: n for g, n in by_grade.items()},
                units_by_status={s.value: n for s, n in statuses.items()},
                awaiting_unit=self._awaiting[bcu],
                demand=demand,
                capacity=capacity,
                available=sum(statuses[s] for s in DISPATCHABLE),
                load=round(demand / capacity, 3) if capacity else float(demand),
            )
        return result

    def kpis(self) -> dict[str, Any]:
        """London-wide figures for the KPI strip, all in event time (``now``), JSON-able."""
        counts = self.bcu_counts()
        return {
            "seq": self.seq,
            "as_of": _iso(self.now),
            "open_i": sum(c.open_by_grade[Grade.IMMEDIATE] for c in counts.values()),
            "open_s": sum(c.open_by_grade[Grade.SIGNIFICANT] for c in counts.values()),
            "awaiting_unit": sum(c.awaiting_unit for c in counts.values()),
            "available_units": sum(c.available for c in counts.values()),
            "on_duty_units": sum(c.capacity for c in counts.values()),
            "i_within_target_last_hour": self.i_compliance_last_hour(),
            "bcus": {b: c.to_dict() for b, c in counts.items()},
        }

    def i_compliance_last_hour(self) -> float | None:
        """Share of I-grade incidents whose 15-minute target fell due in the last hour of
        event time that had a unit there in time (None when no target fell due).

        Counting by due time, not creation, means every incident counted has a known
        result: attended in time, or breached."""
        if self.now is None:
            return None
        # target_at = created_at + 15 min in (now - 1 h, now]  <=>  created_at in (lo, hi]
        hi = shift(self.now, -_I_TARGET)
        lo = shift(hi, -KPI_WINDOW)
        due = on_time = 0
        for i in self._immediate.values():
            if lo < i.created_at <= hi:
                due += 1
                if i.arrived_at is not None and i.arrived_at - i.created_at <= _I_TARGET:
                    on_time += 1
        return round(on_time / due, 4) if due else None

    # -- snapshots ------------------------------------------------------------------------

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-able copy from which :meth:`from_snapshot` rebuilds this exact picture.
        Read it or serialise it; do not change it (rows of closed incidents are shared)."""
        frozen = self._frozen
        rows = []
        for incident in self.incidents.values():
            row = frozen.get(incident.incident_id)
            if row is None:
                row = incident.to_row()
                if incident.status is IncidentStatus.CLOSED:
                    frozen[incident.incident_id] = row
            rows.append(row)
        # Rows, not dicts: half the JSON, twice as fast to write (one every N events).
        return {
            "seq": self.seq,
            "now": _iso(self.now),
            "recent": self.clock.state(),
            "incident_fields": list(INCIDENT_FIELDS),
            "incidents": rows,
            "unit_fields": list(UNIT_FIELDS),
            "units": [u.to_row() for u in self.units.values()],
            "mutual_aid": [m.to_dict() for m in self.mutual_aid.values()],
            "acknowledged": [[k, t.isoformat(), by] for k, (t, by) in self.acknowledged.items()],
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Picture:
        picture = cls()
        picture.seq = int(data["seq"])
        picture.clock.restore(_time(data["now"]), data.get("recent"))
        with _no_gc():
            picture._load(data)
        return picture

    def _load(self, data: Mapping[str, Any]) -> None:
        picture = self
        fields = tuple(data.get("incident_fields", ()))
        for raw in data["incidents"]:
            if fields == INCIDENT_FIELDS:
                incident = Incident.from_row(raw)
            elif isinstance(raw, Mapping):  # an older snapshot: one dict per incident
                incident = Incident.from_dict(raw)
            else:  # rows laid out by another version
                incident = Incident.from_dict(dict(zip(fields, raw, strict=True)))
            picture.incidents[incident.incident_id] = incident
            picture._count_incident(incident, +1)
            if incident.grade is Grade.IMMEDIATE:
                picture._immediate[incident.incident_id] = incident
            if incident.closed_at is not None:
                picture._closed.append((incident.closed_at, incident.incident_id))
        heapq.heapify(picture._closed)
        fields = tuple(data.get("unit_fields", ()))
        for raw in data["units"]:
            if fields == UNIT_FIELDS:
                unit = Unit.from_row(raw)
            elif isinstance(raw, Mapping):
                unit = Unit.from_dict(raw)
            else:
                unit = Unit.from_dict(dict(zip(fields, raw, strict=True)))
            picture.units[unit.unit_id] = unit
            if unit.bcu in picture._by_status:
                picture._by_status[unit.bcu][unit.status] += 1
        for raw in data.get("mutual_aid", ()):
            request = MutualAid.from_dict(dict(raw))
            picture.mutual_aid[request.request_id] = request
        for key, at, by in data.get("acknowledged", ()):
            picture.acknowledged[key] = (datetime.fromisoformat(at), by)

    @classmethod
    def from_json(cls, text: str | bytes) -> Picture:
        """:meth:`from_snapshot` of JSON text, parsed with the GC paused (about 4x faster on
        a day-sized picture than ``json.loads`` with collections running)."""
        with _no_gc():
            data = json.loads(text)
        return cls.from_snapshot(data)

    def recounted(self) -> Picture:
        """A copy with every derived count rebuilt from scratch (to check the running ones)."""
        return Picture.from_snapshot(self.to_snapshot())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Picture):
            return NotImplemented
        return (
            self.seq == other.seq
            and self.now == other.now
            and self.clock.recent == other.clock.recent
            and self.incidents == other.incidents
            and self.units == other.units
            and sorted(self._closed) == sorted(other._closed)
            and self._open == other._open
            and self._awaiting == other._awaiting
            and self._by_status == other._by_status
            and self._immediate.keys() == other._immediate.keys()
            and self.acknowledged == other.acknowledged
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Picture seq={self.seq} incidents={len(self.incidents)} units={len(self.units)}>"


def fold(records: Iterable[Recorded], start: Picture | None = None) -> Picture:
    """The picture after applying ``records`` (in order) to ``start`` (or an empty picture).
    ``start`` is changed in place and returned."""
    picture = start if start is not None else Picture()
    for record in records:
        picture.apply(record)
    return picture


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while loading: a snapshot makes tens of thousands of objects, none
    of them garbage, and collections triggered by their allocation tripled the load time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# -- rules and effects, one pair per event type ----------------------------------------------


def _open_incident(picture: Picture, incident_id: str) -> tuple[Incident | None, str | None]:
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return None, f"unknown incident {incident_id}"
    if incident.status is IncidentStatus.CLOSED:
        return None, f"incident {incident_id} is closed"
    return incident, None


def _known_unit(picture: Picture, unit_id: str) -> tuple[Unit | None, str | None]:
    unit = picture.units.get(unit_id)
    return (unit, None) if unit is not None else (None, f"unknown unit {unit_id}")


@_checks(IncidentCreated)
def _check_created(picture: Picture, v: Validated, data: IncidentCreated) -> str | None:
    if data.incident_id in picture.incidents:
        return f"incident {data.incident_id} already exists"
    if v.bcu is None:
        return f"incident {data.incident_id} is not in a Met BCU"
    return None


@_applies(IncidentCreated)
def _apply_created(picture: Picture, r: Recorded, data: IncidentCreated) -> None:
    if data.incident_id in picture.incidents:
        return
    incident = Incident(
        incident_id=data.incident_id,
        grade=data.grade,
        category=data.category,
        lat=data.lat,
        lon=data.lon,
        borough=r.borough or "",
        bcu=r.bcu or "",
        created_at=r.event.time,
        summary=data.summary,
        graded_history=[(r.event.time, data.grade)],
        reference=data.reference,
        address=data.address,
    )
    picture.incidents[data.incident_id] = incident
    picture._count_incident(incident, +1)
    if data.grade is Grade.IMMEDIATE:
        picture._immediate[data.incident_id] = incident


@_checks(IncidentGraded)
def _check_graded(picture: Picture, v: Validated, data: IncidentGraded) -> str | None:
    return _open_incident(picture, data.incident_id)[1]


@_applies(IncidentGraded)
def _apply_graded(picture: Picture, r: Recorded, data: IncidentGraded) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    if incident is not None:
        picture._set_incident(incident, grade=data.grade)
        incident.graded_history.append((r.event.time, data.grade))
        if data.grade is Grade.IMMEDIATE:
            picture._immediate[incident.incident_id] = incident
        else:
            picture._immediate.pop(incident.incident_id, None)


@_checks(IncidentAssigned)
def _check_assigned(picture: Picture, v: Validated, data: IncidentAssigned) -> str | None:
    incident, reason = _open_incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is off duty"
    if unit.incident_id == data.incident_id:
        return f"unit {unit.unit_id} is already assigned to incident {data.incident_id}"
    if unit.incident_id is not None:
        return f"unit {unit.unit_id} is committed to incident {unit.incident_id}"
    return None


@_applies(IncidentAssigned)
def _apply_assigned(picture: Picture, r: Recorded, data: IncidentAssigned) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    unit = picture.units.get(data.unit_id)
    if incident is None or unit is None:
        return
    picture._release(unit, UnitStatus.EN_ROUTE)
    unit.incident_id = incident.incident_id
    incident.units.append(unit.unit_id)
    if incident.first_unit is None:
        incident.first_unit = unit.unit_id
        incident.assigned_at = r.event.time
    picture._restatus(incident)
    picture._rearm_incident(incident)


@_checks(IncidentArrived)
def _check_arrived(picture: Picture, v: Validated, data: IncidentArrived) -> str | None:
    incident, reason = _open_incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.incident_id != data.incident_id:
        return f"unit {unit.unit_id} is not assigned to incident {data.incident_id}"
    if unit.status is UnitStatus.ON_SCENE:
        return f"unit {unit.unit_id} is already on scene at incident {data.incident_id}"
    return None


@_applies(IncidentArrived)
def _apply_arrived(picture: Picture, r: Recorded, data: IncidentArrived) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    unit = picture.units.get(data.unit_id)
    if incident is None or unit is None or unit.incident_id != data.incident_id:
        return
    picture._set_unit(unit, UnitStatus.ON_SCENE)
    if incident.arrived_at is None:
        incident.arrived_at = r.event.time
    picture._restatus(incident)


@_checks(IncidentClosed)
def _check_closed(picture: Picture, v: Validated, data: IncidentClosed) -> str | None:
    return _open_incident(picture, data.incident_id)[1]


@_applies(IncidentClosed)
def _apply_closed(picture: Picture, r: Recorded, data: IncidentClosed) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    if incident is None:
        return
    for unit_id in incident.units:
        unit = picture.units.get(unit_id)
        if unit is not None:
            unit.incident_id = None
            picture._set_unit(unit, UnitStatus.AVAILABLE)
            picture.side_effects.append((r.seq, "unit", unit_id))
    incident.units.clear()
    picture._set_incident(incident, IncidentStatus.CLOSED)
    incident.closed_at = r.event.time
    incident.outcome = data.outcome
    heapq.heappush(picture._closed, (r.event.time, incident.incident_id))
    picture._rearm_incident(incident)


@_checks(IncidentNoted)
def _check_noted(picture: Picture, v: Validated, data: IncidentNoted) -> str | None:
    # A closed incident still takes notes (the result of enquiries) while the picture has it.
    if data.incident_id not in picture.incidents:
        return f"unknown incident {data.incident_id}"
    return None


@_applies(IncidentNoted)
def _apply_noted(picture: Picture, r: Recorded, data: IncidentNoted) -> None:
    """Nothing in the picture changes: the note lives in the log, which is the timeline."""


@_checks(AlertAcknowledged)
def _check_acknowledged(picture: Picture, v: Validated, data: AlertAcknowledged) -> str | None:
    if data.incident_id is not None and data.incident_id not in picture.incidents:
        return f"unknown incident {data.incident_id}"
    seen = picture.acknowledged.get(data.key)
    if seen is not None:
        return f"alert {data.key} was acknowledged by {seen[1]} at {seen[0]:%H:%M:%S} UTC"
    return None


@_applies(AlertAcknowledged)
def _apply_acknowledged(picture: Picture, r: Recorded, data: AlertAcknowledged) -> None:
    picture.acknowledged[data.key] = (r.event.time, data.by)


@_checks(UnitOnDuty)
def _check_on_duty(picture: Picture, v: Validated, data: UnitOnDuty) -> str | None:
    unit = picture.units.get(data.unit_id)
    if unit is not None and unit.status is not UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is already on duty"
    return None


@_applies(UnitOnDuty)
def _apply_on_duty(picture: Picture, r: Recorded, data: UnitOnDuty) -> None:
    old = picture.units.get(data.unit_id)
    if old is not None:  # back on duty: forget the last shift's details
        picture._release(old, UnitStatus.OFF_DUTY)
        picture._by_status[old.bcu][UnitStatus.OFF_DUTY] -= 1
    unit = Unit(
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
    picture.units[data.unit_id] = unit
    picture._by_status[unit.bcu][unit.status] += 1
    picture._rearm(unit)


@_checks(UnitOffDuty)
def _check_off_duty(picture: Picture, v: Validated, data: UnitOffDuty) -> str | None:
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is not None and unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is already off duty"
    return reason


@_applies(UnitOffDuty)
def _apply_off_duty(picture: Picture, r: Recorded, data: UnitOffDuty) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture._release(unit, UnitStatus.OFF_DUTY)


@_checks(UnitStatusChanged)
def _check_status(picture: Picture, v: Validated, data: UnitStatusChanged) -> str | None:
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if data.status is UnitStatus.OFF_DUTY:
        return "use unit.off_duty to take a unit off duty"
    if data.status in COMMITTED:
        return f"status {data.status.value} comes from incident.assigned or incident.arrived"
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is off duty"
    return None


@_applies(UnitStatusChanged)
def _apply_status(picture: Picture, r: Recorded, data: UnitStatusChanged) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture._release(unit, data.status)


@_checks(UnitLocated)
def _check_located(picture: Picture, v: Validated, data: UnitLocated) -> str | None:
    return None if data.unit_id in picture.units else f"unknown unit {data.unit_id}"


@_applies(UnitLocated)
def _apply_located(picture: Picture, r: Recorded, data: UnitLocated) -> None:
    # ~90% of all traffic: a position changes no count, so touch nothing else.
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        unit.lat, unit.lon, unit.fix_at, unit.borough = data.lat, data.lon, r.event.time, r.borough


@_checks(UnitRedeployed)
def _check_redeployed(picture: Picture, v: Validated, data: UnitRedeployed) -> str | None:
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is off duty"
    if unit.bcu == data.bcu:
        return f"unit {unit.unit_id} is already deployed to {data.bcu}"
    return None


@_applies(UnitRedeployed)
def _apply_redeployed(picture: Picture, r: Recorded, data: UnitRedeployed) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture._set_unit(unit, bcu=data.bcu)


# -- mutual aid (stream.mutualaid) ----------------------------------------------------------

_API_SOURCE = "bluelamp-api/"  # stream.trust.RESERVED_PREFIX (trust imports this module)


def _by_check(v: Validated, by: str) -> str | None:
    """Mutual aid is asked for and decided by people, through the API, as themselves."""
    if v.event.source != _API_SOURCE + by:
        return f"mutual aid is recorded through the API by the person named in by ({by})"
    return None


@_checks(MutualAidRequested)
def _check_aid_requested(picture: Picture, v: Validated, data: MutualAidRequested) -> str | None:
    if data.request_id in picture.mutual_aid:
        return f"mutual aid request {data.request_id} already exists"
    incident, reason = _open_incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status not in DISPATCHABLE:
        return f"unit {unit.callsign} is {unit.status.value.replace('_', ' ')}, not available"
    if unit.bcu != data.from_bcu or incident.bcu != data.to_bcu:
        return (
            f"unit {unit.callsign} is deployed to {unit.bcu} and incident "
            f"{incident.incident_id} is in {incident.bcu}, not {data.from_bcu} and {data.to_bcu}"
        )
    return _by_check(v, data.by)


@_applies(MutualAidRequested)
def _apply_aid_requested(picture: Picture, r: Recorded, data: MutualAidRequested) -> None:
    picture.mutual_aid[data.request_id] = MutualAid(
        data.request_id,
        data.incident_id,
        data.unit_id,
        data.from_bcu,
        data.to_bcu,
        data.reason,
        data.by,
        r.event.time,
        r.seq,
    )


def _check_answer(
    picture: Picture, v: Validated, data: MutualAidGranted | MutualAidDeclined
) -> str | None:
    request = picture.mutual_aid.get(data.request_id)
    if request is None:
        return f"no open mutual aid request {data.request_id} (answered already, or unknown)"
    if (request.incident_id, request.unit_id) != (data.incident_id, data.unit_id):
        return (
            f"mutual aid request {data.request_id} is for {request.unit_id} "
            f"to {request.incident_id}"
        )
    return _by_check(v, data.by)


@_checks(MutualAidGranted)
def _check_aid_granted(picture: Picture, v: Validated, data: MutualAidGranted) -> str | None:
    return _check_answer(picture, v, data)


@_checks(MutualAidDeclined)
def _check_aid_declined(picture: Picture, v: Validated, data: MutualAidDeclined) -> str | None:
    return _check_answer(picture, v, data)


@_applies(MutualAidGranted)
def _apply_aid_granted(picture: Picture, r: Recorded, data: MutualAidGranted) -> None:
    picture.mutual_aid.pop(data.request_id, None)


@_applies(MutualAidDeclined)
def _apply_aid_declined(picture: Picture, r: Recorded, data: MutualAidDeclined) -> None:
    picture.mutual_aid.pop(data.request_id, None)
