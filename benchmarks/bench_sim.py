"""Benchmark: simulated days per minute of wall time, London at full scale, per policy.

    .venv/bin/python -m benchmarks.bench_sim [--days 1]

The normal-day scenario (~6,000 incidents and ~1,100 units a day) with each dispatch policy,
without AVL pings (as `bluelamp evaluate` runs) and with them (as `bluelamp simulate --out`
does), beside the baseline of drawing the same day's demand alone (arrivals, no fleet).
"""

from __future__ import annotations

import argparse
import random
import time

from geodata import London
from stream.sim.demand import Demand
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load


def main(days: float) -> None:
    london = London.load()
    scenario = load("normal-day")
    scenario = scenario.starting(scenario.start, days * 24)
    print(f"normal-day, {days:g} simulated day(s); figures in simulated days per wall minute")

    started = time.perf_counter()
    demand, rng, t, count = Demand(london), random.Random(7), scenario.start, 0
    while (t := demand.next_arrival(t, rng)[0]) < scenario.end:
        demand.arrival(t, rng)
        count += 1
    seconds = time.perf_counter() - started
    print(f"  baseline: demand alone ({count:,} incidents)      {days / seconds * 60:8.1f}")
    for policy in ("closest-idle-own-bcu", "closest-idle-any", "manual"):
        for pings in (False, True):
            started = time.perf_counter()
            sim = Simulation(london, scenario, policy, seed=7, options=SimOptions(pings=pings))
            events = sum(1 for _ in sim.events())
            seconds = time.perf_counter() - started
            label = f"{policy}{' + AVL pings' if pings else ''}"
            print(
                f"  {label:<42} {days / seconds * 60:8.1f}   ({events:,} events, "
                f"{events / seconds:,.0f} events/s)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=1.0)
    main(parser.parse_args().days)
