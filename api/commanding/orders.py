"""The command each request becomes for its caller, or why it is refused before it is sent.

Whether the picture allows a command (it names a unit or incident the picture has, in a
state that allows it, within the caller's scope) is decided by the picture's own check
(``Picture.check``: stream.trust and stream.picture.rules), asked before sending by
api.commanding.submission and again by the sequencer. Refused here are only what is not an
event rule: how a request maps to an event (a unit goes en route by being assigned, on
scene where it is assigned), what a person asks for that changes nothing (the grade an
incident has), this deployment's policy (who closes incidents), and an alert the advice
(stream.advice) does not list.
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
    Dismissal,
    Note,
    Redeployment,
    Regrade,
)
from api.security import Principal, Role
from stream.events import EventType, UnitStatus
from stream.objection import Kind, Objection
from stream.picture import IncidentStatus, Picture, known_unit
from stream.picture.advice_rules import open_offer
from stream.trust import Scope


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


#: The status and audit outcome of each kind of objection (stream.objection).
_ANSWERS = {
    Kind.UNKNOWN: (404, AuditOutcome.INVALID),
    Kind.CONFLICT: (409, AuditOutcome.CONFLICT),
    Kind.INVALID: (422, AuditOutcome.INVALID),
    Kind.OUT_OF_SCOPE: (403, AuditOutcome.DENIED),
}


def objected(target: str, objection: Objection) -> Refusal:
    """The refusal the picture's objection to a command about ``target`` means."""
    status, outcome = _ANSWERS[objection.kind]
    return Refusal(status, objection.reason, target, outcome)


def scope_of(who: Principal) -> Scope:
    """What the caller's commands may touch: an inspector only units deployed to their BCU."""
    return Scope(who.bcu) if who.role is Role.INSPECTOR else Scope()


def assign(unit_id: str, body: Assignment) -> Command:
    data = {"incident_id": body.incident_id, "unit_id": unit_id}
    return Command(unit_id, EventType.INCIDENT_ASSIGNED, data)


_COMMITTED = frozenset({UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})


def diversion(picture: Picture, unit_id: str, incident_id: str) -> dict[str, Any]:
    """For the audit: the incident an assignment takes the unit from (``diverted_from``), as
    this server's picture has it, when the unit is on its way to another one or on scene at
    one (an E-grade appointment left for an emergency); else nothing."""
    found = known_unit(picture, unit_id)
    if isinstance(found, Objection) or found.status not in _COMMITTED:
        return {}
    left = found.incident_id
    return {"diverted_from": left} if left is not None and left != incident_id else {}


def redeploy(unit_id: str, body: Redeployment) -> Command:
    data = {"unit_id": unit_id, "bcu": body.bcu.upper(), "reason": body.reason}
    return Command(unit_id, EventType.UNIT_REDEPLOYED, data)


def set_status(picture: Picture, unit_id: str, status: UnitStatus) -> Command | Refusal:
    if status is UnitStatus.OFF_DUTY:
        return Command(unit_id, EventType.UNIT_OFF_DUTY, {"unit_id": unit_id})
    if status is UnitStatus.EN_ROUTE:
        # Not an event rule but which request means what: only an assignment sends a unit.
        return invalid(unit_id, "a unit goes en route by being assigned: POST .../assignment")
    if status is not UnitStatus.ON_SCENE:
        data = {"unit_id": unit_id, "status": status.value}
        return Command(unit_id, EventType.UNIT_STATUS, data)
    # On scene is an arrival at the incident the unit is assigned to: the event names it.
    if isinstance(unit := known_unit(picture, unit_id), Objection):
        return objected(unit_id, unit)
    if unit.incident_id is None:
        return conflict(unit_id, f"unit {unit.callsign} is not assigned to an incident")
    data = {"incident_id": unit.incident_id, "unit_id": unit_id}
    return Command(unit_id, EventType.INCIDENT_ARRIVED, data)


def close(
    who: Principal, incident_id: str, body: Closure, inspectors_may_close: bool
) -> Command | Refusal:
    if who.role is Role.INSPECTOR and not inspectors_may_close:
        # This deployment's policy (BLUELAMP_INSPECTORS_MAY_CLOSE), not an event rule: the
        # sequencer holds a command to its scope, and an inspector's close is within it.
        reason = "here only commanders close incidents (BLUELAMP_INSPECTORS_MAY_CLOSE is off)"
        return denied(incident_id, reason)
    data = {"incident_id": incident_id, "outcome": body.outcome}
    return Command(incident_id, EventType.INCIDENT_CLOSED, data)


def regrade(picture: Picture, who: Principal, incident_id: str, body: Regrade) -> Command | Refusal:
    # Not an event rule: a feed may restate a grade (the history then shows it twice), but
    # a person asking for the grade an open incident they may act on has is told so.
    incident = picture.incidents.get(incident_id)
    if (
        incident is not None
        and incident.grade is body.grade
        and incident.status is not IncidentStatus.CLOSED
        and scope_of(who).bcu in (None, incident.bcu)
    ):
        reason = f"incident {incident.name} is already grade {body.grade.value}"
        return conflict(incident_id, reason)
    data = {"incident_id": incident_id, "grade": body.grade.value}
    return Command(incident_id, EventType.INCIDENT_GRADED, data)


def arrive(incident_id: str, body: Arrival) -> Command:
    data = {"incident_id": incident_id, "unit_id": body.unit_id}
    return Command(incident_id, EventType.INCIDENT_ARRIVED, data)


def note(who: Principal, incident_id: str, body: Note) -> Command:
    data = {"incident_id": incident_id, "text": body.text, "by": who.name}
    return Command(incident_id, EventType.INCIDENT_NOTED, data)


def acknowledge(
    advice: Mapping[str, Any], who: Principal, body: Acknowledgement
) -> Command | Refusal:
    """Acknowledge the alert ``body.key`` as ``advice`` (stream.advice) lists it: active, or
    acknowledged already (which the picture's rule then refuses, naming by whom and when)."""
    key = body.key
    listed = [*advice.get("alerts", []), *advice.get("acknowledged", [])]
    alert = next((a for a in listed if a.get("key") == key), None)
    if alert is None:
        return not_found(key, f"no active alert {key!r}")
    data = {"kind": alert["kind"], "bcu": alert["bcu"], "by": who.name}
    if alert.get("incident_id"):
        data["incident_id"] = alert["incident_id"]
    return Command(key, EventType.ALERT_ACKNOWLEDGED, data)


def decide(
    picture: Picture, who: Principal, advice_id: str, dismissal: Dismissal | None = None
) -> Command | Refusal:
    """Accept a move-up (``dismissal`` None) or dismiss it with the reason: one the picture
    holds as waiting (stream.offers), for the unit it names (an inspector: their BCU's)."""
    offer = open_offer(picture, advice_id)
    if isinstance(offer, Objection):
        return objected(advice_id, offer)
    data = {"advice_id": advice_id, "unit_id": offer.unit_id, "by": who.name}
    if dismissal is None:
        return Command(advice_id, EventType.ADVICE_ACCEPTED, data)
    return Command(advice_id, EventType.ADVICE_DISMISSED, data | {"reason": dismissal.reason})
