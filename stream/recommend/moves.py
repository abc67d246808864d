"""Move-ups: the few relocations of available units that most raise the expected I-grade
cover (DMEXCLP: greedy, one move at a time, each judged on the cover the moves before it
leave), to standby points where the forecast puts most demand in each BCU.

A move is proposed only when it gains at least ``MIN_GAIN`` expected I-grade calls an hour
reached in time (a crew's time has a cost), costs less than ``MAX_DRIVE_S`` of driving, and
crosses into another BCU only for ``CROSS_BCU_COST`` more gain (borough-bound practice).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from geodata.travel import TravelTimeModel
from stream.recommend.cover import DRIVE_BUDGET_S, BoolArray, Cover
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import Resource, Situation

MIN_GAIN = 0.05
CROSS_BCU_COST = 0.05
MAX_DRIVE_S = 20 * 60.0
STANDBY_PER_BCU = 3
MOVES_PER_ROUND = 3


@dataclass(frozen=True)
class Move:
    unit_id: str
    callsign: str
    from_bcu: str
    to_bcu: str
    lat: float
    lon: float
    cell: str
    borough: str  # where the standby point is, in words
    gain: float  # expected I-grade calls an hour newly reached in time
    drive_s: int
    cover_before: float  # the destination BCU's covered share, before and after
    cover_after: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("gain", "cover_before", "cover_after"):
            data[key] = round(data[key], 3)
        return data


def standby_points(
    grid: CoverGrid, demand: NDArray[np.float64], per_bcu: int = STANDBY_PER_BCU
) -> list[int]:
    """Each BCU's ``per_bcu`` points of highest forecast demand."""
    points: list[int] = []
    for bcu in grid.codes:
        inside = np.flatnonzero(grid.bcu_array == bcu)
        points.extend(int(i) for i in inside[np.argsort(-demand[inside], kind="stable")[:per_bcu]])
    return points


def move_ups(
    situation: Situation,
    travel: TravelTimeModel,
    cover: Cover,
    rows: BoolArray,
    available: tuple[Resource, ...],
    limit: int = MOVES_PER_ROUND,
) -> list[Move]:
    """Up to ``limit`` moves, best first, each worth at least ``MIN_GAIN``."""
    grid, q = cover.grid, cover.q
    standby = standby_points(grid, cover.demand)
    if not standby or not available or limit <= 0:
        return []
    s_lats, s_lons = grid.lats[standby], grid.lons[standby]
    s_bcus = grid.bcu_array[standby]
    kinds = sorted({u.unit_type for u in available})
    from_standby = {
        kind: travel.seconds_matrix(s_lats, s_lons, grid.lats, grid.lons, kind, situation.now)
        <= DRIVE_BUDGET_S
        for kind in kinds
    }
    drive = travel.seconds_matrix(
        [u.lat for u in available],
        [u.lon for u in available],
        s_lats,
        s_lons,
        np.array([u.unit_type for u in available]),
        situation.now,
    )
    candidates = [
        _candidates(kind, reach_s, rows, available, drive, s_bcus)
        for kind, reach_s in from_standby.items()
    ]
    counts = cover.counts.copy()
    moved: set[int] = set()
    used: set[int] = set()
    found: list[Move] = []
    while len(found) < limit:
        best = _best(counts, cover.demand, q, candidates, moved, used)
        if best is None:
            break
        u, s, gain = best
        unit = available[u]
        after = counts - rows[u].astype(np.int64) + from_standby[unit.unit_type][s].astype(np.int64)
        bcu = str(s_bcus[s])
        before_share, after_share = cover.share(bcu, counts), cover.share(bcu, after)
        point = standby[s]
        found.append(
            Move(
                unit.unit_id,
                unit.callsign,
                unit.bcu,
                bcu,
                float(grid.lats[point]),
                float(grid.lons[point]),
                grid.cells[point],
                grid.boroughs[point],
                gain,
                round(float(drive[u, s])),
                before_share,
                after_share,
                f"{unit.callsign} to stand by in {grid.boroughs[point]} ({bcu}): +{gain:.2f} "
                f"expected I-grade calls an hour reached in time ({bcu} cover "
                f"{before_share:.0%} to {after_share:.0%})",
            )
        )
        counts, moved, used = after, moved | {u}, used | {s}
    return found


@dataclass(frozen=True)
class _Candidates:
    """The units of one type against the standby points, as floats for the products (made
    once per round of moves, not once per move: at 2,500 points they are megabytes)."""

    units: NDArray[np.intp]  # indices into the available units
    reach: NDArray[np.float64]  # their reach, row per unit
    standby: NDArray[np.float64]  # the standby points' reach for this type
    penalty: NDArray[np.float64]  # CROSS_BCU_COST where the standby point is in another BCU
    too_far: BoolArray


def _candidates(
    kind: str,
    reach_s: BoolArray,
    rows: BoolArray,
    available: tuple[Resource, ...],
    drive: NDArray[np.float64],
    s_bcus: NDArray[Any],
) -> _Candidates:
    units = np.array([u for u, r in enumerate(available) if r.unit_type == kind], dtype=np.intp)
    bcus = np.array([available[u].bcu for u in units])
    return _Candidates(
        units,
        rows[units].astype(np.float64),
        reach_s.astype(np.float64),
        np.where(s_bcus[None, :] != bcus[:, None], CROSS_BCU_COST, 0.0),
        drive[units] > MAX_DRIVE_S,
    )


def _best(
    counts: NDArray[np.int64],
    demand: NDArray[np.float64],
    q: float,
    candidates: list[_Candidates],
    moved: set[int],
    used: set[int],
) -> tuple[int, int, float] | None:
    """The best (unit, standby point, gain), or None when no move gains enough.

    Moving unit u (reach r, 0/1 per point) to standby point s (reach R) changes a point's
    count only where r and R differ: +1 adds demand·q^k·(1 - q) to the cover, -1 takes
    demand·q^(k-1)·(1 - q) away. So every unit against every point of one type is
    ``R·a + r·b - r·(R ∘ (a + b))`` with a = demand·q^k·(1 - q), b = -demand·q^(k-1)·(1 - q):
    two matrix products instead of a cover sum per pair.
    """
    q_k = demand * np.power(q, counts)
    a = q_k * (1.0 - q)
    b = -q_k * (1.0 - q) / q
    best: tuple[int, int, float] | None = None
    best_score = MIN_GAIN
    for kind in candidates:
        if not len(kind.units):
            continue
        r, standby = kind.reach, kind.standby
        gains = (standby @ a)[None, :] + (r @ b)[:, None] - r @ (standby * (a + b)).T
        scores = gains - kind.penalty
        scores[kind.too_far] = -np.inf
        scores[np.isin(kind.units, sorted(moved))] = -np.inf
        if used:
            scores[:, sorted(used)] = -np.inf
        i, s = np.unravel_index(int(np.argmax(scores)), scores.shape)
        if scores[i, s] > best_score:
            best, best_score = (int(kind.units[i]), int(s), float(gains[i, s])), float(scores[i, s])
    return best
