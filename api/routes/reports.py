"""Reports for planners and commanders: ``GET /api/reports/{name}`` as JSON, CSV (zipped
when several tables), XLSX or PDF. Every export is audited. The read model is brought up to
the log's end first, so a report covers everything recorded so far."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from api.audit import AuditEntry, AuditOutcome
from api.deps import ReportReader, ServicesDep, client_address
from api.reports import REPORTS, Period, ReportError, build
from api.reports.formats import render
from api.reports.model import Filters
from api.responses import FastJSON
from stream.events import BCU_CODES

router = APIRouter(prefix="/api", tags=["reports"])
Codes = Annotated[list[str] | None, Query()]


@router.get("/reports", name="reports.list")
async def list_reports(who: ReportReader) -> dict[str, list[str]]:
    return {"reports": sorted(REPORTS)}


@router.get("/reports/{name}", name="report", response_model=None)
async def report(
    name: str,
    request: Request,
    who: ReportReader,
    services: ServicesDep,
    start: Annotated[str, Query(alias="from", description="a date (London) or RFC 3339 time")],
    end: Annotated[str, Query(alias="to", description="a date (inclusive) or RFC 3339 time")],
    bcu: Codes = None,
    borough: Annotated[list[str] | None, Query(max_length=40)] = None,
    grade: Annotated[list[Literal["I", "S", "E", "R"]] | None, Query()] = None,
    format: Literal["json", "csv", "xlsx", "pdf"] = "json",
) -> Response:
    """``demand``, ``response`` or ``resources`` for a period (``from``..``to``, dates are
    whole London days, ``to`` inclusive) and optional BCU/borough/grade filters."""
    if name not in REPORTS:
        raise HTTPException(404, f"no report {name!r}; one of {', '.join(sorted(REPORTS))}")
    codes = tuple(c.upper() for c in bcu or [])
    if unknown := [c for c in codes if c not in BCU_CODES]:
        raise HTTPException(422, f"unknown BCU {', '.join(unknown)}")
    try:
        period = Period.parse(start, end)
    except ReportError as exc:
        raise HTTPException(422, str(exc)) from None
    filters = Filters(codes, tuple(borough or []), tuple(grade or []))
    engine = services.spine.log.engine

    def make() -> tuple[bytes | dict[str, object], str, str]:
        services.read_model.catch_up(services.spine.log)
        made = build(engine, name, period, filters)
        if format == "json":
            return made.to_json(), "application/json", ""
        return render(made, format)

    body, media, filename = await asyncio.to_thread(make)
    await services.record(
        AuditEntry(
            "report.export",
            AuditOutcome.OK,
            actor=who.name,
            role=who.role.value,
            target=name,
            client=client_address(request),
            status=200,
            detail={"from": start, "to": end, "format": format, "filters": filters.describe()},
        )
    )
    if isinstance(body, dict):
        return FastJSON(body)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
