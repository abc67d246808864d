"""The recommender: a situation, the travel model, the grid and a forecast in; for every
waiting call its outlook and ranked units, the order to serve the queue in, move-ups,
expected breaches and cover per BCU out. Pure: no I/O, no clock but the situation's.

:func:`what_if` answers "and if this unit went there?" with the cover of the BCUs it
touches before and after, changing nothing; :func:`standby` is where a move to a BCU goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from geodata.travel import TravelTimeModel
from stream.payloads import UnitStatus
from stream.recommend.assign import Eligible, Ranker, everyone
from stream.recommend.backup import backups
from stream.recommend.breach import expected_breaches, outlooks
from stream.recommend.cover import Cover, cover_of
from stream.recommend.forecast import Forecast
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import MOVES_PER_ROUND, move_ups, standby_points
from stream.recommend.situation import Call, Resource, Situation


@dataclass(frozen=True)
class Context:
    """What stays the same between recommendations: London's grid, travel, the forecast."""

    grid: CoverGrid
    travel: TravelTimeModel
    forecast: Forecast
    eligible: Eligible = everyone


def assess(context: Context, situation: Situation) -> Ranker:
    """The cover the available units give now, ready to rank units for calls."""
    available = tuple(r for r in situation.resources if r.dispatchable)
    demand = context.forecast.rates(situation.now)
    cover, rows = cover_of(
        context.grid, available, context.travel, situation.now, demand, situation.busy_share
    )
    return Ranker(situation, context.travel, cover, rows, available, context.eligible)


def recommend(
    context: Context, situation: Situation, moves_allowed: int = MOVES_PER_ROUND
) -> dict[str, Any]:
    """Everything the screens show, JSON-able."""
    ranker = assess(context, situation)
    queue = outlooks(ranker)
    calls = {c.incident_id: c for c in situation.calls}
    return {
        "as_of": situation.now.isoformat(),
        "busy_share": round(situation.busy_share, 3),
        "calls": [
            o.to_dict() | {"suggestions": [s.to_dict() for s in ranker.rank(calls[o.incident_id])]}
            for o in queue
        ],
        "moves": [
            m.to_dict()
            for m in move_ups(
                situation,
                context.travel,
                ranker.cover,
                ranker.rows,
                ranker.available,
                moves_allowed,
            )
        ],
        "backups": [b.to_dict() for b in backups(ranker)],
        "expected_breaches": expected_breaches(ranker),
        "cover": {bcu: round(share, 3) for bcu, share in ranker.cover.by_bcu().items()},
    }


def for_call(context: Context, situation: Situation, call: Call, limit: int = 5) -> dict[str, Any]:
    """One call's outlook and its ranked units (the call need not be waiting: a second unit
    for an incident already attended is ranked the same way)."""
    ranker = assess(context, replace(situation, calls=(call,)))
    [outlook] = outlooks(ranker)
    return outlook.to_dict() | {"suggestions": [s.to_dict() for s in ranker.rank(call, limit)]}


def what_if(
    context: Context,
    situation: Situation,
    unit_id: str,
    *,
    incident_id: str | None = None,
    to: tuple[float, float, str] | None = None,
) -> dict[str, Any]:
    """The cover of the BCUs a change touches, before and after: ``unit_id`` sent to
    ``incident_id``, or moved to ``to`` (lat, lon, BCU)."""
    unit = situation.resource(unit_id)
    if unit is None:
        raise LookupError(f"no unit {unit_id!r} on duty")
    if (incident_id is None) == (to is None):
        raise ValueError("say either the incident the unit is sent to or where it moves")
    if incident_id is not None:
        changed = replace(unit, status=UnitStatus.EN_ROUTE.value, incident_id=incident_id)
        touched = {unit.bcu} | {c.bcu for c in situation.calls if c.incident_id == incident_id}
    else:
        assert to is not None
        changed = replace(unit, lat=to[0], lon=to[1], bcu=to[2])
        touched = {unit.bcu, to[2]}
    after = replace(
        situation, resources=tuple(changed if r is unit else r for r in situation.resources)
    )
    before_cover, after_cover = _cover(context, situation), _cover(context, after)
    return {
        "unit_id": unit_id,
        "bcus": {
            bcu: {
                "before": round(before_cover.share(bcu), 3),
                "after": round(after_cover.share(bcu), 3),
            }
            for bcu in sorted(touched)
        },
        "london": {
            "before": round(before_cover.total, 3),
            "after": round(after_cover.total, 3),
        },
    }


def standby(context: Context, now: datetime, bcu: str) -> tuple[float, float, str]:
    """Where a move to ``bcu`` goes when no point is named: its standby point of highest
    forecast demand at ``now`` (as move-ups choose them), as (lat, lon, BCU)."""
    grid = context.grid
    for point in standby_points(grid, context.forecast.rates(now), 1):
        if grid.bcus[point] == bcu:
            return float(grid.lats[point]), float(grid.lons[point]), bcu
    raise LookupError(f"no BCU {bcu!r} on the cover grid")


def _cover(context: Context, situation: Situation) -> Cover:
    available: tuple[Resource, ...] = tuple(r for r in situation.resources if r.dispatchable)
    demand = context.forecast.rates(situation.now)
    return cover_of(
        context.grid, available, context.travel, situation.now, demand, situation.busy_share
    )[0]
