"""How records change the reports' read models: one page of records folded in memory
(:class:`Batch`, a projection per event type), then written at once.

Unit time is counted between consecutive events about a unit. An interval longer than
``MAX_UNIT_INTERVAL`` (no shift is that long, and a unit on duty reports its position every
few seconds) is not counted at all, and kept in ``Batch.skipped`` for the read model to log:
one end of it is a time no feed should have sent (a log written before the sequencer
bounded event times: a unit "on duty since 1970" would otherwise be ~500,000 hour rows,
since year 1 millions). So each event costs at most a day of hour rows, however wrong its
time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, null, update
from sqlalchemy.dialects import postgresql, sqlite

from reports.history import cell_of
from reports.tables import (
    report_incidents,
    report_redeployments,
    report_unit_hours,
    report_unit_state,
)
from stream.clock import shift
from stream.events import (
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    Recorded,
    UnitOffDuty,
    UnitOnDuty,
    UnitRedeployed,
    UnitStatusChanged,
)
from stream.handlers import ByPayload

OFF_DUTY = "off_duty"
HOUR = timedelta(hours=1)
#: The longest interval between two events about a unit that is counted in unit time.
MAX_UNIT_INTERVAL = timedelta(hours=24)
#: An incident's first assignment: undone when a diversion leaves it with no unit before
#: any arrived (it waits again, and its next assignment is its first).
FIRST_ASSIGNMENT = ("assigned_at", "first_unit", "first_unit_home_bcu")


@dataclass(frozen=True, slots=True)
class SkippedInterval:
    """Unit time not counted: the interval is longer than ``MAX_UNIT_INTERVAL``."""

    unit_id: str
    status: str
    start: datetime
    end: datetime


@dataclass(slots=True)
class UnitState:
    """Where the projection of one unit stands: a row of ``report_unit_state``."""

    unit_id: str
    unit_type: str
    home_bcu: str
    bcu: str
    status: str
    since: datetime
    incident_id: str | None = None


#: What each event type changes in a page of the read models (types absent change nothing).
_PROJECTIONS: ByPayload[Batch, Recorded, None] = ByPayload()


class Batch:
    """One page of records folded in memory, then written at once. Each event type's
    projection is a method registered in ``_PROJECTIONS``, as the picture's rules are."""

    def __init__(self, units: dict[str, UnitState]) -> None:
        self.units = units
        self.touched_units: set[str] = set()
        self.new_incidents: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[str, Any]] = defaultdict(dict)  # earlier incidents
        self.hours: dict[tuple[datetime, str, str, str], list[Any]] = {}
        self.redeployments: list[dict[str, Any]] = []
        self.skipped: list[SkippedInterval] = []
        self.attached: dict[str, set[str]] = defaultdict(set)  # incident -> units
        for unit in units.values():
            if unit.incident_id:
                self.attached[unit.incident_id].add(unit.unit_id)

    def apply(self, record: Recorded) -> None:
        data = record.event.data
        project = _PROJECTIONS.get(type(data))
        if project is not None:  # positions, notes, alerts and mutual aid change no report
            project(self, record, data)

    @_PROJECTIONS.register(IncidentCreated)
    def _incident_created(self, record: Recorded, data: IncidentCreated) -> None:
        self.new_incidents[data.incident_id] = {
            "incident_id": data.incident_id,
            "created_at": record.event.time,
            "initial_grade": data.grade.value,
            "grade": data.grade.value,
            "category": data.category,
            "borough": record.borough,
            "bcu": record.bcu,
            "assigned_at": None,
            "arrived_at": None,
            "closed_at": None,
            "first_unit": None,
            "first_unit_home_bcu": None,
            "outcome": None,
            "reference": data.reference,
            "address": data.address,
            "lat": data.lat,
            "lon": data.lon,
            "cell": cell_of(data.lat, data.lon),
        }

    @_PROJECTIONS.register(IncidentGraded)
    def _incident_graded(self, record: Recorded, data: IncidentGraded) -> None:
        self._set(data.incident_id, grade=data.grade.value)

    @_PROJECTIONS.register(IncidentAssigned)
    def _incident_assigned(self, record: Recorded, data: IncidentAssigned) -> None:
        at, unit = record.event.time, self.units.get(data.unit_id)
        left = unit.incident_id if unit is not None and unit.status == "en_route" else None
        if left and left != data.incident_id and not self.attached[left] - {data.unit_id}:
            self._undo_first(left)  # diverted from its only unit
        self._first(
            data.incident_id,
            assigned_at=at,
            first_unit=data.unit_id,
            first_unit_home_bcu=unit.home_bcu if unit else None,
        )
        self._status(data.unit_id, "en_route", at, incident_id=data.incident_id)

    @_PROJECTIONS.register(IncidentArrived)
    def _incident_arrived(self, record: Recorded, data: IncidentArrived) -> None:
        self._first(data.incident_id, arrived_at=record.event.time)
        self._status(data.unit_id, "on_scene", record.event.time)

    @_PROJECTIONS.register(IncidentClosed)
    def _incident_closed(self, record: Recorded, data: IncidentClosed) -> None:
        at = record.event.time
        self._set(data.incident_id, closed_at=at, outcome=data.outcome)
        for unit_id in list(self.attached.pop(data.incident_id, ())):
            self._status(unit_id, "available", at, incident_id=None)

    @_PROJECTIONS.register(UnitOnDuty)
    def _unit_on_duty(self, record: Recorded, data: UnitOnDuty) -> None:
        at = record.event.time
        if data.unit_id in self.units:
            self._status(data.unit_id, OFF_DUTY, at, incident_id=None)
        self.units[data.unit_id] = UnitState(
            data.unit_id, data.unit_type.value, data.home_bcu, data.home_bcu, "available", at
        )
        self.touched_units.add(data.unit_id)

    @_PROJECTIONS.register(UnitOffDuty)
    def _unit_off_duty(self, record: Recorded, data: UnitOffDuty) -> None:
        self._status(data.unit_id, OFF_DUTY, record.event.time, incident_id=None)

    @_PROJECTIONS.register(UnitStatusChanged)
    def _unit_status(self, record: Recorded, data: UnitStatusChanged) -> None:
        self._status(data.unit_id, data.status.value, record.event.time, incident_id=None)

    @_PROJECTIONS.register(UnitRedeployed)
    def _unit_redeployed(self, record: Recorded, data: UnitRedeployed) -> None:
        unit = self.units.get(data.unit_id)
        if unit is None:
            return
        self._close(unit, record.event.time)
        self.redeployments.append(
            {
                "seq": record.seq,
                "at": record.event.time,
                "unit_id": unit.unit_id,
                "home_bcu": unit.home_bcu,
                "from_bcu": unit.bcu,
                "to_bcu": data.bcu,
                "reason": data.reason,
            }
        )
        unit.bcu = data.bcu
        self.touched_units.add(unit.unit_id)

    def _set(self, incident_id: str, **values: Any) -> None:
        target = self.new_incidents.get(incident_id)
        if target is not None:
            target.update(values)
        else:
            self.updates[incident_id].update(values)

    def _first(self, incident_id: str, **values: Any) -> None:
        """Set only what is not set yet (the first assignment, the first arrival)."""
        target = self.new_incidents.get(incident_id)
        if target is not None:
            for key, value in values.items():
                if target[key] is None:
                    target[key] = value
            return
        pending = self.updates[incident_id]
        first = {f"first:{k}": v for k, v in values.items() if f"first:{k}" not in pending}
        pending.update(first)

    def _undo_first(self, incident_id: str) -> None:
        """Forget the first assignment of an incident no unit has reached (a diversion took
        its only unit): it waits again, and its next assignment is its first."""
        target = self.new_incidents.get(incident_id)
        if target is not None:
            if target["arrived_at"] is None:
                target.update(dict.fromkeys(FIRST_ASSIGNMENT))
            return
        pending = self.updates[incident_id]
        if "first:arrived_at" in pending:  # a unit arrived in this page: nothing to undo
            return
        for key in FIRST_ASSIGNMENT:
            pending.pop(f"first:{key}", None)
            pending[f"undo:{key}"] = True

    def _status(self, unit_id: str, status: str, at: datetime, **change: Any) -> None:
        unit = self.units.get(unit_id)
        if unit is None:
            return
        self._close(unit, at)
        if unit.incident_id and "incident_id" in change:
            self.attached[unit.incident_id].discard(unit_id)
        unit.status = status
        if "incident_id" in change:
            unit.incident_id = change["incident_id"]
            if unit.incident_id:
                self.attached[unit.incident_id].add(unit_id)
        self.touched_units.add(unit_id)

    def _close(self, unit: UnitState, at: datetime) -> None:
        """Account the time since the unit's last change to its status and BCU, by hour."""
        start = unit.since
        if abs(at - start) > MAX_UNIT_INTERVAL:
            # One end is an outlier, and which one cannot be told: count neither side of it,
            # and carry on from this event (whose successors may well be ordinary).
            unit.since = at
            if unit.status != OFF_DUTY:
                self.skipped.append(SkippedInterval(unit.unit_id, unit.status, start, at))
            return
        unit.since = max(at, start)
        if unit.status == OFF_DUTY or at <= start:
            return
        hour = start.replace(minute=0, second=0, microsecond=0)
        while hour < at:
            end = min(shift(hour, HOUR), at)
            seconds = (end - max(start, hour)).total_seconds()
            key = (hour, unit.unit_id, unit.bcu, unit.status)
            row = self.hours.get(key)
            if row is None:
                self.hours[key] = [unit.home_bcu, unit.unit_type, seconds]
            else:
                row[2] += seconds
            hour = shift(hour, HOUR)

    def write(self, conn: Connection, dialect: str, check: Callable[[], None]) -> None:
        if self.new_incidents:
            conn.execute(insert(report_incidents), list(self.new_incidents.values()))
        for incident_id, values in self.updates.items():
            plain = {k: v for k, v in values.items() if ":" not in k}
            firsts = {
                k.removeprefix("first:"): v for k, v in values.items() if k.startswith("first:")
            }
            undone = {k.removeprefix("undo:") for k in values if k.startswith("undo:")}
            query = update(report_incidents).where(report_incidents.c.incident_id == incident_id)
            columns = report_incidents.c
            assignments: dict[Any, Any] = dict(plain)
            for key in undone:  # unless a unit had arrived before this page
                assignments[key] = case((columns.arrived_at.is_(None), null()), else_=columns[key])
            for key, value in firsts.items():
                column = assignments.get(key, columns[key])
                # Only the first assignment or arrival counts: keep a value already there.
                assignments[key] = func.coalesce(column, value)
            if assignments:
                conn.execute(query.values(**assignments))
        if self.hours:
            _add_seconds(
                conn,
                dialect,
                check,
                [
                    {
                        "hour": h,
                        "unit_id": u,
                        "bcu": b,
                        "status": s,
                        "home_bcu": home,
                        "unit_type": kind,
                        "seconds": sec,
                    }
                    for (h, u, b, s), (home, kind, sec) in self.hours.items()
                ],
            )
        if self.redeployments:
            conn.execute(insert(report_redeployments), self.redeployments)
        if self.touched_units:
            ids = sorted(self.touched_units)
            conn.execute(delete(report_unit_state).where(report_unit_state.c.unit_id.in_(ids)))
            conn.execute(
                insert(report_unit_state),
                [
                    {
                        "unit_id": u.unit_id,
                        "unit_type": u.unit_type,
                        "home_bcu": u.home_bcu,
                        "bcu": u.bcu,
                        "status": u.status,
                        "since": u.since,
                        "incident_id": u.incident_id,
                    }
                    for u in (self.units[i] for i in ids)
                ],
            )


def _add_seconds(
    conn: Connection, dialect: str, check: Callable[[], None], rows: Iterable[dict[str, Any]]
) -> None:
    """Insert hour rows, adding to the seconds of a row already there (``check`` raises to
    stop between chunks)."""
    rows = list(rows)
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(report_unit_hours)
    statement = statement.on_conflict_do_update(
        index_elements=["hour", "unit_id", "bcu", "status"],
        set_={"seconds": report_unit_hours.c.seconds + statement.excluded.seconds},
    )
    for start in range(0, len(rows), 5_000):
        check()
        conn.execute(statement, rows[start : start + 5_000])
