"""Event ingest over HTTP, for feeds that cannot reach Redis (the feed role).

The same contract as ``XADD bluelamp:ingest``: each event is validated, sequenced and
answered accepted (with its seq), duplicate (with the first one's seq) or rejected (with the
reason, and kept on the rejected stream). One event: 200, or 422 if rejected. An array: one
answer per event in order; 200 if none was rejected, else 422 (the others still count).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from api.audit import AuditOutcome
from api.deps import Feed, ServicesDep, audit_request
from api.responses import FastJSON
from api.schemas.ingest import Ingested, Rejected
from api.schemas.problems import SIGNED_IN, problems
from stream.outcome import FEED_VERDICTS, Verdict
from stream.spine import OutcomeTimeout

router = APIRouter(prefix="/api", tags=["ingest"])
MAX_EVENTS = 10_000
MAX_BYTES = 20 * 1024 * 1024

_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "object", "description": "one CloudEvents 1.0 event"},
                        {"type": "array", "items": {"type": "object"}, "maxItems": MAX_EVENTS},
                    ]
                }
            }
        },
    }
}


@router.post(
    "/events",
    name="events.ingest",
    openapi_extra=_SCHEMA,
    response_model=Ingested,
    responses=SIGNED_IN
    | problems(413)
    | {422: {"model": Rejected, "description": "an event was rejected (the reason per event)"}},
)
async def ingest(request: Request, who: Feed, services: ServicesDep) -> FastJSON:
    """Push one CloudEvents event, or an array of them (at most 10,000)."""
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise HTTPException(413, f"at most {MAX_BYTES // (1024 * 1024)} MiB per request")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise HTTPException(422, f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise HTTPException(422, "the body is nested too deeply to be an event") from None
    single = not isinstance(body, list)
    items = [body] if single else body
    if not items:
        raise HTTPException(422, "the array holds no events")
    if len(items) > MAX_EVENTS:
        raise HTTPException(413, f"at most {MAX_EVENTS} events per request")
    try:
        texts = [json.dumps(item) for item in items]
    except RecursionError:  # parsed at the edge of the limit, one frame too deep to write
        raise HTTPException(422, "an event is nested too deeply") from None
    try:
        outcomes = await services.spine.submit_many(texts)
    except OutcomeTimeout as exc:
        raise HTTPException(503, f"{exc}; resend the same events to learn their outcome") from None
    results = [o.to_dict() for o in outcomes]
    counts = {v.value: sum(o.verdict is v for o in outcomes) for v in FEED_VERDICTS}
    for verdict, n in counts.items():
        services.metrics.http_events.labels(verdict).inc(n)
    rejected = counts[Verdict.REJECTED.value] > 0
    status = 422 if rejected else 200
    await audit_request(
        request,
        services,
        "events.ingest",
        AuditOutcome.INVALID if rejected else AuditOutcome.OK,
        status,
        who,
        detail=counts | {"reasons": [o.reason for o in outcomes if o.reason][:20]},
    )
    if single:
        answer = results[0]
        if rejected:
            return FastJSON({"detail": answer["reason"], **answer}, status_code=422)
        return FastJSON(answer)
    body = {"counts": counts, "results": results}
    if rejected:  # a sentence first, as every 4xx has; the reasons per event follow
        first = next(o.reason for o in outcomes if o.verdict is Verdict.REJECTED)
        n = counts[Verdict.REJECTED.value]
        body = {"detail": f"{n} of {len(outcomes)} events rejected; the first: {first}", **body}
    return FastJSON(body, status_code=status)
