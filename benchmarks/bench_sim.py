"""Benchmark: simulated days per minute of wall time, London at full scale, per policy.

    .venv/bin/python -m benchmarks.bench_sim [--days 1] [--scenario normal-day] [--only-bluelamp]

The normal-day scenario (~6,000 incidents and ~1,100 units a day) with each dispatch policy,
without AVL pings (as `bluelamp evaluate` runs) and with them (as `bluelamp simulate --out`
does), beside the baseline of drawing the same day's demand alone (arrivals, no fleet).
Then the recommender as the policy (`--policy bluelamp`) beside `closest-idle-own-bcu`
measured again just before it, and the ratio of the two: other work on the machine slows
both alike, so the ratio travels better than either figure (the goal: 2 simulated days a
wall minute or more with the recommender).

One BLAS thread, as the ``bluelamp`` command sets it (bluelamp/__init__.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads

import argparse
import random
import time

from geodata import London
from stream.sim.demand import Demand
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import Scenario, load


def main(days: float, name: str, only_bluelamp: bool) -> None:
    london = London.load()
    scenario = load(name)
    scenario = scenario.starting(scenario.start, days * 24)
    print(f"{name}, {days:g} simulated day(s); figures in simulated days per wall minute")
    if not only_bluelamp:
        _others(london, scenario, days)
    baseline = _run(london, scenario, "closest-idle-own-bcu", days, pings=False)
    recommender = _run(london, scenario, "bluelamp", days, pings=False)
    print(
        f"  bluelamp / closest-idle-own-bcu, same run: {recommender / baseline:.2f} "
        f"(bluelamp {'meets' if recommender >= 2 else 'misses'} 2 days a minute)"
    )


def _others(london: London, scenario: Scenario, days: float) -> None:
    started = time.perf_counter()
    demand, rng, t, count = Demand(london), random.Random(7), scenario.start, 0
    while (t := demand.next_arrival(t, rng)[0]) < scenario.end:
        demand.arrival(t, rng)
        count += 1
    seconds = time.perf_counter() - started
    print(f"  baseline: demand alone ({count:,} incidents)      {days / seconds * 60:8.1f}")
    for policy in ("closest-idle-own-bcu", "closest-idle-any", "manual"):
        for pings in (False, True):
            _run(london, scenario, policy, days, pings)


def _run(london: London, scenario: Scenario, policy: str, days: float, pings: bool) -> float:
    """One run, printed; its simulated days per wall minute."""
    started = time.perf_counter()
    sim = Simulation(london, scenario, policy, seed=7, options=SimOptions(pings=pings))
    events = sum(1 for _ in sim.events())
    seconds = time.perf_counter() - started
    label = f"{policy}{' + AVL pings' if pings else ''}"
    print(
        f"  {label:<42} {days / seconds * 60:8.1f}   ({events:,} events, "
        f"{events / seconds:,.0f} events/s)"
    )
    return days / seconds * 60


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--scenario", default="normal-day")
    parser.add_argument(
        "--only-bluelamp", action="store_true", help="only the recommender and its baseline"
    )
    args = parser.parse_args()
    main(args.days, args.scenario, args.only_bluelamp)
