"""Reports for planners and commanders: ``GET /api/reports/{name}`` as JSON, CSV (zipped
when several tables), XLSX or PDF. Every export is audited. The read model is brought up to
the log's end first, so a report covers everything recorded so far."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from api.audit import AuditOutcome
from api.deps import ReportReader, ServicesDep, audit_request, refuse
from api.responses import FastJSON
from api.schemas.files import GIS_FILES, REPORT_FILES
from api.schemas.problems import SIGNED_IN, problems
from api.schemas.records import Job as JobAnswer
from api.schemas.records import Report, ReportNames
from api.security import Principal, Role
from api.services import Services
from reports import gis
from reports.catalogue import REPORTS, Period, ReportError, build
from reports.formats import file_stem, render
from reports.jobs import Job
from reports.model import Filters
from reports.readmodel import ProjectionStopped
from stream.events import BCU_CODES

router = APIRouter(prefix="/api", tags=["reports"])
Codes = Annotated[list[str] | None, Query()]
Boroughs = Annotated[list[str] | None, Query(max_length=40)]
Grades = Annotated[list[Literal["I", "S", "E", "R"]] | None, Query()]
From = Annotated[str, Query(alias="from", description="a date (London) or RFC 3339 time")]
To = Annotated[str, Query(alias="to", description="a date (inclusive) or RFC 3339 time")]
Format = Literal["json", "csv", "xlsx", "pdf"]
ASKED = SIGNED_IN | problems(404, 422)


@router.get("/reports", name="reports.list", response_model=ReportNames, responses=SIGNED_IN)
async def list_reports(who: ReportReader) -> dict[str, list[str]]:
    return {"reports": sorted(REPORTS)}


@dataclass(frozen=True)
class Asked:
    """A report as asked for in the query: its name, period and filters, checked."""

    name: str
    start: str
    end: str
    period: Period
    filters: Filters


def _asked(
    name: str,
    start: From,
    end: To,
    bcu: Codes = None,
    borough: Boroughs = None,
    grade: Grades = None,
) -> Asked:
    if name not in REPORTS:
        raise HTTPException(404, f"no report {name!r}; one of {', '.join(sorted(REPORTS))}")
    return _checked(name, start, end, bcu, borough, grade)


def _checked(
    name: str, start: str, end: str, bcu: Codes, borough: Boroughs, grade: Grades
) -> Asked:
    codes = tuple(c.upper() for c in bcu or [])
    if unknown := [c for c in codes if c not in BCU_CODES]:
        raise HTTPException(422, f"unknown BCU {', '.join(unknown)}")
    try:
        period = Period.parse(start, end)
    except ReportError as exc:
        raise HTTPException(422, str(exc)) from None
    return Asked(name, start, end, period, Filters(codes, tuple(borough or []), tuple(grade or [])))


AskedDep = Annotated[Asked, Depends(_asked)]


def _asked_layer(
    layer: str,
    start: From,
    end: To,
    bcu: Codes = None,
    borough: Boroughs = None,
    grade: Grades = None,
) -> Asked:
    if layer not in gis.LAYERS:
        raise HTTPException(404, f"no export {layer!r}; one of {', '.join(gis.LAYERS)}")
    return _checked(layer, start, end, bcu, borough, grade)


LayerDep = Annotated[Asked, Depends(_asked_layer)]


@router.get(
    "/reports/{name}",
    name="report",
    response_model=Report,
    responses=ASKED | {200: {"content": REPORT_FILES}},
)
async def report(
    request: Request,
    who: ReportReader,
    services: ServicesDep,
    asked: AskedDep,
    format: Format = "json",
) -> Response:
    """``demand``, ``response``, ``resources`` or ``advice`` for a period (``from``..``to``,
    dates are whole London days, ``to`` inclusive) and optional BCU/borough/grade filters. A year
    takes seconds; for a report made in the background with progress, POST to
    ``/api/reports/{name}/jobs`` with the same parameters."""

    def make() -> tuple[bytes | dict[str, object], str, str]:
        services.read_model.catch_up(services.spine.log)
        made = build(services.spine.log.engine, asked.name, asked.period, asked.filters)
        if format == "json":
            return made.to_json(), "application/json", ""
        return render(made, format)

    try:
        body, media, filename = await asyncio.to_thread(make)
    except ProjectionStopped:
        raise HTTPException(503, "the server is shutting down; ask again in a moment") from None
    await _audit(request, who, services, asked, format)
    if isinstance(body, dict):
        return FastJSON(body)
    return _download(body, media, filename)


@router.get(
    "/exports/{layer}",
    name="export",
    response_class=Response,
    responses=ASKED | {200: {"content": GIS_FILES, "description": "the layer's file"}},
)
async def export(
    request: Request,
    who: ReportReader,
    services: ServicesDep,
    asked: LayerDep,
    format: Literal["geojson", "gpkg"] = "geojson",
    by: Literal["borough", "bcu"] = "borough",
) -> Response:
    """Layers for a GIS, for a period and filters as the reports take them: ``incidents``
    (a point per incident created in the period, every read-model column as properties)
    or ``demand`` (a polygon per borough, or per BCU with ``by=bcu``, with its incidents
    counted, in all and by grade), as GeoJSON or GeoPackage (EPSG:4326)."""

    def make() -> bytes:
        services.read_model.catch_up(services.spine.log)
        engine = services.spine.log.engine
        if asked.name == "incidents":
            frame = gis.incidents(engine, asked.period, asked.filters)
        else:
            frame = gis.demand(engine, services.london, asked.period, asked.filters, by)
        return gis.render(frame, format, asked.name)[0]

    try:
        body = await asyncio.to_thread(make)
    except ProjectionStopped:
        raise HTTPException(503, "the server is shutting down; ask again in a moment") from None
    await _audit(request, who, services, asked, format)
    stem = file_stem(asked.name, asked.period)
    if asked.name == "demand":
        stem = stem.replace("bluelamp-demand-", f"bluelamp-demand-by-{by}-", 1)
    return _download(body, gis.GIS_FORMATS[format][0], f"{stem}.{gis.GIS_FORMATS[format][1]}")


@router.post(
    "/reports/{name}/jobs",
    name="report.job",
    status_code=202,
    response_model=JobAnswer,
    responses=ASKED,
)
async def report_job(
    request: Request,
    who: ReportReader,
    services: ServicesDep,
    asked: AskedDep,
    format: Literal["csv", "xlsx", "pdf"] = "xlsx",
) -> FastJSON:
    """Make the report in the background; poll ``GET /api/reports/jobs/{id}`` for its
    progress and fetch ``.../file`` when it is done."""
    filters = asked.filters
    request_json = {
        "from": asked.start,
        "to": asked.end,
        "format": format,
        "bcu": list(filters.bcu),
        "borough": list(filters.borough),
        "grade": list(filters.grade),
    }
    job = await asyncio.to_thread(services.jobs.create, who.name, asked.name, request_json)

    def run() -> None:
        jobs = services.jobs
        try:
            jobs.advance(job.id, "reading the event log", 0)
            services.read_model.catch_up(services.spine.log)
            jobs.advance(job.id, "making the report", 1)
            made = build(services.spine.log.engine, asked.name, asked.period, filters)
            steps = iter(range(2, 100))
            body, media, filename = render(
                made, format, lambda step: jobs.advance(job.id, f"writing {step}", next(steps))
            )
            jobs.finish(job.id, body, media, filename)
        except Exception as exc:  # the job says what failed; the server carries on
            jobs.fail(job.id, f"{type(exc).__name__}: {exc}")

    task = asyncio.create_task(asyncio.to_thread(run))
    services.background.add(task)
    task.add_done_callback(services.background.discard)
    await _audit(request, who, services, asked, format, job=job.id)
    return FastJSON(job.to_json(), status_code=202)


@router.get(
    "/reports/jobs/{job_id}",
    name="report.job.status",
    response_model=JobAnswer,
    responses=SIGNED_IN | problems(404, 422),
)
async def job_status(
    job_id: str, request: Request, who: ReportReader, services: ServicesDep
) -> FastJSON:
    return FastJSON((await _own_job(request, job_id, who, services)).to_json())


@router.get(
    "/reports/jobs/{job_id}/file",
    name="report.job.file",
    response_class=Response,
    responses=SIGNED_IN
    | problems(404, 409, 410, 422)
    | {200: {"content": REPORT_FILES, "description": "the report's file"}},
)
async def job_file(
    job_id: str, request: Request, who: ReportReader, services: ServicesDep
) -> Response:
    job = await _own_job(request, job_id, who, services)
    found = await asyncio.to_thread(services.jobs.file, job_id)
    if found is None and job.state == "expired":
        raise HTTPException(410, f"the report is no longer kept: {job.error}")
    if found is None:
        raise HTTPException(409, f"the report is {job.state}, not ready ({job.error or job.step})")
    return _download(*found)


def _download(body: bytes, media: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _own_job(request: Request, job_id: str, who: Principal, services: Services) -> Job:
    try:
        job = await asyncio.to_thread(services.jobs.get, job_id)
    except KeyError:
        raise HTTPException(404, f"no report job {job_id!r}") from None
    if job.owner != who.name and who.role is not Role.COMMANDER:
        reason = "a report job is its owner's (and commanders')"
        raise await refuse(request, services, who, reason, target=job_id)
    return job


async def _audit(
    request: Request,
    who: Principal,
    services: Services,
    asked: Asked,
    fmt: str,
    job: str | None = None,
) -> None:
    detail: dict[str, object] = {
        "from": asked.start,
        "to": asked.end,
        "format": fmt,
        "filters": asked.filters.describe(),
    }
    if job:
        detail["job"] = job
    await audit_request(
        request,
        services,
        "report.export",
        AuditOutcome.OK,
        202 if job else 200,
        who,
        target=asked.name,
        detail=detail,
    )
