"""Benchmark: the recommender at London scale, beside today's advice in the same run.

    .venv/bin/python -m benchmarks.bench_recommend [--units 700] [--calls 40] [--runs 10]

A situation of ``--units`` units on duty across the 12 BCUs (four in five free to send, the
rest en route, on scene or busy) and ``--calls`` I/S calls waiting, on the real grid and
travel model. Timed: ``recommend`` (cover, every call's ranked units, the queue, move-ups,
expected breaches per BCU) beside the baseline of stream.advice's nearest three units by
ETA for each call (what the screens show today), and each part alone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np

from geodata.london import London
from geodata.travel import CrowFliesModel
from stream.recommend.advise import Context, assess, recommend
from stream.recommend.breach import expected_breaches
from stream.recommend.forecast import Prior
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import move_ups
from stream.recommend.situation import Call, Resource, Situation

NOW = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # a Friday night


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
        found.append(Call(f"C{n}", None, grade, "violence", lat, lon, grid.bcus[i], created, target))
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
    args = parser.parse_args()
    grid = CoverGrid.of(London.load())
    forecast = Prior(np.full(len(grid), 1.0 / len(grid)), lambda when: 55.0)
    context = Context(grid, CrowFliesModel(), forecast)
    s = situation(grid, args.units, args.calls)
    print(
        f"recommender: {args.units} units ({sum(r.dispatchable for r in s.resources)} free), "
        f"{args.calls} calls waiting, {len(grid)} demand points"
    )
    base = timed(
        "baseline: nearest three by ETA per call", lambda: nearest_three(context, s), args.runs
    )
    timed("cover (reach matrix, MEXCLP)", lambda: assess(context, s).cover, args.runs)

    def ranked() -> None:
        ranker = assess(context, s)
        for call in s.calls:
            ranker.rank(call)

    timed("cover + every call's ranked units", ranked, args.runs)

    def moves() -> None:
        ranker = assess(context, s)
        move_ups(s, context.travel, ranker.cover, ranker.rows, ranker.available)

    timed("cover + move-ups (3)", moves, args.runs)
    timed(
        "cover + expected breaches per BCU",
        lambda: expected_breaches(assess(context, s)),
        args.runs,
    )
    whole = timed("recommend: all of it", lambda: recommend(context, s), args.runs)
    print(f"  recommend / baseline: {whole / base:.1f}x")


if __name__ == "__main__":
    main()
