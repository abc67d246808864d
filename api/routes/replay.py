"""Replay: the live feed's frames for a past moment, for a screen that plays the log back.

``GET /api/replay/snapshot?at=`` is the picture as it stood at a moment (a seq or a time, as
``?at=`` everywhere, api.moments), shaped as the feed's first frame; ``GET
/api/replay/events?after=<seq>&at=`` is the feed's events frame for the records after
``after`` up to the moment (at most ``limit``; ``more`` says the moment is further on). A
screen in replay applies them to its store exactly as it applies the live feed's, so the
replayed screens are the live screens. Nothing here touches the live picture, its advice,
the feed or the log: a replay is reading.

Each answer carries ``time``, when the log took its last record: the replay's clock. The
advice is worked out for the picture then (``version`` 0); what the recommender advised then
is in the log's ``advice.*`` entries, which the incident's timeline shows.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api.deps import ServicesDep, Viewer
from api.live import audience_of
from api.moments import AT, NoSuchMoment, moment_seq
from api.responses import FastJSON
from api.schemas.problems import SIGNED_IN, problems
from api.schemas.replay import ReplayEvents, ReplaySnapshot
from api.security import Principal
from api.services import Services, for_audience
from api.views import picture_view, record_view, touched_view
from stream.advice import advise
from stream.events import Recorded
from stream.picture import Picture

router = APIRouter(prefix="/api/replay", tags=["replay"])
READ = SIGNED_IN | problems(422)
MAX_EVENTS = 5_000  # as the live feed's frames (api.live.MAX_FRAME_EVENTS)

Moment = Annotated[str, Query(description=AT.removesuffix("; absent, now"), max_length=64)]
After = Annotated[
    int, Query(ge=0, le=2**63 - 1, description="the seq the screen has: frames go on from it")
]
Limit = Annotated[int, Query(ge=1, le=MAX_EVENTS, description="at most this many records")]


async def _seq(services: Services, at: str) -> int:
    try:
        return await asyncio.to_thread(moment_seq, services.spine.log, at)
    except NoSuchMoment as exc:
        raise HTTPException(422, str(exc)) from None


async def _time(services: Services, seq: int) -> str:
    when: datetime | None = await asyncio.to_thread(services.spine.log.recorded_at, seq)
    return "" if when is None else when.isoformat().replace("+00:00", "Z")


def _advice(services: Services, picture: Picture, who: Principal) -> dict[str, Any]:
    made = advise(picture, services.advisor.travel) | {"version": 0, "recommendations": None}
    return for_audience(made, audience_of(who))


@router.get(
    "/snapshot",
    summary="The picture at a past moment, as the live feed's first frame",
    response_model=ReplaySnapshot,
    responses=READ,
)
async def snapshot(who: Viewer, services: ServicesDep, at: Moment) -> FastJSON:
    picture = await services.past.at(at)
    hex_of = services.london.hex_of
    return FastJSON(
        {
            "type": "snapshot",
            "seq": picture.seq,
            "time": await _time(services, picture.seq),
            "picture": picture_view(picture, hex_of=hex_of),
            "advice": _advice(services, picture, who),
        }
    )


@router.get(
    "/events",
    summary="The records after a seq up to a past moment, as the live feed's events frame",
    response_model=ReplayEvents,
    responses=READ,
)
async def events(
    who: Viewer, services: ServicesDep, after: After, at: Moment, limit: Limit = MAX_EVENTS
) -> FastJSON:
    target = await _seq(services, at)
    if after > target:
        raise HTTPException(
            422,
            f"after={after} is past the moment asked for (seq {target}): a replay plays "
            "forward; for an earlier moment ask /api/replay/snapshot",
        )
    upto = min(target, after + limit)
    hex_of = services.london.hex_of

    def made(picture: Picture, records: list[Recorded]) -> dict[str, Any]:
        return {
            "type": "events",
            "seq": picture.seq,
            "events": [record_view(r) for r in records],
            "state": touched_view(picture, records, hex_of),
            "kpis": picture.kpis(),
            "advice": _advice(services, picture, who),
            "more": picture.seq < target,
        }

    frame = await services.past.advance(after, upto, made)
    return FastJSON(frame | {"time": await _time(services, frame["seq"])})
