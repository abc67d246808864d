"""Decision support's routes: units ranked for an incident, move-ups, what-if, and a
person's decision on a move-up.

The first three read the live picture and change nothing (what-if included: it answers
"what would cover be", and no event is written). Accepting or dismissing a move-up is a
command like any other (api/routes/commands.py): audited, decided by the sequencer.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request

from api.commanding import orders
from api.commanding.bodies import Dismissal
from api.deps import Commander, IncidentId, Operator, ServicesDep, Viewer
from api.recommending import open_call
from api.responses import FastJSON
from api.routes.commands import IdempotencyKey, answer
from api.schemas.commands import CommandResult
from api.schemas.decisions import (
    IncidentRecommendations,
    Ledger,
    Recommendations,
    WhatIf,
    WhatIfAnswer,
)
from api.schemas.problems import SIGNED_IN, problems
from api.services import Services
from reports.ledger import entries
from reports.readmodel import ProjectionStopped
from stream.clock import shift
from stream.envelope import PRINTABLE
from stream.recommend.advise import standby
from stream.recommend.situation import of_picture

router = APIRouter(prefix="/api", tags=["decisions"])
NOT_YET = "no recommendations yet: the picture has no events"


@router.get(
    "/incidents/{incident_id}/recommendations",
    name="incident.recommendations",
    summary="Units ranked for an incident, with reasons and the cover each costs",
    response_model=IncidentRecommendations,
    responses=SIGNED_IN | problems(404, 409, 422),
)
async def incident_recommendations(
    incident_id: IncidentId, who: Operator, services: ServicesDep
) -> FastJSON:
    """The incident's outlook (seconds to its target, the quickest free unit, how long a unit
    can wait) and the five best units to send, each with its ETA, its margin on the target,
    the I-grade cover its going costs (its BCU's covered share before and after) and the
    reasons in words. An I-grade incident no free unit reaches in time may be offered a unit
    on its way to a lower-grade incident, or on scene at an E- or R-grade one
    (``diverted_from``); a busy unit may be offered to an I-grade incident, and to an S-grade
    one no free unit reaches in time."""
    picture = services.spine.picture
    incident = open_call(picture, incident_id)
    if isinstance(incident, str):
        raise HTTPException(404 if incident.startswith("no incident") else 409, incident)
    return FastJSON(await services.recommending.for_incident(picture, incident))


@router.get(
    "/recommendations/moves",
    name="recommendations.moves",
    summary="Move-ups, expected breaches and cover per BCU",
    response_model=Recommendations,
    responses=SIGNED_IN | problems(503),
)
async def moves(who: Viewer, services: ServicesDep) -> FastJSON:
    """The recommender's latest: up to three move-ups (an available unit to a standby point,
    each with the expected I-grade calls an hour it brings within reach), the waiting calls in
    the order to serve them, back-ups (an I-grade call whose units all run late by their
    progress, and the unit to send beside them), expected breaches in the next 30 minutes
    and I-grade cover per BCU. Recomputed every few seconds while the picture moves; the live
    feed's advice carries the same."""
    latest = await services.recommending.refresh(services.spine.picture)
    if latest is None:
        raise HTTPException(503, NOT_YET)
    return FastJSON(latest)


@router.post(
    "/whatif",
    name="whatif",
    summary="Cover before and after a change, changing nothing",
    response_model=WhatIfAnswer,
    responses=SIGNED_IN | problems(404, 422, 503),
)
async def whatif(body: WhatIf, who: Operator, services: ServicesDep) -> FastJSON:
    """Preview an assignment (``unit_id`` and ``incident_id``) or a redeployment (``unit_id``
    and ``bcu``, to that BCU's busiest standby point, or ``lat``/``lon``): the I-grade cover
    of every BCU the change touches and of London, before and after. Nothing is written."""
    picture = services.spine.picture
    situation = of_picture(picture)
    if situation is None:
        raise HTTPException(503, NOT_YET)
    if situation.resource(body.unit_id) is None:
        raise HTTPException(404, f"no unit {body.unit_id!r} on duty in the live picture")
    if body.incident_id is not None:
        if body.incident_id not in picture.incidents:
            raise HTTPException(404, f"no incident {body.incident_id!r} in the live picture")
        change: dict[str, Any] = {"incident_id": body.incident_id}
    else:
        change = {"to": _where(services, situation.now, body)}
    answer = await services.recommending.what_if(situation, body.unit_id, **change)
    return FastJSON(answer | {"seq": picture.seq})


def _where(services: Services, now: datetime, body: WhatIf) -> tuple[float, float, str]:
    """Where a previewed move goes: the point sent, or the BCU's busiest standby point."""
    if body.lat is not None and body.lon is not None:
        place = services.london.locate(body.lat, body.lon)
        if place is None or not place.bcu:
            raise HTTPException(422, "that point is not in a Met BCU")
        return body.lat, body.lon, place.bcu
    return standby(services.recommending.context, now, (body.bcu or "").upper())


MoveId = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]
DECIDED: dict[str, Any] = {
    "response_model": CommandResult,
    "responses": SIGNED_IN | problems(404, 409, 422),
}


@router.post("/recommendations/{advice_id}/acceptance", name="advice.accept", **DECIDED)
async def accept(
    advice_id: MoveId,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Take a move-up the recommender offered (``moves[].advice_id``): recorded as
    ``advice.accepted`` for the ledger. A move into another BCU also needs the unit
    redeployed (``POST /api/units/{id}/redeployment``); the screens ask for it next."""
    command = orders.decide(services.spine.picture, who, advice_id)
    return await answer(request, services, who, command, key, {"advice_id": advice_id})


@router.post("/recommendations/{advice_id}/dismissal", name="advice.dismiss", **DECIDED)
async def dismiss(
    advice_id: MoveId,
    body: Dismissal,
    request: Request,
    who: Operator,
    services: ServicesDep,
    key: IdempotencyKey = None,
) -> FastJSON:
    """Turn a move-up down, with the reason (``advice.dismissed``, for the ledger)."""
    command = orders.decide(services.spine.picture, who, advice_id, body)
    return await answer(
        request, services, who, command, key, body.model_dump() | {"advice_id": advice_id}
    )


Outcome = Literal["accepted", "overridden", "dismissed", "expired", "open"]


@router.get(
    "/recommendations/ledger",
    name="recommendations.ledger",
    summary="The ledger: advice recorded and what became of it",
    response_model=Ledger,
    responses=SIGNED_IN | problems(422, 503),
)
async def ledger(
    who: Commander,
    services: ServicesDep,
    since: Annotated[
        datetime | None, Query(description="offered at or after (default: 24 h ago)")
    ] = None,
    until: Annotated[datetime | None, Query(description="offered before (default: now)")] = None,
    bcu: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=5_000)] = 500,
) -> FastJSON:
    """Every recommendation Bluelamp recorded (each waiting call's best unit, each move-up)
    offered in [``since``, ``until``), newest first, with what became of it: accepted,
    overridden (``chosen_unit_id``), dismissed (``dismiss_reason``), expired, or open; and
    by whom (commanders). From the reports' read model, brought up to date first."""
    end = _aware(until) if until else datetime.now(UTC)
    start = _aware(since) if since else shift(end, -timedelta(hours=24))
    if start >= end:
        raise HTTPException(422, "since must be before until")

    def read() -> list[dict[str, Any]]:
        services.read_model.catch_up(services.spine.log)
        with services.spine.log.engine.connect() as conn:
            code = bcu.upper() if bcu else None
            return entries(conn, start, end, code, outcome, limit)

    try:
        found = await asyncio.to_thread(read)
    except ProjectionStopped:
        raise HTTPException(503, "the server is shutting down; ask again in a moment") from None
    return FastJSON({"since": start.isoformat(), "until": end.isoformat(), "entries": found})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
