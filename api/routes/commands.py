"""Commands' routes: a person moves a unit, or works an incident (regrade, record an arrival,
note, close) or an alert (acknowledge).

Each route parses the request, has api.commanding make the command and submit it through
the spine, and maps the outcome to HTTP: the sequencer, the one writer, decides conflicts
(of two commanders assigning the same unit at once, one gets 200 with its ``seq`` and the
other 409 with the reason). Roles are checked by the route's dependency; the picture's
rules and an inspector's BCU by api.commanding on this process's picture first, then again
by the sequencer at the moment the command is sequenced, with the same status and reason
(404 unknown, 409 conflict, 422 invalid, 403 outside the BCU). Every attempt is audited.

The event's ``source`` names the user (``bluelamp-api/<user>``), a source only the API's
signed entries may use, so the log itself records who made each change. Its ``id`` comes
from the ``Idempotency-Key`` header when sent: a retried command is then the same event, a
duplicate, answered with the first one's seq.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request

from api.audit import AuditOutcome
from api.commanding import orders
from api.commanding.bodies import (
    Acknowledgement,
    Arrival,
    Assignment,
    Closure,
    Note,
    Redeployment,
    Regrade,
    StatusChange,
)
from api.commanding.orders import Command, Refusal
from api.commanding.submission import Done, submit
from api.deps import IncidentId, Operator, ServicesDep, UnitId, action_of, audit_request, refuse
from api.responses import FastJSON
from api.schemas.commands import CommandResult
from api.schemas.problems import SIGNED_IN, problems
from api.security import Principal
from api.services import Services
from stream.trust import Scope

router = APIRouter(prefix="/api", tags=["commands"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key when retrying: the command is then carried out once.",
    ),
]

# What every command answers (documented in the OpenAPI schema); 503: the outcome was not
# known in time (send the same Idempotency-Key again to learn it).
REFUSALS = SIGNED_IN | problems(404, 409, 422)
ANSWERS: dict[str, Any] = {"response_model": CommandResult, "responses": REFUSALS}


@router.post("/units/{unit_id}/assignment", name="unit.assign", **ANSWERS)
async def assign(
    unit_id: UnitId,
    body: Assignment,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Send a unit to an incident (it goes en route), diverting it from another if the rules
    allow (the audit then names that incident, ``diverted_from``)."""
    command = orders.assign(unit_id, body)
    detail = body.model_dump() | orders.diversion(services.spine.picture, unit_id, body.incident_id)
    return await answer(request, services, who, command, key, detail)


@router.post("/units/{unit_id}/redeployment", name="unit.redeploy", **ANSWERS)
async def redeploy(
    unit_id: UnitId,
    body: Redeployment,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Deploy a unit to another BCU, with the reason."""
    command = orders.redeploy(unit_id, body)
    return await answer(request, services, who, command, key, body.model_dump())


@router.post("/units/{unit_id}/status", name="unit.status", **ANSWERS)
async def set_status(
    unit_id: UnitId,
    body: StatusChange,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Change a unit's status."""
    command = orders.set_status(services.spine.picture, unit_id, body.status)
    return await answer(request, services, who, command, key, body.model_dump(mode="json"))


@router.post("/incidents/{incident_id}/closure", name="incident.close", **ANSWERS)
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
    may_close = services.settings.inspectors_may_close
    command = orders.close(who, incident_id, body, may_close)
    return await answer(request, services, who, command, key, body.model_dump())


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
    command = orders.regrade(services.spine.picture, who, incident_id, body)
    return await answer(request, services, who, command, key, body.model_dump(mode="json"))


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
    command = orders.arrive(incident_id, body)
    return await answer(request, services, who, command, key, body.model_dump())


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
    command = orders.note(who, incident_id, body)
    return await answer(request, services, who, command, key, body.model_dump())


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
    advice = services.advisor.current(services.spine.picture)
    command = orders.acknowledge(advice, who, body)
    return await answer(request, services, who, command, key, body.model_dump())


# -- from outcome to HTTP ----------------------------------------------------------------


async def answer(
    request: Request,
    services: Services,
    who: Principal,
    command: Command | Refusal,
    key: str | None,
    body: dict[str, Any],
) -> FastJSON:
    """The 200 for ``command`` carried out, or the audited refusal (see :func:`carry_out`)."""
    done = await carry_out(request, services, who, command, key, body)
    return FastJSON(done.answer())


async def carry_out(
    request: Request,
    services: Services,
    who: Principal,
    command: Command | Refusal,
    key: str | None,
    body: dict[str, Any],
    scope: Scope | None = None,
) -> Done:
    """Submit ``command`` as ``who`` (held to ``scope``, default what ``who`` may command)
    and audit what became of it; a refusal, before or after submission, is raised as the
    audited HTTPException with its status and reason."""
    if isinstance(command, Refusal):
        raise await refused(request, services, who, command)
    result = await submit(services, who, command, key, body, scope)
    if isinstance(result, Refusal):
        raise await refused(request, services, who, result)
    action = action_of(request)
    await audit_request(
        request,
        services,
        action,
        AuditOutcome.OK,
        200,
        who,
        target=command.target,
        detail=result.detail,
    )
    services.metrics.commands.labels(action, AuditOutcome.OK.value).inc()
    return result


async def refused(
    request: Request, services: Services, who: Principal, refusal: Refusal
) -> HTTPException:
    """Audit ``refusal`` (and count it) and make the HTTPException that says why."""
    services.metrics.commands.labels(action_of(request), refusal.outcome.value).inc()
    return await refuse(
        request,
        services,
        who,
        refusal.reason,
        status=refusal.status,
        outcome=refusal.outcome,
        target=refusal.target,
        detail=refusal.detail,
    )
