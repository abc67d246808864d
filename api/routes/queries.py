"""Read-only views of the live picture, for every role that may see data.

Every answer carries the ``seq`` of the picture it was made from, so a client can tell how
fresh it is and resume the live feed from there (``/ws?since=<seq>``). The picture, the
incidents, the units, the demand and the advice also answer for a past moment, ``?at=`` a
seq or a time (api.moments): as the picture stood then, rebuilt from the log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from fastapi.types import DecoratedCallable

from api.deps import IncidentId, Reader, ServicesDep, UnitId, Viewer
from api.moments import AtQuery
from api.picturecache import Variant, respond
from api.responses import FastJSON
from api.schemas import picture as answers
from api.schemas.advice import Advice
from api.schemas.problems import SIGNED_IN, problems
from api.services import Services
from api.views import (
    demand_view,
    filter_incidents,
    filter_units,
    incident_view,
    picture_view,
    record_view,
    unit_view,
)
from geodata import London
from geodata.layers import bcus_geojson, boroughs_geojson, hexes_geojson
from reports.readmodel import ProjectionStopped
from reports.usual import WEEKS, usual_demand
from stream.advice import advise
from stream.events import BCU_CODES, Grade, UnitStatus, UnitType
from stream.picture import IncidentStatus, Picture
from stream.sim.demand import Demand, base_rate_per_s

router = APIRouter(prefix="/api", tags=["picture"])

Limit = Annotated[int, Query(ge=1, le=10_000)]
READ = SIGNED_IN | problems(422)
FROM_LOG = READ | problems(404)


def _read(
    path: str,
    summary: str,
    model: type[Any],
    responses: dict[int | str, dict[str, Any]] = READ,
    name: str | None = None,
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A GET route of this module (named for its function unless ``name``), with its
    OpenAPI summary, the answer's model and the problems it may answer with."""
    return router.get(path, name=name, summary=summary, response_model=model, responses=responses)


async def _picture(services: Services, at: str | None) -> Picture:
    """The live picture, or (``at``) the picture at that past moment; a 422 if the log
    holds no such moment."""
    return services.spine.picture if at is None else await services.past.at(at)


def _bcus(codes: list[str] | None) -> list[str]:
    wanted = [c.upper() for c in codes or []]
    if unknown := [c for c in wanted if c not in BCU_CODES]:
        raise HTTPException(
            422, f"unknown BCU {', '.join(unknown)}; one of {', '.join(sorted(BCU_CODES))}"
        )
    return wanted


@_read(
    "/picture",
    "The current picture with its seq",
    answers.Picture,
    READ | {304: {"description": "Not modified: the If-None-Match names this seq's picture"}},
)
async def picture(
    request: Request,
    who: Viewer,
    services: ServicesDep,
    include_closed: bool = False,
    at: AtQuery = None,
) -> Response:
    """Incidents (open ones, or all the picture holds with ``include_closed``), units,
    per-BCU demand and capacity, and the KPIs, as of ``seq`` (now, or the moment ``at``).
    The live picture's answer is made once per seq: it carries an ETag (a client that sends
    it back in If-None-Match gets a 304 until the picture moves) and is gzipped when the
    client accepts it."""
    if at is not None:
        return FastJSON(picture_view(await services.past.at(at), include_closed))
    document = services.pictures.of(services.spine.picture, Variant(include_closed))
    return await respond(document, request)


@_read("/incidents", "Incidents, newest first", answers.IncidentList)
async def incidents(
    who: Reader,
    services: ServicesDep,
    status: Annotated[list[IncidentStatus] | None, Query()] = None,
    grade: Annotated[list[Grade] | None, Query()] = None,
    bcu: Annotated[list[str] | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="created at or after (RFC 3339)")] = None,
    limit: Limit = 1_000,
    at: AtQuery = None,
) -> FastJSON:
    if since is not None and since.tzinfo is None:
        raise HTTPException(422, "since must carry a time zone, e.g. 2026-11-24T20:00:00Z")
    pic = await _picture(services, at)
    found = filter_incidents(pic, status or [], grade or [], _bcus(bcu), since)
    return FastJSON(
        {
            "seq": pic.seq,
            "total": len(found),
            "incidents": [incident_view(i, pic) for i in found[:limit]],
        }
    )


@_read(
    "/incidents/{incident_id}", "One incident and its timeline", answers.IncidentDetail, FROM_LOG
)
async def incident(incident_id: IncidentId, who: Reader, services: ServicesDep) -> FastJSON:
    """The incident as the picture holds it (None once it has been closed long enough to
    leave the live picture) and every event about it, from the log."""
    spine = services.spine
    seq = spine.picture.seq
    current = spine.picture.incidents.get(incident_id)
    history = await asyncio.to_thread(spine.log.history, incident_id=incident_id)
    if current is None and not history:
        raise HTTPException(404, f"no incident {incident_id!r}")
    return FastJSON(
        {
            "seq": seq,
            "incident": None if current is None else incident_view(current, spine.picture),
            "timeline": [record_view(r) for r in history],
        }
    )


@_read("/units", "Units, by callsign", answers.UnitList)
async def units(
    who: Reader,
    services: ServicesDep,
    status: Annotated[list[UnitStatus] | None, Query()] = None,
    type: Annotated[list[UnitType] | None, Query()] = None,
    bcu: Annotated[list[str] | None, Query(description="where deployed now")] = None,
    at: AtQuery = None,
) -> FastJSON:
    pic = await _picture(services, at)
    found = filter_units(pic, status or [], type or [], _bcus(bcu))
    return FastJSON({"seq": pic.seq, "total": len(found), "units": [unit_view(u) for u in found]})


@_read("/units/{unit_id}", "One unit and its recent history", answers.UnitDetail, FROM_LOG)
async def unit(
    unit_id: UnitId, who: Reader, services: ServicesDep, history: Limit = 50
) -> FastJSON:
    spine = services.spine
    seq = spine.picture.seq
    current = spine.picture.units.get(unit_id)
    if current is None:
        raise HTTPException(404, f"no unit {unit_id!r}")
    records = await asyncio.to_thread(spine.log.history, unit_id=unit_id, limit=history)
    return FastJSON(
        {"seq": seq, "unit": unit_view(current), "history": [record_view(r) for r in records]}
    )


@_read("/demand", "Demand against capacity per BCU and per hex", answers.Demand)
async def demand(who: Viewer, services: ServicesDep, at: AtQuery = None) -> FastJSON:
    return FastJSON(demand_view(await _picture(services, at), services.london.hex_of))


_shares: dict[int, dict[str, float]] = {}


def _bcu_shares(london: London) -> dict[str, float]:
    """Each BCU's share of London's demand in the simulator's calibration, built once per
    London (which is not hashable, so kept by identity)."""
    if id(london) not in _shares:
        demand = Demand(london)
        _shares[id(london)] = {bcu: demand.bcu_share(bcu) for bcu in sorted(BCU_CODES)}
    return _shares[id(london)]


@_read(
    "/demand/usual",
    "Incidents in the last hour against the usual for this hour of the week, per BCU",
    answers.UsualDemand,
    name="demand.usual",
)
async def demand_usual(
    who: Viewer,
    services: ServicesDep,
    weeks: Annotated[int, Query(ge=1, le=52, description="weeks of log to average")] = WEEKS,
) -> FastJSON:
    """``now``: incidents created in the hour up to the picture's time; ``usual``: the mean
    for the same hour of the week over the previous ``weeks`` weeks of the log, or (a log
    shorter than that) the simulator's calibration. ``source`` says which."""

    def make() -> dict[str, object]:
        services.read_model.catch_up(services.spine.log)
        at = services.spine.picture.now or datetime.now(UTC)
        shares = _bcu_shares(services.london)
        engine = services.spine.log.engine
        return usual_demand(engine, at, BCU_CODES, base_rate_per_s, shares, weeks).to_json()

    try:
        return FastJSON(await asyncio.to_thread(make))
    except ProjectionStopped:
        raise HTTPException(503, "the server is shutting down; ask again in a moment") from None


@_read("/advice", "Nearest units, incidents at risk, alerts", Advice)
async def advice(who: Viewer, services: ServicesDep, at: AtQuery = None) -> FastJSON:
    """For every waiting I/S incident its nearest available units with travel times, the
    ones that will miss their target unless a unit is sent now (``at_risk``, least slack
    first), and alerts (a BCU with no available IRV, an I-grade incident unassigned for
    3 minutes). Recomputed at most once a second; the live feed carries it too. At a past
    moment (``at``): the same worked out for the picture then (``version`` 0), without the
    recommender's answer (``recommendations`` null: what it advised is in the log's
    ``advice.offered`` entries)."""
    if at is None:
        return FastJSON(services.advisor.current(services.spine.picture))
    past = advise(await _picture(services, at), services.advisor.travel)
    return FastJSON(past | {"version": 0, "recommendations": None})


@_read("/geo/{layer}", "London as GeoJSON", answers.FeatureCollection)
async def geo(
    layer: Literal["boroughs", "bcus", "hexes"], who: Viewer, services: ServicesDep
) -> FastJSON:
    """``boroughs`` (33, with BCU), ``bcus`` (12 outlines) or ``hexes`` (the H3 grid)."""
    cache: dict[str, Any] = services.geo_cache
    if layer not in cache:
        london = services.london
        build = {
            "boroughs": lambda: boroughs_geojson(london),
            "bcus": lambda: bcus_geojson(london),
            "hexes": lambda: hexes_geojson(dict.fromkeys(london.hexes, 0.0), london),
        }[layer]
        cache[layer] = await asyncio.to_thread(build)
    return FastJSON(cache[layer], headers={"Cache-Control": "private, max-age=3600"})
