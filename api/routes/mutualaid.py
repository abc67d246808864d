"""Mutual aid's routes: an inspector asks for another BCU's unit; a commander grants or
declines.

Each is a command like any other (role-checked, audited, one event through the sequencer;
api.commanding.mutual_aid makes them, stream.mutualaid holds the rules). Granting is a
commander's assignment of the unit, then the grant naming that assignment's seq, so the log
shows both and the reports count the assignment as any other. If the assignment is refused
(the unit was sent elsewhere meanwhile) the request stays open and the commander sees why.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.commanding import mutual_aid, orders
from api.commanding.bodies import AidRequest, Decline
from api.commanding.orders import Refusal
from api.deps import Commander, Operator, ServicesDep
from api.responses import FastJSON
from api.routes.commands import REFUSALS, carry_out, refused
from api.schemas.commands import AidAnswer, AidGranted
from api.security import Principal
from api.services import Services
from stream.events import PRINTABLE
from stream.mutualaid import MutualAid
from stream.trust import EVERYTHING

router = APIRouter(prefix="/api", tags=["commands"])
RequestId = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]


@router.post("/mutual-aid", name="mutual_aid.request", response_model=AidAnswer, responses=REFUSALS)
async def request_aid(
    body: AidRequest, request: Request, who: Operator, services: ServicesDep
) -> FastJSON:
    """Ask a commander for a unit deployed to another BCU, for an incident (inspectors: a
    unit one may command oneself is answered 409). The answer's ``request_id`` names it."""
    request_id = uuid.uuid4().hex[:16]
    command = mutual_aid.request(services.spine.picture, who, body, request_id)
    # Asking touches no unit: not held to the inspector's BCU.
    done = await carry_out(
        request, services, who, command, None, body.model_dump(), scope=EVERYTHING
    )
    return FastJSON(done.answer() | {"request_id": request_id})


@router.post(
    "/mutual-aid/{request_id}/grant",
    name="mutual_aid.grant",
    response_model=AidGranted,
    responses=REFUSALS,
)
async def grant(
    request_id: RequestId, request: Request, who: Commander, services: ServicesDep
) -> FastJSON:
    """Grant a request: the unit is assigned to the incident, and the grant recorded."""
    aid = await _open(request, services, who, request_id)
    detail = {"request_id": request_id}
    detail |= orders.diversion(services.spine.picture, aid.unit_id, aid.incident_id)
    assigned = await carry_out(request, services, who, mutual_aid.assignment(aid), None, detail)
    seq = assigned.seq
    command = mutual_aid.grant(aid, who, seq)
    granted = await carry_out(request, services, who, command, None, {"assignment_seq": seq})
    return FastJSON(granted.answer() | {"request_id": request_id, "assignment_seq": seq})


@router.post(
    "/mutual-aid/{request_id}/decline",
    name="mutual_aid.decline",
    response_model=AidAnswer,
    responses=REFUSALS,
)
async def decline(
    request_id: RequestId, body: Decline, request: Request, who: Commander, services: ServicesDep
) -> FastJSON:
    """Decline a request, with the reason the inspector will read."""
    aid = await _open(request, services, who, request_id)
    command = mutual_aid.decline(aid, who, body)
    done = await carry_out(request, services, who, command, None, body.model_dump())
    return FastJSON(done.answer() | {"request_id": request_id})


async def _open(request: Request, services: Services, who: Principal, request_id: str) -> MutualAid:
    aid = mutual_aid.open_request(services.spine.picture, request_id)
    if isinstance(aid, Refusal):
        raise await refused(request, services, who, aid)
    return aid
