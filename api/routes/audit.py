"""The audit log, for commanders: JSON, or CSV to take away (the export is audited too)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from api.audit import AuditOutcome, AuditQuery
from api.deps import Commander, ServicesDep, audit_request
from api.responses import FastJSON
from api.schemas.problems import SIGNED_IN, problems
from api.schemas.records import AuditLog
from stream.events import PRINTABLE

router = APIRouter(prefix="/api", tags=["audit"])


@router.get(
    "/audit",
    name="audit",
    response_model=AuditLog,
    responses=SIGNED_IN
    | problems(422)
    | {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def audit(
    request: Request,
    who: Commander,
    services: ServicesDep,
    since: Annotated[datetime | None, Query(description="at or after (RFC 3339)")] = None,
    until: Annotated[datetime | None, Query(description="before (RFC 3339)")] = None,
    actor: Annotated[str | None, Query(max_length=200, pattern=PRINTABLE)] = None,
    action: Annotated[str | None, Query(max_length=64, pattern=PRINTABLE)] = None,
    outcome: AuditOutcome | None = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 500,
    format: Literal["json", "csv"] = "json",
    kind: Annotated[
        str | None,
        Query(
            max_length=32,
            pattern=r"^[a-z_]+$",
            description="actions of one kind, the word before the dot: view (view.context, "
            "a look at a linked person or a marker's text), report (report.export)",
        ),
    ] = None,
) -> FastJSON | StreamingResponse:
    """Newest first (JSON) or oldest first (CSV): who, role, action, target, when, from
    which address, the outcome and the HTTP status answered."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(422, f"{name} must carry a time zone, e.g. 2026-11-24T20:00:00Z")
    query = AuditQuery(since, until, actor, action, outcome, limit, kind)
    if format == "json":
        rows = await asyncio.to_thread(services.audit.query, query)
        return FastJSON({"entries": rows})
    await audit_request(
        request,
        services,
        "audit.export",
        AuditOutcome.OK,
        200,
        who,
        detail={k: str(v) for k, v in asdict(query).items() if v is not None},
    )
    chunks = await asyncio.to_thread(lambda: list(services.audit.csv(query)))
    return StreamingResponse(
        iter(chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="bluelamp-audit.csv"'},
    )
