"""Benchmark: the recommender at London scale, each part beside a baseline in the same run.

    .venv/bin/python -m benchmarks.bench_recommend [--units 700] [--calls 40] [--runs 10]
        [--fleet 3000] [--incidents 50] [--resolution 8]

Three parts, one run:

- Today: ``--units`` on duty across the 12 BCUs (four in five free to send, the rest en
  route or on scene) and ``--calls`` I/S calls waiting, on the product's 404-point grid.
  ``recommend`` (cover, every call's ranked units, the queue, move-ups, expected breaches
  per BCU) and each part alone, beside stream.advice's nearest three units by ETA per call.
- (a) Ranking: a London fleet of ``--fleet`` units; ``--incidents`` new incidents, each
  ranked on its own against the cover computed once, beside the naive ranking
  (benchmarks/naive_recommend.py: a Python loop over units, one ETA and one cover cost at
  a time). The two rankings are asserted equal, incident by incident.
- (b) Move-ups: the same fleet size with no unit free in three BCUs, on a grid of H3
  resolution ``--resolution`` (8: 2,568 points), beside the naive DMEXCLP greedy (loops
  over units, standby points and points) given the same reach. The moves are asserted
  equal.

Units and calls sit within ~500 m of random demand points (never two at one spot, so a
ranking has no ties). The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np

from benchmarks.naive_recommend import (
    Ranked,
    naive_counts,
    naive_move_ups,
    naive_rank,
    naive_reach,
)
from geodata.london import London
from geodata.travel import CrowFliesModel
from stream.recommend.advise import Context, assess, recommend
from stream.recommend.assign import Ranker
from stream.recommend.breach import expected_breaches
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import Move, move_ups
from stream.recommend.situation import Call, Resource, Situation
from stream.sim.prior import calibrated_prior

NOW = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # a Friday night
STRIPPED = ("NE", "SW", "EA")  # (b)'s BCUs with every unit busy


def situation(
    grid: CoverGrid, units: int, calls: int, seed: int = 1, stripped: tuple[str, ...] = ()
) -> Situation:
    """``units`` on duty and ``calls`` waiting, each near a random demand point (within
    ~500 m, so no two share a position and a ranking has no ties); no unit is free in the
    ``stripped`` BCUs (a surge took them all), which leaves cover to move up into."""
    rng = random.Random(seed)
    statuses = ["available"] * 8 + ["en_route", "on_scene"]

    def place() -> tuple[float, float, str]:
        i = rng.randrange(len(grid))
        lat = float(grid.lats[i]) + rng.uniform(-0.0045, 0.0045)
        return lat, float(grid.lons[i]) + rng.uniform(-0.007, 0.007), grid.bcus[i]

    resources = []
    for n in range(units):
        lat, lon, bcu = place()
        status = rng.choice(statuses[-2:] if bcu in stripped else statuses)
        grade = rng.choice("SE") if status == "en_route" else None
        kind = rng.choice(["IRV"] * 6 + ["ARV", "TSG"])
        resources.append(Resource(f"U{n}", f"U{n}", kind, bcu, lat, lon, status, None, grade))
    return Situation(NOW, tuple(resources), tuple(incidents(grid, calls, rng)))


def incidents(grid: CoverGrid, count: int, rng: random.Random) -> list[Call]:
    """``count`` I- and S-grade calls near random demand points, by target."""
    found = []
    for n in range(count):
        i = rng.randrange(len(grid))
        lat = float(grid.lats[i]) + rng.uniform(-0.0045, 0.0045)
        lon = float(grid.lons[i]) + rng.uniform(-0.007, 0.007)
        grade = rng.choice("IS")
        created = NOW - timedelta(seconds=rng.randrange(600))
        target = created + timedelta(minutes=15 if grade == "I" else 60)
        found.append(
            Call(f"C{n}", None, grade, "violence", lat, lon, grid.bcus[i], created, target)
        )
    return sorted(found, key=lambda c: c.target_at)


def nearest_three(context: Context, s: Situation) -> int:
    """The baseline: stream.advice's nearest three free units by ETA, for every call."""
    free = [r for r in s.resources if r.dispatchable]
    lats = np.array([r.lat for r in free])
    lons = np.array([r.lon for r in free])
    types = np.array([r.unit_type for r in free])
    for call in s.calls:
        seconds = context.travel.seconds_many(lats, lons, call.lat, call.lon, types, s.now)
        np.argsort(seconds)[:3]
    return len(s.calls)


def timed(label: str, fn: Callable[[], object], runs: int) -> float:
    fn()  # warm: imports, caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    median = statistics.median(samples)
    print(f"  {label:<48} {median:8.1f} ms median  (max {max(samples):.1f}, {runs} runs)")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=700)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--fleet", type=int, default=3000, help="units on duty in (a) and (b)")
    parser.add_argument("--incidents", type=int, default=50, help="incidents ranked in (a)")
    parser.add_argument("--resolution", type=int, default=8, help="H3 resolution of (b)'s grid")
    args = parser.parse_args()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "one per core")
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"BLAS threads (OPENBLAS_NUM_THREADS): {threads}")
    london = London.load()
    grid = CoverGrid.of(london)
    forecast = Prior(np.full(len(grid), 1.0 / len(grid)), lambda when: 55.0)
    context = Context(grid, CrowFliesModel(), forecast)
    today(context, situation(grid, args.units, args.calls), args.runs)
    ranking(Context(grid, CrowFliesModel(), calibrated_prior(london, grid)), args)
    fine = CoverGrid.of(london, args.resolution)
    moving(Context(fine, CrowFliesModel(), calibrated_prior(london, fine)), args)
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def today(context: Context, s: Situation, runs: int) -> None:
    """Everything the screens show, beside the nearest three by ETA."""
    print(
        f"recommender: {len(s.resources)} units ({sum(r.dispatchable for r in s.resources)} "
        f"free), {len(s.calls)} calls waiting, {len(context.grid)} demand points"
    )
    base = timed("baseline: nearest three by ETA per call", lambda: nearest_three(context, s), runs)
    timed("cover (reach matrix, MEXCLP)", lambda: assess(context, s).cover, runs)

    def ranked() -> None:
        ranker = assess(context, s)
        for call in s.calls:
            ranker.rank(call)

    timed("cover + every call's ranked units", ranked, runs)

    def moves() -> None:
        ranker = assess(context, s)
        move_ups(s, context.travel, ranker.cover, ranker.rows, ranker.available)

    timed("cover + move-ups (3)", moves, runs)
    timed("cover + expected breaches per BCU", lambda: expected_breaches(assess(context, s)), runs)
    whole = timed("recommend: all of it", lambda: recommend(context, s), runs)
    print(f"  recommend / baseline: {whole / base:.1f}x")


def ranking(context: Context, args: argparse.Namespace) -> None:
    """(a) One new incident at a time ranked over a London fleet, beside the naive loop."""
    s = situation(context.grid, args.fleet, 0, seed=2)
    calls = incidents(context.grid, args.incidents, random.Random(3))
    ranker = assess(context, s)
    print(
        f"(a) ranking one incident: {args.fleet} units ({len(ranker.available)} free), "
        f"{len(context.grid)} demand points, {len(calls)} incidents one at a time"
    )
    timed("cover, once per situation (reach, MEXCLP)", lambda: assess(context, s), args.runs)

    def rank_all() -> None:
        for call in calls:
            ranker.rank(call)

    real = timed("rank, all incidents", rank_all, args.runs) / len(calls)
    print(f"  {'  = per incident':<48} {real:8.2f} ms")
    began = time.perf_counter()
    reach = naive_reach(context.grid, ranker.available, context.travel, s.now)
    counts = naive_counts(len(context.grid), reach)
    print(f"  {'naive cover, unit by unit, point by point':<48} {since(began):8.1f} ms  (1 run)")
    assert [set(np.flatnonzero(row).tolist()) for row in ranker.rows] == reach
    demand, q = ranker.cover.demand.tolist(), ranker.cover.q
    began, naive = time.perf_counter(), []
    for call in calls:
        naive.append(
            naive_rank(s, context.travel, ranker.available, reach, counts, demand, q, call)
        )
    slow = since(began) / len(calls)
    print(f"  {'naive rank (ETA, cover cost unit by unit)':<48} {slow:8.2f} ms per incident")
    for call, theirs in zip(calls, naive, strict=True):
        ours = [(r.unit_id, float(r.eta_s), r.cost) for r in ranker.rank(call)]
        agree(call.incident_id, ours, theirs)
    print(f"  same ranking for all {len(calls)}; naive / real: {slow / real:.0f}x")


def agree(name: str, ours: list[Ranked], theirs: list[Ranked]) -> None:
    assert [r[0] for r in ours] == [r[0] for r in theirs], (name, ours, theirs)
    for (_, eta, cost), (_, naive_eta, naive_cost) in zip(ours, theirs, strict=True):
        assert eta == round(naive_eta) and math.isclose(cost, naive_cost, rel_tol=1e-9), name


def moving(context: Context, args: argparse.Namespace) -> None:
    """(b) London's move-ups on a fine grid, beside the naive greedy."""
    s = situation(context.grid, args.fleet, 0, seed=4, stripped=STRIPPED)
    ranker = assess(context, s)
    print(
        f"(b) move-ups: {args.fleet} units ({len(ranker.available)} free; none in "
        f"{', '.join(STRIPPED)}), {len(context.grid)} demand points (H3 resolution "
        f"{args.resolution}), {len(context.grid.codes)} BCUs"
    )
    found: list[Move] = []

    def moves(ranker: Ranker) -> None:
        found[:] = move_ups(s, context.travel, ranker.cover, ranker.rows, ranker.available)

    timed("cover (reach matrix, MEXCLP)", lambda: assess(context, s), args.runs)
    real = timed("move-ups (3, greedy DMEXCLP) on that cover", lambda: moves(ranker), args.runs)
    timed("cover + move-ups: all of it", lambda: moves(assess(context, s)), args.runs)
    reach = [set(np.flatnonzero(row).tolist()) for row in ranker.rows]
    demand, q = ranker.cover.demand.tolist(), ranker.cover.q
    began = time.perf_counter()
    naive = naive_move_ups(
        s, context.travel, context.grid, ranker.available, reach, demand, q, len(found) or 3
    )
    slow = since(began)
    print(f"  {'naive greedy on the same reach (loops)':<48} {slow:8.1f} ms  (1 run)")
    ours = [(m.unit_id, m.cell, m.gain) for m in found]
    theirs = [(u, context.grid.cells[p], gain) for u, p, gain in naive]
    assert [m[:2] for m in ours] == [m[:2] for m in theirs], (ours, theirs)
    assert all(math.isclose(a[2], b[2], rel_tol=1e-9) for a, b in zip(ours, theirs, strict=True))
    print(
        f"  the same {len(found)} moves ({', '.join(f'+{m.gain:.2f}' for m in found)}); "
        f"naive / real greedy: {slow / real:.0f}x"
    )


def since(began: float) -> float:
    return (time.perf_counter() - began) * 1000


if __name__ == "__main__":
    main()
