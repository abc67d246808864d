"""Where, when and what: incidents as a non-homogeneous Poisson process over London.

The rate at a moment is ``INCIDENTS_PER_DAY`` shaped by the hour of day, the weekday, the
night-time economy (Friday and Saturday nights) and any scenario surge. Arrivals are drawn by
thinning (candidates at the highest rate, each kept with probability rate/highest), which is
exact for a rate that changes with time. Each incident then gets a category (a mix that
shifts at night), a grade (by category), a borough (MOPAC offences for that kind of
incident), a hexagon within the borough (police.uk street-level points, smoothed so that
every hexagon can have incidents) and a point inside the hexagon in a Met BCU.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import shapely

from geodata import London
from geodata.hexgrid import hex_polygon
from stream.sim import calibration as cal

LONDON_TZ = ZoneInfo("Europe/London")
# The MOPAC offence categories whose borough pattern stands in for each incident category
# that is not itself a recorded crime (assumption).
BOROUGH_PATTERN: Mapping[str, tuple[str, ...]] = {
    "domestic": ("violence",),
    "asb": ("public_order", "criminal_damage"),
    "concern_for_welfare": ("violence", "theft", "burglary", "criminal_damage", "public_order"),
    "road_traffic": ("vehicle_crime",),
}
HEX_SMOOTHING = 1.0  # added to every hexagon's burglary count before weighting


@dataclass(frozen=True)
class Surge:
    """Extra demand in one BCU for a while: ``factor`` × its usual rate (categories: all)."""

    bcu: str
    start: datetime
    end: datetime
    factor: float
    categories: frozenset[str] | None = None


@dataclass(frozen=True)
class Arrival:
    """One incident as the caller describes it, before anyone is sent."""

    time: datetime
    category: str
    grade: str
    lat: float
    lon: float
    borough: str
    bcu: str


def is_night_time_economy(local: datetime) -> bool:
    """Friday and Saturday from 21:00 to 04:00 the next morning (local time)."""
    weekday, hour = local.weekday(), local.hour
    return (weekday in (4, 5) and hour >= 21) or (weekday in (5, 6) and hour < 4)


def base_rate_per_s(when: datetime) -> float:
    """London's incidents per second at a moment, before surges."""
    local = when.astimezone(LONDON_TZ)
    rate = cal.INCIDENTS_PER_DAY / 86_400 * cal.HOURLY[local.hour] * cal.WEEKDAY[local.weekday()]
    if is_night_time_economy(local):
        share = sum(cal.CATEGORY_SHARE[c] for c in cal.NTE_CATEGORIES)
        rate *= 1 + (cal.NIGHT_TIME_ECONOMY - 1) * share
    return rate


def category_weights(when: datetime) -> dict[str, float]:
    """The category mix at a moment (not normalised)."""
    local = when.astimezone(LONDON_TZ)
    night = local.hour >= 22 or local.hour < 5
    nte = is_night_time_economy(local)
    weights = {}
    for category, share in cal.CATEGORY_SHARE.items():
        weight = share * (cal.NIGHT_CATEGORY_FACTOR.get(category, 1.0) if night else 1.0)
        if nte and category in cal.NTE_CATEGORIES:
            weight *= cal.NIGHT_TIME_ECONOMY
        weights[category] = weight
    return weights


def grade_weights(category: str, when: datetime) -> tuple[float, float, float, float]:
    i, s, e, r = cal.GRADE_MIX[category]
    local = when.astimezone(LONDON_TZ)
    if local.hour >= 22 or local.hour < 5:
        i *= cal.NIGHT_I_FACTOR
    return (i, s, e, r)


class _Weighted:
    """Draws from a fixed weighted list in O(log n)."""

    def __init__(self, items: Sequence[str], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.weights = list(weights)
        self.cumulative = list(itertools.accumulate(self.weights))

    def draw(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, x)]


class Demand:
    """Draws arrivals; everything random comes from the ``rng`` it is given."""

    def __init__(self, london: London, surges: Sequence[Surge] = ()) -> None:
        self.london = london
        self.surges = tuple(surges)
        counts = cal.borough_category_counts()
        self.met_boroughs = [b for b in london.boroughs if b.met]
        self._bcu_of = {b.name: b.bcu or "" for b in london.boroughs}
        self._boroughs: dict[str, _Weighted] = {}
        for category in cal.CATEGORY_SHARE:
            pattern = BOROUGH_PATTERN.get(category, (category,))
            names = [b.name for b in self.met_boroughs]
            weights = [sum(counts.get((n, c), 0) for c in pattern) for n in names]
            self._boroughs[category] = _Weighted(names, weights)
        # The same choices restricted to one BCU's boroughs (for surges and unit homes).
        self._bcu_boroughs = {
            bcu: {
                category: self._within(chooser, bcu) for category, chooser in self._boroughs.items()
            }
            for bcu in {b.bcu for b in self.met_boroughs if b.bcu}
        }
        hexes = cal.hex_counts()
        by_borough: dict[str, list[tuple[str, float]]] = {}
        for cell, borough in london.hexes.items():
            by_borough.setdefault(borough, []).append((cell, hexes.get(cell, 0) + HEX_SMOOTHING))
        self._hexes = {
            borough: _Weighted([c for c, _ in rows], [w for _, w in rows])
            for borough, rows in by_borough.items()
        }
        self._polygons: dict[str, shapely.Polygon] = {}
        # Each surge's share of London's demand, once: next_arrival asks for every candidate.
        self._surge_share = {s: self.bcu_share(s.bcu, s.categories) for s in self.surges}
        self._peak = max(
            base_rate_per_s(datetime(2026, 11, 27, h, tzinfo=LONDON_TZ) + timedelta(days=d))
            for d in range(7)
            for h in range(24)
        )

    def _within(self, chooser: _Weighted, bcu: str) -> _Weighted:
        pairs = [
            (name, weight)
            for name, weight in zip(chooser.items, chooser.weights, strict=True)
            if self._bcu_of[name] == bcu
        ]
        return _Weighted([n for n, _ in pairs], [w for _, w in pairs])

    # -- when --------------------------------------------------------------------------

    def surge_extra(self, when: datetime) -> list[tuple[Surge, float]]:
        """Each active surge's extra incidents per second."""
        extra = []
        for surge in self.surges:
            if surge.start <= when < surge.end:
                share = self._surge_share[surge]
                extra.append((surge, base_rate_per_s(when) * share * (surge.factor - 1)))
        return extra

    def bcu_share(self, bcu: str, categories: frozenset[str] | None = None) -> float:
        """The share of London's incidents (of these categories) that fall in one BCU."""
        total = inside = 0.0
        for category, chooser in self._boroughs.items():
            if categories is not None and category not in categories:
                continue
            share = cal.CATEGORY_SHARE[category]
            total += share
            in_bcu = sum(self._bcu_boroughs[bcu][category].weights)
            inside += share * in_bcu / sum(chooser.weights)
        return inside / total if total else 0.0

    def next_arrival(self, after: datetime, rng: random.Random) -> tuple[datetime, Surge | None]:
        """The time of the next incident after ``after`` and the surge it belongs to."""
        peak = self._peak * max([1.0] + [s.factor for s in self.surges])
        when = after
        while True:
            when += timedelta(seconds=rng.expovariate(peak))
            base = base_rate_per_s(when)
            extras = self.surge_extra(when)
            x = rng.random() * peak
            if x < base:
                return when, None
            x -= base
            for surge, rate in extras:
                if x < rate:
                    return when, surge
                x -= rate

    def place_weights(self, category: str) -> dict[str, float]:
        """Where incidents of ``category`` happen: each H3 cell's share (summing to 1), as
        :meth:`point` draws them (borough by the category's counts, cell within it)."""
        chooser = self._boroughs[category]
        total = sum(chooser.weights)
        shares: dict[str, float] = {}
        for borough, weight in zip(chooser.items, chooser.weights, strict=True):
            cells = self._hexes.get(borough)
            if cells is None or not total:
                continue
            inside = sum(cells.weights)
            for cell, cell_weight in zip(cells.items, cells.weights, strict=True):
                shares[cell] = shares.get(cell, 0.0) + weight / total * cell_weight / inside
        return shares

    # -- what and where ----------------------------------------------------------------

    def arrival(self, when: datetime, rng: random.Random, surge: Surge | None = None) -> Arrival:
        weights = category_weights(when)
        if surge is not None and surge.categories:
            weights = {c: w for c, w in weights.items() if c in surge.categories}
        category = _Weighted(list(weights), list(weights.values())).draw(rng)
        grade = _Weighted(cal.GRADES, grade_weights(category, when)).draw(rng)
        lat, lon, borough, bcu = self.point(category, rng, surge.bcu if surge else None)
        return Arrival(when, category, grade, lat, lon, borough, bcu)

    def point(
        self, category: str, rng: random.Random, bcu: str | None = None
    ) -> tuple[float, float, str, str]:
        """A point where an incident of this category happens (in one BCU, if given)."""
        chooser = self._bcu_boroughs[bcu][category] if bcu else self._boroughs[category]
        borough = chooser.draw(rng)
        while True:
            cell = self._hexes[borough].draw(rng)
            polygon = self._polygons.get(cell)
            if polygon is None:
                polygon = self._polygons[cell] = hex_polygon(cell)
            west, south, east, north = polygon.bounds
            for _ in range(20):
                lon, lat = rng.uniform(west, east), rng.uniform(south, north)
                if not shapely.contains_xy(polygon, lon, lat):
                    continue
                # Located as the event will carry it: rounded to 6 places (0.1 m), a point on
                # London's edge could fall outside and the ingest would refuse the call.
                lat, lon = round(lat, 6), round(lon, 6)
                place = self.london.locate(lat, lon)
                # A hexagon on a boundary may spill into a neighbour: keep the point if it
                # is in a Met BCU (and the one asked for), whatever the borough.
                if place is not None and place.bcu and (bcu is None or place.bcu == bcu):
                    return lat, lon, place.borough, place.bcu


def on_scene_s(category: str, grade: str, rng: random.Random) -> float:
    """Seconds a unit stays at an incident (lognormal around the category's median)."""
    median = cal.ON_SCENE_MEDIAN_MIN[category] * 60 * cal.GRADE_ON_SCENE_FACTOR[grade]
    return max(300.0, rng.lognormvariate(math.log(max(median, 60.0)), cal.ON_SCENE_SIGMA))


def handling_s(grade: str, rng: random.Random) -> float:
    """Seconds from the call until the incident reaches the dispatch desk (or, for R,
    is closed by telephone)."""
    if grade in cal.CALL_HANDLING_S:
        median, sigma = cal.CALL_HANDLING_S[grade]
        return rng.lognormvariate(math.log(median), sigma)
    return rng.uniform(*cal.HANDLING_S[grade])
