"""Demand over a simulated week follows its profile, its borough weights and its grade mix."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from functools import cache

import pytest

from stream.sim import calibration as cal
from stream.sim.demand import LONDON_TZ, Arrival, Demand, base_rate_per_s, grade_weights
from tests.stream.factories import london

WEEK_START = datetime(2026, 11, 23, tzinfo=LONDON_TZ)  # a Monday
# Chi-square critical value for 23 degrees of freedom at p = 0.001 (tables): the hourly test
# fails by chance once in a thousand seeds.
CHI2_23_P001 = 49.73


@cache
def week() -> tuple[Demand, list[Arrival]]:
    demand = Demand(london())
    rng = random.Random(11)
    arrivals, t = [], WEEK_START
    end = WEEK_START + timedelta(days=7)
    while True:
        t, surge = demand.next_arrival(t, rng)
        if t >= end:
            return demand, arrivals
        arrivals.append(demand.arrival(t, rng, surge))


def test_the_volume_matches_the_assumed_daily_figure() -> None:
    _, arrivals = week()
    per_day = len(arrivals) / 7
    assert per_day == pytest.approx(cal.INCIDENTS_PER_DAY * sum(cal.WEEKDAY) / 7, rel=0.03)


def test_hourly_counts_follow_the_profile() -> None:
    _, arrivals = week()
    observed = Counter(a.time.astimezone(LONDON_TZ).hour for a in arrivals)
    expected = Counter[int]()
    for hours in range(7 * 24):
        start = WEEK_START + timedelta(hours=hours)
        expected[start.hour] += base_rate_per_s(start) * 3600
    scale = len(arrivals) / sum(expected.values())
    chi2 = sum((observed[h] - expected[h] * scale) ** 2 / (expected[h] * scale) for h in range(24))
    assert chi2 < CHI2_23_P001
    # ...and the shape is the one documented: the trough is early morning, the peak evening.
    assert min(observed, key=lambda h: observed[h]) in (4, 5, 6)
    assert max(observed, key=lambda h: observed[h]) in range(16, 23)


def test_friday_and_saturday_nights_bring_more_violence_and_disorder() -> None:
    """The night-time economy: ×1.35 for its categories, on top of the weekday factor."""
    _, arrivals = week()
    nights = Counter(
        (a.time.astimezone(LONDON_TZ) - timedelta(hours=6)).weekday()  # the evening's day
        for a in arrivals
        if a.time.astimezone(LONDON_TZ).hour in (22, 23, 0, 1, 2)
        and a.category in cal.NTE_CATEGORIES
    )
    assert min(nights[4], nights[5]) > 1.3 * max(nights[1], nights[2])


def test_borough_shares_follow_the_weights() -> None:
    """Observed boroughs against the expectation given each incident's category."""
    demand, arrivals = week()
    expected = Counter[str]()
    probabilities = {}
    for category, chooser in demand._boroughs.items():
        total = chooser.cumulative[-1]
        previous = 0.0
        probabilities[category] = {}
        for name, cumulative in zip(chooser.items, chooser.cumulative, strict=True):
            probabilities[category][name] = (cumulative - previous) / total
            previous = cumulative
    for a in arrivals:
        for name, p in probabilities[a.category].items():
            expected[name] += p
    observed = Counter(a.borough for a in arrivals)
    distance = sum(abs(observed[n] - expected[n]) for n in expected) / (2 * len(arrivals))
    assert distance < 0.02
    assert observed.most_common(1)[0][0] == "Westminster"  # the West End


def test_grade_shares_follow_the_mix() -> None:
    _, arrivals = week()
    expected = Counter[str]()
    for a in arrivals:
        weights = grade_weights(a.category, a.time)
        for grade, weight in zip(cal.GRADES, weights, strict=True):
            expected[grade] += weight / sum(weights)
    observed = Counter(a.grade for a in arrivals)
    for grade in cal.GRADES:
        assert abs(observed[grade] - expected[grade]) / len(arrivals) < 0.01
    assert 0.2 < observed["I"] / len(arrivals) < 0.3  # ~1,321 I-grade in ~6,000 a day


def test_every_incident_is_in_a_met_bcu() -> None:
    _, arrivals = week()
    for a in arrivals[:3_000]:
        place = london().locate(a.lat, a.lon)
        assert place is not None and place.bcu == a.bcu
