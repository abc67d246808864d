"""The command each request becomes for its caller, or why it is refused before it is sent.

A request is checked here against this process's live picture only for what the answer
needs to say in the API's own words: the unit or incident it names exists (404), the caller
may act on it (403: an inspector's BCU), and a status the request cannot mean (409/422).
Everything else (the event contract, the picture's rules, the scope at the moment of
sequencing) is decided once, by the spine and the sequencer (api.commanding.submission).
The BCU checks here are a fast path on a picture that may lag: the sequencer decides the
scope again (stream.trust).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.audit import AuditOutcome
from api.commanding.bodies import (
    Acknowledgement,
    Arrival,
    Assignment,
    Closure,
    Note,
    Redeployment,
    Regrade,
)
from api.security import Principal, Role
from stream.events import EventType, UnitStatus
from stream.picture import Incident, IncidentStatus, Picture, Unit
from stream.trust import (
    Scope,
    outside_alert_reason,
    outside_incident_reason,
    outside_scope_reason,
)


@dataclass(frozen=True)
class Command:
    """The event a request becomes, and what it is about (the audit's target; the audit's
    action is the route's name, e.g. ``unit.assign``)."""

    target: str
    type: EventType
    data: dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    """Why a command is not carried out: the status the API answers, how the audit log
    records it, the reason the caller reads, and what it was about."""

    status: int
    reason: str
    target: str
    outcome: AuditOutcome
    detail: dict[str, Any] = field(default_factory=dict)


def not_found(target: str, reason: str) -> Refusal:
    return Refusal(404, reason, target, AuditOutcome.INVALID)


def conflict(target: str, reason: str) -> Refusal:
    return Refusal(409, reason, target, AuditOutcome.CONFLICT)


def invalid(target: str, reason: str) -> Refusal:
    return Refusal(422, reason, target, AuditOutcome.INVALID)


def denied(target: str, reason: str) -> Refusal:
    return Refusal(403, reason, target, AuditOutcome.DENIED)


def scope_of(who: Principal) -> Scope:
    """What the caller's commands may touch: an inspector only units deployed to their BCU."""
    return Scope(who.bcu) if who.role is Role.INSPECTOR else Scope()


def name_of(incident: Incident) -> str:
    return incident.reference or incident.incident_id


def own_incident(
    picture: Picture, who: Principal, incident_id: str, closed_too: bool = False
) -> Incident | Refusal:
    """The incident, if the live picture has it open (or at all, ``closed_too``) and the
    caller may act on it (an inspector: only their BCU's incidents)."""
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return not_found(incident_id, f"no incident {incident_id!r} in the live picture")
    if incident.status is IncidentStatus.CLOSED and not closed_too:
        return conflict(incident_id, f"incident {name_of(incident)} is closed")
    bcu = scope_of(who).bcu
    if bcu is not None and incident.bcu != bcu:
        return denied(incident_id, outside_incident_reason(name_of(incident), incident.bcu, bcu))
    return incident


def own_unit(picture: Picture, who: Principal, unit_id: str) -> Unit | Refusal:
    """The unit, if it exists and the caller may command it (an inspector: only while it is
    deployed to their BCU)."""
    unit = picture.units.get(unit_id)
    if unit is None:
        return not_found(unit_id, f"no unit {unit_id!r} in the live picture")
    bcu = scope_of(who).bcu
    if bcu is not None and unit.bcu != bcu:
        return denied(unit_id, outside_scope_reason(unit, bcu))
    return unit


def assign(picture: Picture, who: Principal, unit_id: str, body: Assignment) -> Command | Refusal:
    if isinstance(unit := own_unit(picture, who, unit_id), Refusal):
        return unit
    data = {"incident_id": body.incident_id, "unit_id": unit_id}
    return Command(unit_id, EventType.INCIDENT_ASSIGNED, data)


def redeploy(
    picture: Picture, who: Principal, unit_id: str, body: Redeployment
) -> Command | Refusal:
    if isinstance(unit := own_unit(picture, who, unit_id), Refusal):
        return unit
    data = {"unit_id": unit_id, "bcu": body.bcu.upper(), "reason": body.reason}
    return Command(unit_id, EventType.UNIT_REDEPLOYED, data)


def set_status(
    picture: Picture, who: Principal, unit_id: str, status: UnitStatus
) -> Command | Refusal:
    if isinstance(unit := own_unit(picture, who, unit_id), Refusal):
        return unit
    if status is UnitStatus.OFF_DUTY:
        return Command(unit_id, EventType.UNIT_OFF_DUTY, {"unit_id": unit_id})
    if status is UnitStatus.ON_SCENE:
        if unit.incident_id is None:
            return conflict(unit_id, f"unit {unit.callsign} is not assigned to an incident")
        data = {"incident_id": unit.incident_id, "unit_id": unit_id}
        return Command(unit_id, EventType.INCIDENT_ARRIVED, data)
    if status is UnitStatus.EN_ROUTE:
        return invalid(unit_id, "a unit goes en_route by being assigned: POST .../assignment")
    data = {"unit_id": unit_id, "status": status.value}
    return Command(unit_id, EventType.UNIT_STATUS, data)


def close(
    picture: Picture, who: Principal, incident_id: str, body: Closure, inspectors_may_close: bool
) -> Command | Refusal:
    if who.role is Role.INSPECTOR and not inspectors_may_close:
        reason = "here only commanders close incidents (BLUELAMP_INSPECTORS_MAY_CLOSE is off)"
        return denied(incident_id, reason)
    if isinstance(incident := own_incident(picture, who, incident_id), Refusal):
        return incident
    data = {"incident_id": incident_id, "outcome": body.outcome}
    return Command(incident_id, EventType.INCIDENT_CLOSED, data)


def regrade(picture: Picture, who: Principal, incident_id: str, body: Regrade) -> Command | Refusal:
    if isinstance(incident := own_incident(picture, who, incident_id), Refusal):
        return incident
    if incident.grade is body.grade:
        reason = f"incident {name_of(incident)} is already grade {body.grade.value}"
        return conflict(incident_id, reason)
    data = {"incident_id": incident_id, "grade": body.grade.value}
    return Command(incident_id, EventType.INCIDENT_GRADED, data)


def arrive(picture: Picture, who: Principal, incident_id: str, body: Arrival) -> Command | Refusal:
    if isinstance(unit := own_unit(picture, who, body.unit_id), Refusal):
        return unit
    data = {"incident_id": incident_id, "unit_id": body.unit_id}
    return Command(incident_id, EventType.INCIDENT_ARRIVED, data)


def note(picture: Picture, who: Principal, incident_id: str, body: Note) -> Command | Refusal:
    if isinstance(incident := own_incident(picture, who, incident_id, True), Refusal):
        return incident
    data = {"incident_id": incident_id, "text": body.text, "by": who.name}
    return Command(incident_id, EventType.INCIDENT_NOTED, data)


def acknowledge(
    advice: Mapping[str, Any], who: Principal, body: Acknowledgement
) -> Command | Refusal:
    """Acknowledge the active alert ``body.key`` as ``advice`` (stream.advice) lists it."""
    key = body.key
    alert = next((a for a in advice.get("alerts", []) if a.get("key") == key), None)
    if alert is None:
        seen = next((a for a in advice.get("acknowledged", []) if a.get("key") == key), None)
        if seen is not None:
            return conflict(key, f"alert {key} was acknowledged by {seen['acknowledged_by']}")
        return not_found(key, f"no active alert {key!r}")
    bcu = scope_of(who).bcu
    if bcu is not None and alert["bcu"] != bcu:
        return denied(key, outside_alert_reason(alert["bcu"], bcu))
    data = {"kind": alert["kind"], "bcu": alert["bcu"], "by": who.name}
    if alert.get("incident_id"):
        data["incident_id"] = alert["incident_id"]
    return Command(key, EventType.ALERT_ACKNOWLEDGED, data)
