"""Back-test of the recommender's demand forecast beside the naive one, in the same run.

    .venv/bin/python -m benchmarks.bench_forecast [--weeks 4] [--seed 5]

The simulator's calibrated London draws ``--weeks`` + 1 weeks of incidents (demand only: no
fleet); the seasonal forecast (stream/recommend/forecast.py) is fitted on the first
``--weeks`` and forecasts each hour of the last, point by point on the 404-point grid,
against the naive forecast "each point's count in the same hour a week before". Printed:
mean absolute error and Poisson deviance per point-hour for both, London's hourly totals'
error, and the time the fit and the whole back-test took.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta

from geodata.london import London
from stream.recommend.forecast import Record, backtest, fit
from stream.recommend.grid import CoverGrid
from stream.sim.demand import Demand
from stream.sim.prior import calibrated_prior
from stream.sim.scenario import load


def draw(london: London, weeks: int, seed: int) -> tuple[list[Record], datetime]:
    scenario = load("normal-day")
    demand, rng = Demand(london), random.Random(seed)
    start = scenario.start
    end = start + timedelta(days=7 * weeks)
    records: list[Record] = []
    when = start
    while True:
        when, surge = demand.next_arrival(when, rng)
        if when >= end:
            return records, start
        arrival = demand.arrival(when, rng, surge)
        if arrival.grade == "I":
            records.append((when, arrival.lat, arrival.lon))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=4, help="weeks to fit on (one more is drawn)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    london = London.load()
    grid = CoverGrid.of(london)
    prior = calibrated_prior(london, grid)
    began = time.perf_counter()
    records, start = draw(london, args.weeks + 1, args.seed)
    drawn_s = time.perf_counter() - began
    train = (start, start + timedelta(days=7 * args.weeks))
    began = time.perf_counter()
    fit(grid, records, *train, prior)
    fit_s = time.perf_counter() - began
    began = time.perf_counter()
    result = backtest(grid, records, train, 7 * 24, prior)
    backtest_s = time.perf_counter() - began
    print(
        f"forecast back-test: {len(records):,} I-grade incidents drawn in {drawn_s:.1f} s; "
        f"fit on {args.weeks} weeks in {fit_s * 1000:.0f} ms; tested on the next week "
        f"({result.hours} hours, {result.incidents:,} incidents, {len(grid)} points): "
        f"back-test (fit, both forecasts, scoring) {backtest_s * 1000:.0f} ms"
    )
    rows = [
        ("naive: same hour last week", result.naive_mae, result.naive_deviance),
        ("seasonal (hour of week x share)", result.seasonal_mae, result.seasonal_deviance),
    ]
    print(f"  {'forecast':<34} {'MAE/point-hour':>15} {'deviance/point-hour':>20}")
    for name, mae, deviance in rows:
        print(f"  {name:<34} {mae:>15.4f} {deviance:>20.4f}")
    gain = 1 - result.seasonal_mae / result.naive_mae
    print(f"  seasonal error is {gain:.0%} below the naive forecast's")


if __name__ == "__main__":
    main()
