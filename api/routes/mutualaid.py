"""Mutual aid: an inspector asks for another BCU's unit; a commander grants or declines.

Each is a command like any other (role-checked, audited, one event through the sequencer;
stream.mutualaid holds the rules). Asking touches no unit, so it is not held to the
inspector's BCU; granting is a commander's assignment of the unit, then the grant naming
that assignment's seq, so the log shows both and the reports count the assignment as any
other. If the assignment is refused (the unit was sent elsewhere meanwhile) the request
stays open and the commander sees why.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from pydantic import Field

from api.deps import Commander, Operator, ServicesDep
from api.responses import FastJSON
from api.routes.commands import (
    ANSWERS,
    Command,
    Ident,
    Strict,
    Words,
    _carry_out,
    _refuse,
    _scope,
)
from api.security import Principal
from api.services import Services
from stream.events import PRINTABLE, EventType
from stream.mutualaid import MutualAid
from stream.trust import EVERYTHING

router = APIRouter(prefix="/api", tags=["commands"])
RequestId = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]


class AidRequest(Strict):
    incident_id: Ident
    unit_id: Ident
    reason: Words = Field(description="why this unit, in words a commander reads")


class Decline(Strict):
    reason: Words


@router.post("/mutual-aid", name="mutual_aid.request", **ANSWERS)
async def request_aid(
    body: AidRequest, request: Request, who: Operator, services: ServicesDep
) -> FastJSON:
    """Ask a commander for a unit deployed to another BCU, for an incident (inspectors: a
    unit one may command oneself is answered 409). The answer's ``request_id`` names it."""
    picture = services.spine.picture
    action = "mutual_aid.request"
    unit = picture.units.get(body.unit_id)
    incident = picture.incidents.get(body.incident_id)
    if unit is None or incident is None:
        missing = f"unit {body.unit_id!r}" if unit is None else f"incident {body.incident_id!r}"
        raise await _refuse(
            request, services, who, action, body.unit_id, 404, f"no {missing} in the live picture"
        )
    if _scope(who).bcu in (None, unit.bcu):
        raise await _refuse(
            request,
            services,
            who,
            action,
            body.unit_id,
            409,
            f"you may assign {unit.callsign} yourself; mutual aid is for another BCU's unit",
        )
    request_id = uuid.uuid4().hex[:16]
    command = Command(
        action,
        body.unit_id,
        EventType.MUTUAL_AID_REQUESTED,
        {
            "request_id": request_id,
            "incident_id": body.incident_id,
            "unit_id": body.unit_id,
            "from_bcu": unit.bcu,
            "to_bcu": incident.bcu,
            "reason": body.reason,
            "by": who.name,
        },
    )
    answer = await _carry_out(
        request, services, who, command, None, body.model_dump(), scope=EVERYTHING
    )
    return _with(answer, request_id=request_id)


@router.post("/mutual-aid/{request_id}/grant", name="mutual_aid.grant", **ANSWERS)
async def grant(
    request_id: RequestId, request: Request, who: Commander, services: ServicesDep
) -> FastJSON:
    """Grant a request: the unit is assigned to the incident, and the grant recorded."""
    aid = await _open(request, services, who, request_id, "mutual_aid.grant")
    assigned = await _carry_out(
        request,
        services,
        who,
        Command(
            "mutual_aid.grant",
            aid.unit_id,
            EventType.INCIDENT_ASSIGNED,
            {"incident_id": aid.incident_id, "unit_id": aid.unit_id},
        ),
        None,
        {"request_id": request_id},
    )
    seq = _seq(assigned)
    command = Command(
        "mutual_aid.grant",
        request_id,
        EventType.MUTUAL_AID_GRANTED,
        _answer(aid, who) | {"assignment_seq": seq},
    )
    granted = await _carry_out(request, services, who, command, None, {"assignment_seq": seq})
    return _with(granted, request_id=request_id, assignment_seq=seq)


@router.post("/mutual-aid/{request_id}/decline", name="mutual_aid.decline", **ANSWERS)
async def decline(
    request_id: RequestId, body: Decline, request: Request, who: Commander, services: ServicesDep
) -> FastJSON:
    """Decline a request, with the reason the inspector will read."""
    aid = await _open(request, services, who, request_id, "mutual_aid.decline")
    command = Command(
        "mutual_aid.decline",
        request_id,
        EventType.MUTUAL_AID_DECLINED,
        _answer(aid, who) | {"reason": body.reason},
    )
    answer = await _carry_out(request, services, who, command, None, body.model_dump())
    return _with(answer, request_id=request_id)


async def _open(
    request: Request, services: Services, who: Principal, request_id: str, action: str
) -> MutualAid:
    aid = services.spine.picture.mutual_aid.get(request_id)
    if aid is None:
        raise await _refuse(
            request,
            services,
            who,
            action,
            request_id,
            404,
            f"no open mutual aid request {request_id!r} (answered already, or unknown)",
        )
    return aid


def _answer(aid: MutualAid, who: Principal) -> dict[str, Any]:
    return {
        "request_id": aid.request_id,
        "incident_id": aid.incident_id,
        "unit_id": aid.unit_id,
        "by": who.name,
    }


def _seq(answer: FastJSON) -> int:
    return int(orjson.loads(answer.body)["seq"])


def _with(answer: FastJSON, **extra: Any) -> FastJSON:
    return FastJSON(orjson.loads(answer.body) | extra)
