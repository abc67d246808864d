"""Benchmark: the live advice (stream.advice) at London scale, beside its old form in one run.

    .venv/bin/python -m benchmarks.bench_advice [--units 3000] [--waiting 243] [--runs 10]

The server recomputes the advice once a second on its event loop (``Advisor.current``), so
its cost is time every socket and request waits. A picture with ``--units`` on duty (four
in five free to send) and ``--waiting`` I/S incidents unassigned (243: the busy London of
the session-13 profile), then, each the median of ``--runs``:

- baseline: the nearest three units per incident as advice found them until session 14,
  one ``seconds_many`` call and a full ``argsort`` per incident;
- ``seconds_matrix`` alone: every free unit to every waiting incident in one call;
- ``advise``: all of the advice (nearest three per incident, at risk, alerts).

Positions come from the grid stub of benchmarks.events, so no geodata is needed.
"""

from __future__ import annotations

import argparse
import os
import random

import numpy as np

from benchmarks import events as f
from benchmarks.bench_recommend import timed
from geodata.travel import CrowFliesModel
from stream.advice import advise
from stream.events import DISPATCHABLE
from stream.picture import Picture


def busy_picture(units: int, waiting: int, seed: int = 1) -> Picture:
    """``units`` on duty across the stub box, one in five busy, ``waiting`` I/S waiting."""
    rng = random.Random(seed)
    lat_min, lat_max, lon_min, lon_max = f.BOX
    raws = []
    for n in range(units):
        where = {"lat": rng.uniform(lat_min, lat_max), "lon": rng.uniform(lon_min, lon_max)}
        kind = rng.choice(["IRV"] * 6 + ["ARV", "TSG", "DOG", "FOOT"])
        raws.append(f.unit_on_duty(f"U{n}", "AW", unit_type=kind, **where))
        if rng.random() < 0.2:
            raws.append(f.unit_status(f"U{n}", rng.choice(["refreshment", "custody"])))
    for n in range(waiting):
        lat, lon = rng.uniform(lat_min, lat_max), rng.uniform(lon_min, lon_max)
        raws.append(f.incident_created(f"I{n}", rng.choice("IS"), lat, lon))
    picture = Picture()
    for raw in raws:
        problem = picture.check(f.stub_validated(raw))
        assert problem is None, (problem, raw)
        picture.apply(f.stub_recorded(picture.seq + 1, raw))
    return picture


def per_incident(picture: Picture, travel: CrowFliesModel) -> int:
    """The baseline: one travel call and a full sort per waiting incident."""
    assert picture.now is not None
    free = [u for u in picture.units.values() if u.status in DISPATCHABLE]
    lats = np.array([u.lat for u in free])
    lons = np.array([u.lon for u in free])
    types = [u.unit_type.value for u in free]
    waiting = [i for i in picture.incidents.values() if i.grade.value in "IS"]
    for incident in waiting:
        seconds = travel.seconds_many(lats, lons, incident.lat, incident.lon, types, picture.now)
        np.argsort(seconds)[:3]
    return len(waiting)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--waiting", type=int, default=243)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    picture, travel = busy_picture(args.units, args.waiting), CrowFliesModel()
    assert picture.now is not None
    free = [u for u in picture.units.values() if u.status in DISPATCHABLE]
    print(f"advice: {len(picture.units)} units ({len(free)} free), {args.waiting} waiting")
    base = timed(
        "baseline: seconds_many + argsort per incident",
        lambda: per_incident(picture, travel),
        args.runs,
    )
    lats, lons = [u.lat for u in free], [u.lon for u in free]
    types = [u.unit_type.value for u in free]
    to = [i.lat for i in picture.incidents.values()], [i.lon for i in picture.incidents.values()]
    timed(
        "seconds_matrix: every free unit to every incident",
        lambda: travel.seconds_matrix(lats, lons, *to, types, picture.now),
        args.runs,
    )
    whole = timed("advise: all of the advice", lambda: advise(picture, travel), args.runs)
    print(f"  advise / baseline: {whole / base:.2f}")
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
