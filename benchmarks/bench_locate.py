"""Benchmark: locate for 100k points, beside a naive shapely loop measured in the same run.

    .venv/bin/python -m benchmarks.bench_locate

Points: the 51,266 real Met burglary locations in ../shared/data/police-uk plus uniform
random points over London's bounding box (about half of which fall outside London), 100,000
in all. The naive baseline tests each point against the 33 borough polygons in turn with
``polygon.contains(Point)``; it is cheap enough to run on all 100,000 points, so nothing is
extrapolated. For scale, the cost of ``h3.latlng_to_cell`` alone is printed too: an H3-keyed
lookup would pay it before any dictionary lookup, the raster pays two subtractions.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import h3
import numpy as np
import shapely

from geodata import London

POLICE_UK = Path(__file__).resolve().parents[2] / "shared" / "data" / "police-uk"
N = 100_000


def points() -> tuple[np.ndarray, np.ndarray]:
    lats, lons = [], []
    for path in sorted(POLICE_UK.glob("*-metropolitan-street.csv")):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                lats.append(float(row["Latitude"]))
                lons.append(float(row["Longitude"]))
    rng = np.random.default_rng(42)
    extra = N - len(lats)
    lats.extend(rng.uniform(51.28, 51.70, extra))
    lons.extend(rng.uniform(-0.52, 0.34, extra))
    order = rng.permutation(N)
    return np.array(lats)[order], np.array(lons)[order]


def naive(london: London, lats: np.ndarray, lons: np.ndarray, prepared: bool) -> list[str]:
    # Fresh copies: London prepares its own geometries, which a naive loop would not have.
    shapes = [(b.name, shapely.from_wkb(shapely.to_wkb(b.geometry))) for b in london.boroughs]
    if prepared:
        for _, geometry in shapes:
            shapely.prepare(geometry)
    found = []
    for lat, lon in zip(lats, lons, strict=True):
        point = shapely.Point(lon, lat)
        found.append(next((name for name, g in shapes if g.contains(point)), ""))
    return found


def timed(label: str, seconds: float, count: int) -> float:
    per_point = seconds / count * 1e6
    print(f"  {label:<44} {per_point:9.2f} µs/point  ({count:,} points, {seconds:.3f} s)")
    return per_point


FULL = POLICE_UK.parent / "boundaries" / "london_boroughs.geojson"


def main() -> None:
    lats, lons = points()
    print(f"{N:,} points: real Met incidents + random points in London's bounding box")
    for label, source in (("shipped simplified boundaries", None), ("full resolution", FULL)):
        started = time.perf_counter()
        london = London.load(source)
        print(f"\n{label}: London.load {time.perf_counter() - started:.2f} s (raster built)")
        print(f"  boundary cells (exact test needed): {london.raster_mixed_share:.1%}")
        measure(london, lats, lons)


def measure(london: London, lats: np.ndarray, lons: np.ndarray) -> None:
    started = time.perf_counter()
    names, _ = london.locate_many(lats, lons)
    vectorised = timed("locate_many (vectorised)", time.perf_counter() - started, N)

    started = time.perf_counter()
    scalar_names = [london.locate(a, b) for a, b in zip(lats, lons, strict=True)]
    scalar = timed("locate (one call per point)", time.perf_counter() - started, N)

    started = time.perf_counter()
    for lat, lon in zip(lats, lons, strict=True):
        h3.latlng_to_cell(lat, lon, 9)
    timed("for scale: h3.latlng_to_cell alone (res 9)", time.perf_counter() - started, N)

    started = time.perf_counter()
    baseline_names = naive(london, lats, lons, prepared=False)
    baseline = timed("baseline: naive shapely loop", time.perf_counter() - started, N)
    started = time.perf_counter()
    naive(london, lats, lons, prepared=True)
    timed("  same loop, prepared polygons", time.perf_counter() - started, N)

    base = np.array(baseline_names, dtype=object)
    held = base != ""
    agree = np.mean(names[held] == base[held])
    water = int(np.count_nonzero(~held & (names != "")))
    same = all((s.borough if s else "") == n for s, n in zip(scalar_names, names, strict=True))
    print(
        f"agreement with the naive loop where a borough holds the point: {agree:.4%}; "
        f"{water:,} points in gaps between boroughs (the Thames) given the nearest borough; "
        f"scalar == vectorised: {same}"
    )
    print(
        f"speed-up vs naive: locate_many ×{baseline / vectorised:,.0f}, "
        f"locate ×{baseline / scalar:,.0f}"
    )


if __name__ == "__main__":
    main()
