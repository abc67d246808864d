"""Debriefs, as PDFs from the event log (reports/debrief.py, reports/period_debrief.py): one
incident's (``GET /api/incidents/{id}/debrief``) and a period's (``GET /api/debrief``).
Planners and commanders, as the reports; every one audited as an export."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.audit import AuditOutcome
from api.deps import IncidentId, ReportReader, ServicesDep, audit_request
from api.schemas.files import PDF_FILE
from api.schemas.problems import SIGNED_IN, problems
from api.security import Principal
from api.services import Services
from reports.debrief import NoSuchIncident, debrief, debrief_pdf
from reports.period_debrief import NoSuchPeriod, period_debrief, period_debrief_pdf

router = APIRouter(prefix="/api", tags=["reports"])


@router.get(
    "/incidents/{incident_id}/debrief",
    name="debrief",
    response_class=Response,
    responses=SIGNED_IN
    | problems(404, 422)
    | {200: {"content": PDF_FILE, "description": "the debrief, A4 PDF"}},
)
async def incident_debrief(
    request: Request, incident_id: IncidentId, who: ReportReader, services: ServicesDep
) -> Response:
    """One incident's debrief from the log, as a PDF: its facts, its response against the
    target, each unit sent with its times, the timeline (with the recommender's advice
    from the ledger), and a map of the units around it at each key moment (created, first
    unit sent, first on scene, closed). Audited as an export."""

    def make() -> bytes:
        made = debrief(services.spine.log, incident_id)
        return debrief_pdf(services.london, made, datetime.now(UTC))

    try:
        body = await asyncio.to_thread(make)
    except NoSuchIncident as exc:
        raise HTTPException(404, str(exc)) from None
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", incident_id)
    return await _exported(request, services, who, body, (incident_id, safe), {})


@router.get(
    "/debrief",
    name="debrief.period",
    response_class=Response,
    responses=SIGNED_IN
    | problems(422)
    | {200: {"content": PDF_FILE, "description": "the debrief, A4 PDF"}},
)
async def period_debrief_file(
    request: Request,
    who: ReportReader,
    services: ServicesDep,
    start: Annotated[datetime, Query(alias="from", description="RFC 3339 with its zone")],
    end: Annotated[datetime, Query(alias="to", description="RFC 3339 with its zone")],
) -> Response:
    """A period's debrief from the log (up to 7 days, by when the log took its records), as
    a PDF: the figures against target, the key moments (the start, the most I- and S-grade
    calls waiting at once, the end) each with a map of London then, the late arrivals and
    what people decided. Audited as an export."""
    if start.tzinfo is None or end.tzinfo is None:
        raise HTTPException(422, "from and to must carry a time zone, e.g. 2026-11-25T22:00:00Z")
    try:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:  # within a day of the calendar's ends
        raise HTTPException(422, "from and to must lie within years 1 to 9999 in UTC") from None

    def make() -> bytes:
        made = period_debrief(services.spine.log, services.london, start, end)
        return period_debrief_pdf(services.london, made, datetime.now(UTC))

    try:
        body = await asyncio.to_thread(make)
    except NoSuchPeriod as exc:
        raise HTTPException(422, str(exc)) from None
    span = f"{start:%Y-%m-%dT%H%M}Z-{end:%Y-%m-%dT%H%M}Z"
    asked = {"from": start.isoformat(), "to": end.isoformat()}
    return await _exported(request, services, who, body, (span, span), asked)


async def _exported(
    request: Request,
    services: Services,
    who: Principal,
    body: bytes,
    named: tuple[str, str],
    asked: dict[str, Any],
) -> Response:
    """Audit the export (target ``debrief:<what>``) and answer the file; ``named``: what was
    debriefed, and the same safe for a file name."""
    what, safe = named
    await audit_request(
        request,
        services,
        "report.export",
        AuditOutcome.OK,
        200,
        who,
        target=f"debrief:{what}",
        detail={"format": "pdf", **asked},
    )
    disposition = f'attachment; filename="bluelamp-debrief-{safe}.pdf"'
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )
