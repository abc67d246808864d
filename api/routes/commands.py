"""Commands: a person moves a unit, or works an incident (regrade, record an arrival, note,
close) or an alert (acknowledge).

Each command becomes one event submitted through the spine, so the sequencer, the one
writer, decides conflicts: of two commanders assigning the same unit at once, one is
accepted (200 with its ``seq``) and the other refused (409 with the reason). Roles and an
inspector's BCU are checked here first (403 with the reason). The BCU is decided again by
the sequencer against the picture at the moment the command is sequenced, since this
process's picture may lag it: the command carries the inspector's BCU as its scope, signed
with the event (stream.trust), and a refusal there is the same audited 403. Every attempt
is audited.

The event's ``source`` names the user (``bluelamp-api/<user>``), a source only the API's
signed entries may use, so the log itself records who made each change. Its ``id`` comes
from the ``Idempotency-Key`` header when sent: a retried command is then the same event, a
duplicate, answered with the first one's seq.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from redis.exceptions import RedisError

from api.audit import AuditOutcome
from api.deps import (
    IncidentId,
    Operator,
    ServicesDep,
    UnitId,
    audit_request,
    deny,
)
from api.responses import FastJSON
from api.security import Principal, Role
from api.services import Services
from stream.events import (
    PRINTABLE,
    EventType,
    Grade,
    InvalidEvent,
    UnitStatus,
    parse_event,
    to_dict,
    validate,
)
from stream.outcome import Verdict
from stream.picture import Incident, IncidentStatus, Unit
from stream.spine import OutcomeTimeout
from stream.trust import (
    RESERVED_PREFIX,
    Scope,
    outside_incident_reason,
    outside_scope_reason,
)

router = APIRouter(prefix="/api", tags=["commands"])
COMMAND_TIMEOUT_S = 10.0

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE)]
Words = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key when retrying: the command is then carried out once.",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Assignment(Strict):
    incident_id: Ident


class Redeployment(Strict):
    bcu: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="a Met BCU code, e.g. CN")]
    reason: Words


class StatusChange(Strict):
    status: UnitStatus = Field(
        description="available, at_station, busy, refreshment or custody; off_duty takes the "
        "unit off duty; on_scene records its arrival at the incident it is assigned to. "
        "en_route comes from an assignment."
    )


class Closure(Strict):
    outcome: Words


class Regrade(Strict):
    grade: Grade = Field(description="I, S, E or R; the attendance target follows the grade")


class Arrival(Strict):
    unit_id: Ident = Field(description="a unit assigned to the incident, now there")


class Note(Strict):
    text: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class Acknowledgement(Strict):
    key: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            pattern=PRINTABLE,
            description="the alert's key, as GET /api/advice gives it",
        ),
    ]


class CommandResult(BaseModel):
    seq: int
    event_id: str
    duplicate: bool = False


@dataclass(frozen=True)
class Command:
    name: str  # the audit action, e.g. "unit.assign"
    target: str
    type: EventType
    data: dict[str, Any]


# -- routes ------------------------------------------------------------------------------

# What every command answers (documented in the OpenAPI schema).
ANSWERS: dict[str, Any] = {
    "response_model": CommandResult,
    "responses": {403: {}, 404: {}, 409: {}, 422: {}},
}


@router.post(
    "/units/{unit_id}/assignment",
    name="unit.assign",
    **ANSWERS,
)
async def assign(
    unit_id: UnitId,
    body: Assignment,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Send a unit to an incident (it goes en route)."""
    await _own_unit(request, services, who, unit_id)
    command = Command(
        "unit.assign",
        unit_id,
        EventType.INCIDENT_ASSIGNED,
        {"incident_id": body.incident_id, "unit_id": unit_id},
    )
    return await _carry_out(request, services, who, command, key, body.model_dump())


@router.post(
    "/units/{unit_id}/redeployment",
    name="unit.redeploy",
    **ANSWERS,
)
async def redeploy(
    unit_id: UnitId,
    body: Redeployment,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Deploy a unit to another BCU, with the reason."""
    await _own_unit(request, services, who, unit_id)
    command = Command(
        "unit.redeploy",
        unit_id,
        EventType.UNIT_REDEPLOYED,
        {"unit_id": unit_id, "bcu": body.bcu.upper(), "reason": body.reason},
    )
    return await _carry_out(request, services, who, command, key, body.model_dump())


@router.post(
    "/units/{unit_id}/status",
    name="unit.status",
    **ANSWERS,
)
async def set_status(
    unit_id: UnitId,
    body: StatusChange,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Change a unit's status."""
    unit = await _own_unit(request, services, who, unit_id)
    command = await _status_command(request, services, who, unit, body.status)
    return await _carry_out(request, services, who, command, key, body.model_dump(mode="json"))


@router.post(
    "/incidents/{incident_id}/closure",
    name="incident.close",
    **ANSWERS,
)
async def close(
    incident_id: IncidentId,
    body: Closure,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Close an incident with its outcome (commanders; inspectors for their BCU's incidents
    unless ``BLUELAMP_INSPECTORS_MAY_CLOSE`` is off)."""
    if who.role is Role.INSPECTOR and not services.settings.inspectors_may_close:
        raise await deny(
            request,
            services,
            who,
            "here only commanders close incidents (BLUELAMP_INSPECTORS_MAY_CLOSE is off)",
            target=incident_id,
        )
    await _own_incident(request, services, who, incident_id)
    command = Command(
        "incident.close",
        incident_id,
        EventType.INCIDENT_CLOSED,
        {"incident_id": incident_id, "outcome": body.outcome},
    )
    return await _carry_out(request, services, who, command, key, body.model_dump())


@router.post("/incidents/{incident_id}/grade", name="incident.regrade", **ANSWERS)
async def regrade(
    incident_id: IncidentId,
    body: Regrade,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Change an incident's grade (inspectors: their BCU's incidents)."""
    incident = await _own_incident(request, services, who, incident_id)
    if incident.grade is body.grade:
        raise await _refuse(
            request,
            services,
            who,
            "incident.regrade",
            incident_id,
            409,
            f"incident {_name(incident)} is already grade {body.grade.value}",
        )
    command = Command(
        "incident.regrade",
        incident_id,
        EventType.INCIDENT_GRADED,
        {"incident_id": incident_id, "grade": body.grade.value},
    )
    return await _carry_out(request, services, who, command, key, body.model_dump(mode="json"))


@router.post("/incidents/{incident_id}/arrival", name="incident.arrive", **ANSWERS)
async def arrive(
    incident_id: IncidentId,
    body: Arrival,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Record that an assigned unit is on scene (inspectors: units deployed to their BCU)."""
    await _own_unit(request, services, who, body.unit_id)
    command = Command(
        "incident.arrive",
        incident_id,
        EventType.INCIDENT_ARRIVED,
        {"incident_id": incident_id, "unit_id": body.unit_id},
    )
    return await _carry_out(request, services, who, command, key, body.model_dump())


@router.post("/incidents/{incident_id}/notes", name="incident.note", **ANSWERS)
async def note(
    incident_id: IncidentId,
    body: Note,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Add a line to the incident's log (inspectors: their BCU's incidents)."""
    await _own_incident(request, services, who, incident_id, closed_too=True)
    command = Command(
        "incident.note",
        incident_id,
        EventType.INCIDENT_NOTED,
        {"incident_id": incident_id, "text": body.text, "by": who.name},
    )
    return await _carry_out(request, services, who, command, key, body.model_dump())


@router.post("/alerts/acknowledgement", name="alert.acknowledge", **ANSWERS)
async def acknowledge(
    body: Acknowledgement,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Acknowledge an alert: it leaves the active list, shown as acknowledged (who, when),
    until its condition clears; the next breach alerts again (inspectors: their BCU's)."""
    name = "alert.acknowledge"
    advice = services.advisor.current(services.spine.picture)
    alert = next((a for a in advice.get("alerts", []) if a.get("key") == body.key), None)
    if alert is None:
        seen = next((a for a in advice.get("acknowledged", []) if a.get("key") == body.key), None)
        if seen is not None:
            reason = f"alert {body.key} was acknowledged by {seen['acknowledged_by']}"
            raise await _refuse(request, services, who, name, body.key, 409, reason)
        reason = f"no active alert {body.key!r}"
        raise await _refuse(request, services, who, name, body.key, 404, reason)
    bcu = _scope(who).bcu
    if bcu is not None and alert["bcu"] != bcu:
        reason = (
            f"the alert is about {alert['bcu']}; an inspector of {bcu} acknowledges only {bcu}'s"
        )
        raise await deny(request, services, who, reason, target=body.key)
    data = {"kind": alert["kind"], "bcu": alert["bcu"], "by": who.name}
    if alert.get("incident_id"):
        data["incident_id"] = alert["incident_id"]
    command = Command(name, body.key, EventType.ALERT_ACKNOWLEDGED, data)
    return await _carry_out(request, services, who, command, key, body.model_dump())


# -- the steps ---------------------------------------------------------------------------


def _name(incident: Incident) -> str:
    return incident.reference or incident.incident_id


async def _own_incident(
    request: Request, services: Services, who: Principal, incident_id: str, closed_too: bool = False
) -> Incident:
    """The incident, if the live picture has it open (or at all, ``closed_too``) and the
    caller may act on it (an inspector: only their BCU's incidents)."""
    action = str(request.scope["route"].name)
    incident = services.spine.picture.incidents.get(incident_id)
    if incident is None:
        reason = f"no incident {incident_id!r} in the live picture"
        raise await _refuse(request, services, who, action, incident_id, 404, reason)
    if incident.status is IncidentStatus.CLOSED and not closed_too:
        reason = f"incident {_name(incident)} is closed"
        raise await _refuse(request, services, who, action, incident_id, 409, reason)
    bcu = _scope(who).bcu
    # The fast path: the sequencer decides it again, on the picture as it is then.
    if bcu is not None and incident.bcu != bcu:
        reason = outside_incident_reason(_name(incident), incident.bcu, bcu)
        raise await deny(request, services, who, reason, target=incident_id)
    return incident


async def _own_unit(request: Request, services: Services, who: Principal, unit_id: str) -> Unit:
    """The unit, if it exists and the caller may command it (an inspector: only while it is
    deployed to their BCU)."""
    unit = services.spine.picture.units.get(unit_id)
    action = str(request.scope["route"].name)
    if unit is None:
        raise await _refuse(
            request, services, who, action, unit_id, 404, f"no unit {unit_id!r} in the live picture"
        )
    bcu = _scope(who).bcu
    # The fast path: the sequencer decides it again, on the picture as it is then.
    if bcu is not None and unit.bcu != bcu:
        raise await deny(request, services, who, outside_scope_reason(unit, bcu), target=unit_id)
    return unit


def _scope(who: Principal) -> Scope:
    """What the caller's commands may touch: an inspector only units deployed to their BCU."""
    return Scope(who.bcu) if who.role is Role.INSPECTOR else Scope()


async def _status_command(
    request: Request, services: Services, who: Principal, unit: Unit, status: UnitStatus
) -> Command:
    name, uid = "unit.status", unit.unit_id
    if status is UnitStatus.OFF_DUTY:
        return Command(name, uid, EventType.UNIT_OFF_DUTY, {"unit_id": uid})
    if status is UnitStatus.ON_SCENE:
        if unit.incident_id is None:
            raise await _refuse(
                request,
                services,
                who,
                name,
                uid,
                409,
                f"unit {unit.callsign} is not assigned to an incident",
            )
        return Command(
            name, uid, EventType.INCIDENT_ARRIVED, {"incident_id": unit.incident_id, "unit_id": uid}
        )
    if status is UnitStatus.EN_ROUTE:
        raise await _refuse(
            request,
            services,
            who,
            name,
            uid,
            422,
            "a unit goes en_route by being assigned: POST .../assignment",
        )
    return Command(name, uid, EventType.UNIT_STATUS, {"unit_id": uid, "status": status.value})


def _event_id(who: Principal, key: str | None) -> str:
    if key is None:
        return uuid.uuid4().hex
    # Per user: two people's keys never collide; the same person's retry is one event.
    return hashlib.sha256(f"{who.name}\n{key}".encode()).hexdigest()[:40]


async def _carry_out(
    request: Request,
    services: Services,
    who: Principal,
    command: Command,
    key: str | None,
    body: dict[str, Any],
    scope: Scope | None = None,
) -> FastJSON:
    """Submit ``command`` as ``who``, held to ``scope`` (default: what ``who`` may command)."""
    event = {
        "specversion": "1.0",
        "id": _event_id(who, key),
        "source": RESERVED_PREFIX + who.name,
        "type": command.type.value,
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data": command.data,
    }
    audit = _Audit(
        services, request, who, command.name, command.target, body | {"event_id": event["id"]}
    )
    try:
        validate(event, services.spine.locate)
    except InvalidEvent as exc:
        raise await audit.refuse(422, AuditOutcome.INVALID, exc.reason) from None
    try:
        outcome = await services.spine.command(
            event, _scope(who) if scope is None else scope, timeout=COMMAND_TIMEOUT_S
        )
    except OutcomeTimeout:
        raise await audit.refuse(
            503,
            AuditOutcome.FAILED,
            "no sequencer answered in time; the command is queued and "
            "will be decided when one runs (retry with the same "
            "Idempotency-Key to learn the result)",
        ) from None
    except RedisError:
        # Redis down or restarting: the spine recovers by itself, so this is a retry later.
        raise await audit.refuse(
            503,
            AuditOutcome.FAILED,
            "the message bus (Redis) is not answering, so the command may not have been "
            "sent; retry in a few seconds (with the same Idempotency-Key it is carried out "
            "once)",
        ) from None
    if outcome.forbidden:  # the sequencer's BCU check: the same audited 403 as the fast path
        raise await audit.refuse(403, AuditOutcome.DENIED, outcome.reason or "outside your BCU")
    if outcome.verdict is Verdict.REJECTED:
        raise await audit.refuse(409, AuditOutcome.CONFLICT, outcome.reason or "refused")
    assert outcome.seq is not None
    duplicate = outcome.verdict is Verdict.DUPLICATE
    if duplicate and not await _same_command(services, outcome.seq, event):
        raise await audit.refuse(
            422, AuditOutcome.INVALID, "this Idempotency-Key was used for a different command"
        )
    # Read-your-writes: the next GET on this worker shows the change.
    await services.spine.wait_for_seq(outcome.seq, timeout=COMMAND_TIMEOUT_S)
    await audit.done(200, AuditOutcome.OK, {"seq": outcome.seq, "duplicate": duplicate})
    return FastJSON({"seq": outcome.seq, "event_id": event["id"], "duplicate": duplicate})


async def _same_command(services: Services, seq: int, event: dict[str, Any]) -> bool:
    """Whether the logged event ``seq`` is this command (an honest retry), not another
    command sent with the same Idempotency-Key."""
    (logged,) = await asyncio.to_thread(services.spine.log.read, seq - 1, 1)
    first, again = to_dict(logged.event), to_dict(parse_event(event))
    return all(first[k] == again[k] for k in ("type", "source", "data"))


async def _refuse(
    request: Request,
    services: Services,
    who: Principal,
    action: str,
    target: str,
    status: int,
    reason: str,
) -> HTTPException:
    outcome = AuditOutcome.CONFLICT if status == 409 else AuditOutcome.INVALID
    return await _Audit(services, request, who, action, target, {}).refuse(status, outcome, reason)


@dataclass
class _Audit:
    services: Services
    request: Request
    who: Principal
    action: str
    target: str
    detail: dict[str, Any]

    async def done(self, status: int, outcome: AuditOutcome, extra: dict[str, Any]) -> None:
        await audit_request(
            self.request,
            self.services,
            self.action,
            outcome,
            status,
            self.who,
            target=self.target,
            detail=self.detail | extra,
        )
        self.services.metrics.commands.labels(self.action, outcome.value).inc()

    async def refuse(self, status: int, outcome: AuditOutcome, reason: str) -> HTTPException:
        await self.done(status, outcome, {"reason": reason})
        return HTTPException(status, reason)
