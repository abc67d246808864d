"""The travel-time model: sane in shape, plausible on real London incidents."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.travel import CrowFliesModel, haversine_m

MODEL = CrowFliesModel()
NOON = datetime(2026, 11, 24, 12, tzinfo=UTC)
CENTRE = (51.5073, -0.1276)


@settings(max_examples=200, deadline=None)
@given(
    bearing=st.floats(0, 2 * np.pi),
    near=st.floats(0, 20_000),
    extra=st.floats(1, 10_000),
    unit_type=st.sampled_from(["IRV", "ARV", "DOG", "TSG", "TRAFFIC", "FOOT", "CYCLE"]),
    hour=st.integers(0, 23),
)
def test_monotone_in_distance(
    bearing: float, near: float, extra: float, unit_type: str, hour: int
) -> None:
    """Further along the same line from a unit never takes less time."""
    when = datetime(2026, 11, 24, hour, tzinfo=UTC)
    lat0, lon0 = 51.40, -0.30  # outer London: one speed zone along the line near it

    def point(metres: float) -> tuple[float, float]:
        return (
            lat0 + metres * np.cos(bearing) / 111_200,
            lon0 + metres * np.sin(bearing) / (111_200 * np.cos(np.radians(lat0))),
        )

    t_near = MODEL.seconds(lat0, lon0, *point(near), unit_type, when)
    t_far = MODEL.seconds(lat0, lon0, *point(near + extra), unit_type, when)
    assert t_far >= t_near


def test_zero_distance_is_the_turnout() -> None:
    assert MODEL.seconds(*CENTRE, *CENTRE, "IRV", NOON) == 60.0
    assert MODEL.seconds(*CENTRE, *CENTRE, "TSG", NOON) == 120.0


def test_peak_is_slower_than_night_and_foot_slower_than_car() -> None:
    target = (51.5300, -0.0800)
    night = MODEL.seconds(*CENTRE, *target, "IRV", datetime(2026, 11, 24, 3, tzinfo=UTC))
    peak = MODEL.seconds(*CENTRE, *target, "IRV", datetime(2026, 11, 24, 8, tzinfo=UTC))
    assert night < peak
    assert MODEL.seconds(*CENTRE, *target, "FOOT", NOON) > 3 * peak
    assert MODEL.seconds(*CENTRE, *target, "ARV", NOON) < MODEL.seconds(
        *CENTRE, *target, "IRV", NOON
    )


def test_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(1)
    lats, lons = rng.uniform(51.3, 51.65, 50), rng.uniform(-0.45, 0.25, 50)
    many = MODEL.seconds_many(lats, lons, *CENTRE, "IRV", NOON)
    single = [MODEL.seconds(a, b, *CENTRE, "IRV", NOON) for a, b in zip(lats, lons, strict=True)]
    assert np.allclose(many, single)


def test_moving_speed_never_exceeds_the_stated_bound() -> None:
    rng = np.random.default_rng(2)
    lats, lons = rng.uniform(51.3, 51.65, 500), rng.uniform(-0.45, 0.25, 500)
    for unit_type in ("IRV", "ARV", "FOOT"):
        for hour in (3, 8, 13):
            when = datetime(2026, 11, 24, hour, tzinfo=UTC)
            seconds = MODEL.seconds_many(lats, lons, *CENTRE, unit_type, when)
            straight = haversine_m(lats, lons, *CENTRE)
            moving = seconds - MODEL.seconds(*CENTRE, *CENTRE, unit_type, when)
            assert np.all(straight <= MODEL.max_speed_mps(unit_type) * moving + 1e-6)


def test_nearest_unit_drive_time_on_real_incidents_is_plausible(
    met_points: tuple[np.ndarray, np.ndarray],
) -> None:
    """Median drive time from the nearest of 300 units to 5,000 real Met incidents.

    300 response cars spread like demand (positions drawn from other incidents) is roughly
    a quiet-hour London fleet. The Met's average I-grade response of 12 min 36 s (2022)
    includes call handling, waiting for a free unit and finding the address, so the pure
    drive time from the nearest unit should be well under it: we expect 2–7 minutes.
    """
    lats, lons = met_points
    rng = np.random.default_rng(7)
    picks = rng.choice(len(lats), 5_300, replace=False)
    units, incidents = picks[:300], picks[300:]
    best = np.array(
        [
            MODEL.seconds_many(lats[units], lons[units], lats[i], lons[i], "IRV", NOON).min()
            for i in incidents
        ]
    )
    median = float(np.median(best))
    print(
        f"\nnearest-of-300 IRV drive time to 5,000 real incidents at noon: "
        f"median {median / 60:.1f} min, 90th percentile {np.percentile(best, 90) / 60:.1f} min"
    )
    assert 120 <= median <= 420
    assert np.percentile(best, 90) < 15 * 60
