"""Naive forms of the recommender's ranking and move-ups, the baselines bench_recommend times
the real ones against: plain Python loops over units, points and standby points, one travel
time at a time (``TravelTimeModel.seconds``), no matrices.

They follow stream/recommend's rules to the letter (the 20 quickest units scored, the road
pace of an S-grade drive, the cover weight, late arrivals after timely ones, units too far
for an S-grade call after both, diversions; DMEXCLP's greedy with the same standby
points, drive limit, BCU crossing cost and tie order), so each must give the same answer as
the real code: the benchmark asserts it, and tests/benchmarks checks it on small cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from geodata.travel import TravelTimeModel
from stream.recommend.assign import (
    COVER_WEIGHT_S,
    DIVERT_COST_S,
    FAR,
    LATE,
    QUICKEST,
    S_ETA_WEIGHT,
    SHORTLIST,
    worth_the_drive,
)
from stream.recommend.cover import DRIVE_BUDGET_S
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import CROSS_BCU_COST, MAX_DRIVE_S, MIN_GAIN, STANDBY_PER_BCU
from stream.recommend.situation import Call, Resource, Situation, pace

#: (unit id, ETA in seconds, cost): a ranked unit as both forms give it.
Ranked = tuple[str, float, float]
#: (unit id, demand point of the standby, gain): a move-up as both forms give it.
Moved = tuple[str, int, float]


def naive_reach(
    grid: CoverGrid, units: Sequence[Resource], travel: TravelTimeModel, when: datetime
) -> list[set[int]]:
    """For each unit, the demand points it reaches within the drive budget once sent."""
    points = list(zip(grid.lats.tolist(), grid.lons.tolist(), strict=True))
    return [
        {
            j
            for j, (lat, lon) in enumerate(points)
            if travel.seconds(u.lat, u.lon, lat, lon, u.unit_type, when) + u.start_s
            <= DRIVE_BUDGET_S
        }
        for u in units
    ]


def naive_counts(points: int, reach: Sequence[set[int]]) -> list[int]:
    """How many units reach each point."""
    counts = [0] * points
    for reached in reach:
        for j in reached:
            counts[j] += 1
    return counts


def naive_rank(
    situation: Situation,
    travel: TravelTimeModel,
    available: Sequence[Resource],
    reach: Sequence[set[int]],
    counts: Sequence[int],
    demand: Sequence[float],
    q: float,
    call: Call,
    limit: int = SHORTLIST,
) -> list[Ranked]:
    """Every unit's ETA and cover cost, one unit at a time; then the rules of Ranker.rank."""
    now = situation.now
    left = (call.target_at - now).total_seconds()
    weight = 1.0 if call.grade == "I" else S_ETA_WEIGHT
    waited = (now - call.created_at).total_seconds()

    def eta_of(unit: Resource) -> float:
        drive = travel.seconds(unit.lat, unit.lon, call.lat, call.lon, unit.unit_type, now)
        return drive * pace(call.grade) + unit.start_s

    scored = []
    for i, unit in enumerate(available):
        eta = eta_of(unit)
        loss = 0.0
        for j in reach[i]:
            loss += demand[j] * (q ** (counts[j] - 1) - q ** counts[j])
        cost = weight * eta + COVER_WEIGHT_S * loss if eta <= left else LATE + eta
        if not worth_the_drive(call.grade, eta, waited):
            cost = FAR + eta
        scored.append((eta, i, cost))
    # Units that break off their work (busy ones) cover nothing now: for an I-grade call
    # they rank with the rest; for an S-grade call, only those in time, and only when no
    # free unit is in time and worth its drive.
    breaking = [u for u in situation.resources if not u.dispatchable and u.sendable(call.grade)]
    busy = []
    for k, unit in enumerate(breaking):
        eta = eta_of(unit)
        cost = weight * eta if eta <= left else LATE + eta
        busy.append(
            (
                eta,
                len(available) + k,
                cost if worth_the_drive(call.grade, eta, waited) else FAR + eta,
            )
        )
    units = [*available, *breaking]

    def best(of: list[tuple[float, int, float]]) -> list[tuple[float, int, float]]:
        quickest = sorted(of)[:QUICKEST]
        return sorted(quickest, key=lambda e: (e[2], e[0], e[1]))[:limit]

    if call.grade == "I":
        found = best(scored + busy)
    else:
        found = best(scored)
        if not found or found[0][2] >= LATE:
            found = best(scored + [b for b in busy if b[0] <= left])
    ranked = [(units[i].unit_id, eta, cost) for eta, i, cost in found]
    if call.grade == "I" and not any(round(left - eta) >= 0 for _, eta, _ in ranked):
        for unit in situation.resources:
            if not unit.divertable:
                continue
            eta = eta_of(unit)
            if left - eta >= 0:  # a diversion that is late anyway helps nobody
                ranked.append((unit.unit_id, eta, eta + DIVERT_COST_S))
    return sorted(ranked, key=lambda r: (r[2], round(r[1]), r[0]))[:limit]


def naive_move_ups(
    situation: Situation,
    travel: TravelTimeModel,
    grid: CoverGrid,
    available: Sequence[Resource],
    reach: Sequence[set[int]],
    demand: Sequence[float],
    q: float,
    limit: int,
) -> list[Moved]:
    """DMEXCLP's greedy: each round, every unit against every standby point, the change in
    expected cover summed point by point where the two reach differ; the best move is made."""
    now, n = situation.now, len(grid)
    standby: list[int] = []
    for bcu in sorted(set(grid.bcus)):
        inside = [j for j in range(n) if grid.bcus[j] == bcu]
        standby.extend(sorted(inside, key=lambda j: -demand[j])[:STANDBY_PER_BCU])
    points = list(zip(grid.lats.tolist(), grid.lons.tolist(), strict=True))
    kinds = sorted({u.unit_type for u in available})
    from_standby = {
        kind: [
            {
                j
                for j, (lat, lon) in enumerate(points)
                if travel.seconds(*points[s], lat, lon, kind, now) <= DRIVE_BUDGET_S
            }
            for s in standby
        ]
        for kind in kinds
    }
    drive = [
        [travel.seconds(u.lat, u.lon, *points[s], u.unit_type, now) for s in standby]
        for u in available
    ]
    counts = naive_counts(n, reach)
    moved: set[int] = set()
    used: set[int] = set()
    found: list[Moved] = []
    while len(found) < limit:
        best: tuple[int, int, float] | None = None
        best_score = MIN_GAIN
        for kind in kinds:
            for u, unit in enumerate(available):
                if unit.unit_type != kind or u in moved:
                    continue
                for s, point in enumerate(standby):
                    if s in used or drive[u][s] > MAX_DRIVE_S:
                        continue
                    there, here = from_standby[kind][s], reach[u]
                    gain = 0.0
                    for j in there - here:
                        gain += demand[j] * q ** counts[j] * (1.0 - q)
                    for j in here - there:
                        gain -= demand[j] * q ** (counts[j] - 1) * (1.0 - q)
                    crossing = CROSS_BCU_COST if grid.bcus[point] != unit.bcu else 0.0
                    if gain - crossing > best_score:
                        best, best_score = (u, s, gain), gain - crossing
        if best is None:
            break
        u, s, gain = best
        for j in reach[u]:
            counts[j] -= 1
        for j in from_standby[available[u].unit_type][s]:
            counts[j] += 1
        found.append((available[u].unit_id, standby[s], gain))
        moved.add(u)
        used.add(s)
    return found
