"""Expected I-grade cover: how much of the forecast I-grade demand a unit could reach within
the target, allowing for units being busy when the call comes (MEXCLP, Daskin 1983).

A demand point reached in time by k available units is covered with probability 1 - q^k,
q being the chance that any one of them is busy (the situation's busy share); the expected
covered demand is the sum over points of demand × (1 - q^k). DMEXCLP (Jagtenberg, Bhulai
and van der Mei, 2015) uses the same sum on the live positions to choose move-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from geodata.travel import TravelTimeModel
from stream.payloads import TARGET_SECONDS, Grade
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import Resource

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
#: Of the I-grade target (15 minutes from the call), the time a unit has to drive once sent:
#: call handling and the controller's decision take the rest (assumption, 3 minutes; the
#: simulator models that time and docs/decision-support.md discusses it).
CALL_TO_DISPATCH_S = 180.0
DRIVE_BUDGET_S = TARGET_SECONDS[Grade.IMMEDIATE] - CALL_TO_DISPATCH_S
#: Unit-point pairs per block of the reach matrix (benchmarks/bench_recommend.py).
REACH_BLOCK = 1 << 15


def reach(
    grid: CoverGrid,
    units: Sequence[Resource],
    travel: TravelTimeModel,
    when: datetime,
    budget_s: float = DRIVE_BUDGET_S,
) -> BoolArray:
    """Row per unit, column per point: can it be there within the budget once sent?"""
    found = np.zeros((len(units), len(grid)), dtype=np.bool_)
    if not units:
        return found
    lats = np.array([u.lat for u in units], dtype=np.float64)
    lons = np.array([u.lon for u in units], dtype=np.float64)
    kinds = np.array([u.unit_type for u in units])
    start = np.array([u.start_s for u in units], dtype=np.float64)[:, None]
    # A block of units at a time: London's whole matrix at once makes temporaries of tens of
    # megabytes, and ran 2-4 times slower than blocks that stay in cache (the same numbers).
    step = max(1, REACH_BLOCK // len(grid))
    for i in range(0, len(units), step):
        rows = slice(i, i + step)
        seconds = travel.seconds_matrix(
            lats[rows], lons[rows], grid.lats, grid.lons, kinds[rows], when
        )
        found[rows] = seconds + start[rows] <= budget_s
    return found


def covered(counts: NDArray[np.int64], demand: FloatArray, q: float) -> FloatArray:
    """Expected covered demand per point."""
    return demand * (1.0 - np.power(q, counts))


@dataclass(frozen=True)
class Cover:
    """Cover as it stands: how many available units reach each point, the demand there
    (expected I-grade incidents an hour) and the busy share."""

    grid: CoverGrid
    counts: NDArray[np.int64]
    demand: FloatArray
    q: float

    @property
    def total(self) -> float:
        return float(covered(self.counts, self.demand, self.q).sum())

    def loss(self, rows: BoolArray) -> FloatArray:
        """For each row of a reach matrix (a unit counted now), the expected covered demand
        lost if that unit stopped counting (sent to a call)."""
        after = self.counts[None, :] - rows.astype(np.int64)
        lost = np.power(self.q, after) - np.power(self.q, self.counts)[None, :]
        return np.asarray((lost * self.demand[None, :]).sum(axis=1), dtype=np.float64)

    def share(self, bcu: str, counts: NDArray[np.int64] | None = None) -> float:
        """The share of ``bcu``'s expected I-grade demand covered (with other counts, if given)."""
        mask = self.grid.bcu_array == bcu
        demand = self.demand[mask].sum()
        if demand <= 0:
            return 1.0
        use = self.counts if counts is None else counts
        return float(covered(use[mask], self.demand[mask], self.q).sum() / demand)

    def by_bcu(self) -> dict[str, float]:
        return {bcu: self.share(bcu) for bcu in self.grid.codes}


def cover_of(
    grid: CoverGrid,
    units: Sequence[Resource],
    travel: TravelTimeModel,
    when: datetime,
    demand: FloatArray,
    q: float,
) -> tuple[Cover, BoolArray]:
    """The cover the units that can be sent give, and their reach matrix (rows in order)."""
    rows = reach(grid, units, travel, when)
    counts = rows.sum(axis=0, dtype=np.int64)
    return Cover(grid, counts, demand, q), rows
