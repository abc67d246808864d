"""Incident intelligence: ``GET /api/incidents/{id}/context``, what the force knows of a
call's place and people, cut to what the asker may see (stream.privacy) and audited.

Every answer that shows a linked person or a marker's text writes one audit row (action
``view.context``, outcome ``ok``, what was shown by count and id); one that withholds them
writes a denial (outcome ``denied``). Commanders read them at ``GET /api/audit?kind=view``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from api.audit import AuditOutcome
from api.context import context_view, found_for
from api.deps import IncidentId, Reader, ReportReader, ServicesDep, audit_request
from api.responses import FastJSON
from api.schemas.intel import Context, ViewCounts
from api.schemas.problems import SIGNED_IN, problems
from reports.history import MAX_RADIUS_M, calls_near
from reports.model import Period, ReportError
from stream.privacy import Sight, sight_of

router = APIRouter(prefix="/api", tags=["intelligence"])
MONTH = timedelta(days=365.25 / 12)
CALLS_LISTED = 50  # the newest earlier calls listed (counts.calls counts them all)


@router.get(
    "/incidents/{incident_id}/context",
    name="context",
    response_model=Context,
    responses=SIGNED_IN | problems(404, 422),
)
async def context(
    request: Request,
    incident_id: IncidentId,
    who: Reader,
    services: ServicesDep,
    radius_m: Annotated[int, Query(ge=10, le=MAX_RADIUS_M, description="metres")] = 100,
    months: Annotated[int, Query(ge=1, le=36, description="of earlier calls")] = 12,
) -> FastJSON:
    """Earlier calls within ``radius_m`` over ``months`` before this one (grade, category,
    outcome, date; the newest 50, and how many in all), the active warning markers within
    ``radius_m``, and the people linked to the call: all for a commander and for an
    inspector of the call's BCU; no one named and no free text for another BCU's
    inspector; counts only for a planner."""
    picture = services.spine.picture
    incident = picture.incidents.get(incident_id)
    if incident is None:
        raise HTTPException(404, f"no incident {incident_id!r} in the live picture")
    since = incident.created_at - months * MONTH
    calls = await asyncio.to_thread(
        calls_near,
        services.read_model.engine,
        incident.lat,
        incident.lon,
        radius_m,
        since,
        incident.created_at,
        incident_id,
        CALLS_LISTED,
    )
    found = found_for(picture, incident, calls, radius_m)
    sight = sight_of(who.role.value, who.bcu, incident.bcu)
    if personal := found.personal:
        shown = sight is Sight.FULL
        await audit_request(
            request,
            services,
            "view.context",
            AuditOutcome.OK if shown else AuditOutcome.DENIED,
            200,
            who,
            target=incident_id,
            detail={"shown" if shown else "withheld": personal, "bcu": incident.bcu},
        )
    return FastJSON(context_view(incident, picture.seq, found, radius_m, since, sight))


@router.get(
    "/intel/views",
    name="intel.views",
    response_model=ViewCounts,
    responses=SIGNED_IN | problems(422),
)
async def view_counts(
    who: ReportReader,
    services: ServicesDep,
    start: Annotated[str, Query(alias="from", description="a date (London) or RFC 3339 time")],
    end: Annotated[str, Query(alias="to", description="a date (inclusive) or RFC 3339 time")],
) -> FastJSON:
    """How often intelligence was looked at (``view.context`` in the audit), by the
    viewer's role and the call's BCU, shown or withheld: for planners and commanders,
    without naming anyone, viewer or viewed."""
    try:
        period = Period.parse(start, end)
    except ReportError as exc:
        raise HTTPException(422, str(exc)) from None
    rows = await asyncio.to_thread(services.audit.view_counts, period.start, period.end)
    return FastJSON(
        {"since": period.start.isoformat(), "until": period.end.isoformat(), "rows": rows}
    )
