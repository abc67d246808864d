"""The benchmark's naive ranking and move-ups (benchmarks/naive_recommend.py) give the real
recommender's answers on small Londons: otherwise bench_recommend would time two different
computations."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from benchmarks.naive_recommend import naive_counts, naive_move_ups, naive_rank, naive_reach
from geodata.london import London
from geodata.travel import CrowFliesModel
from stream.recommend.advise import Context, assess
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import move_ups
from stream.recommend.situation import Call, Resource, Situation
from tests.stream.recommend.conftest import NOW, PER_HOUR, call, spot, unit

TRAVEL = CrowFliesModel()


@pytest.fixture(scope="module")
def context() -> Context:
    grid = CoverGrid.of(London.load())
    shares = np.random.default_rng(0).gamma(2.0, size=len(grid))  # demand that varies by place
    return Context(grid, TRAVEL, Prior(shares / shares.sum(), lambda when: PER_HOUR))


def jittered(grid: CoverGrid, rng: random.Random) -> tuple[float, float, str]:
    i = rng.randrange(len(grid))
    lat = float(grid.lats[i]) + rng.uniform(-0.004, 0.004)
    return lat, float(grid.lons[i]) + rng.uniform(-0.006, 0.006), grid.bcus[i]


def londons(grid: CoverGrid, seed: int) -> tuple[Situation, list[Call]]:
    """Sixty units in a few states (busy ones break off for I, and for S when no free unit
    will do) and types (more free than the
    20 quickest scored), and
    calls of both grades anywhere."""
    rng = random.Random(seed)
    units = []
    for n in range(60):
        lat, lon, bcu = jittered(grid, rng)
        status = rng.choice(
            ["available", "available", "at_station", "en_route", "on_scene", "busy"]
        )
        grade = rng.choice("SE") if status == "en_route" else None
        kind = rng.choice(["IRV", "IRV", "ARV", "TSG", "FOOT"])
        units.append(Resource(f"U{n}", f"U{n}", kind, bcu, lat, lon, status, None, grade))
    calls = []
    for n in range(15):
        lat, lon, bcu = jittered(grid, rng)
        calls.append(call(f"C{n}", (lat, lon), bcu, rng.choice("IS"), rng.uniform(0, 900)))
    return Situation(NOW, tuple(units), ()), calls


@pytest.mark.parametrize("seed", range(4))
def test_the_naive_ranking_is_the_rankers(context: Context, seed: int) -> None:
    situation, calls = londons(context.grid, seed)
    ranker = assess(context, situation)
    reach = naive_reach(context.grid, ranker.available, TRAVEL, NOW)
    assert reach == [set(np.flatnonzero(row).tolist()) for row in ranker.rows]
    counts = naive_counts(len(context.grid), reach)
    demand, q = ranker.cover.demand.tolist(), ranker.cover.q
    late = 0
    off_reports = Counter[str]()
    for c in calls:
        ours = ranker.rank(c, limit=5)
        theirs = naive_rank(situation, TRAVEL, ranker.available, reach, counts, demand, q, c, 5)
        assert [s.unit_id for s in ours] == [r[0] for r in theirs]
        assert [s.eta_s for s in ours] == [round(r[1]) for r in theirs]
        assert [s.cost for s in ours] == pytest.approx([r[2] for r in theirs], rel=1e-9)
        late += any(s.margin_s < 0 for s in ours)
        busy = {u.unit_id for u in situation.resources if u.status == "busy"}
        off_reports[c.grade] += any(s.unit_id in busy for s in ours)
    assert late  # the late and diverted units' rules are exercised too
    assert off_reports["I"]  # and a busy unit breaking off (for an S-grade call: below)
    if seed == 0:
        assert off_reports["S"]


def test_a_diversion_is_ranked_alike(context: Context) -> None:
    grid = context.grid
    far = unit("far", spot(grid, "SW", 0), "SW")
    diverted = unit(
        "div", spot(grid, "NE", 1), "NE", "en_route", incident_id="X", incident_grade="S"
    )
    situation = Situation(NOW, (far, diverted), ())
    ranker = assess(context, situation)
    reach = naive_reach(grid, ranker.available, TRAVEL, NOW)
    counts = naive_counts(len(grid), reach)
    c = call("C", spot(grid, "NE", 0), "NE")
    ours = ranker.rank(c)
    demand, q = ranker.cover.demand.tolist(), ranker.cover.q
    theirs = naive_rank(situation, TRAVEL, ranker.available, reach, counts, demand, q, c)
    assert ours[0].diverted_from == "X"
    assert [s.unit_id for s in ours] == [r[0] for r in theirs] == ["div", "far"]


@pytest.mark.parametrize("seed", range(3))
def test_the_naive_greedy_makes_dmexclps_moves(context: Context, seed: int) -> None:
    rng = random.Random(seed)
    grid = context.grid
    # Units bunched in two BCUs, none elsewhere: moves to make.
    units = tuple(
        unit(f"U{n}", spot(grid, bcu, rng.randrange(8)), bcu, unit_type=rng.choice(["IRV", "ARV"]))
        for n, bcu in enumerate(rng.choice(["CE", "NE", "SW"]) for _ in range(12))
    )
    situation = Situation(NOW, units, ())
    ranker = assess(context, situation)
    ours = move_ups(situation, TRAVEL, ranker.cover, ranker.rows, ranker.available, 3)
    reach = [set(np.flatnonzero(row).tolist()) for row in ranker.rows]
    demand, q = ranker.cover.demand.tolist(), ranker.cover.q
    theirs = naive_move_ups(situation, TRAVEL, grid, ranker.available, reach, demand, q, 3)
    assert len(ours) >= 2
    assert [(m.unit_id, m.cell) for m in ours] == [(u, grid.cells[p]) for u, p, _ in theirs]
    assert [m.gain for m in ours] == pytest.approx([g for _, _, g in theirs], rel=1e-9)
