"""Cover (MEXCLP) recomputed by hand: every unit against every point with the scalar travel
time, the count per point, demand × (1 - q^k)."""

from __future__ import annotations

import numpy as np

from stream.recommend.cover import DRIVE_BUDGET_S, cover_of
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import Situation
from tests.stream.recommend.conftest import NOW, TRAVEL, spot, unit


def test_cover_equals_a_count_of_units_within_the_budget_at_every_point(grid: CoverGrid) -> None:
    units = [
        unit("A", spot(grid, "CE", 3), "CE"),
        unit("B", spot(grid, "AW", 5), "AW", status="at_station"),
        unit("C", spot(grid, "SE", 1), "SE", unit_type="FOOT"),
    ]
    demand = np.linspace(0.0, 1.0, len(grid))
    cover, rows = cover_of(grid, units, TRAVEL, NOW, demand, 0.3)
    expected_total = 0.0
    for j in range(len(grid)):
        k = 0
        for i, u in enumerate(units):
            seconds = TRAVEL.seconds(u.lat, u.lon, grid.lats[j], grid.lons[j], u.unit_type, NOW)
            inside = seconds + u.start_s <= DRIVE_BUDGET_S
            assert rows[i, j] == inside
            k += inside
        assert cover.counts[j] == k
        expected_total += demand[j] * (1 - 0.3**k)
    assert abs(cover.total - expected_total) < 1e-9
    assert rows[2].sum() < rows[0].sum()  # on foot reaches far fewer points than a car


def test_losing_a_unit_costs_what_the_totals_with_and_without_it_differ_by(grid: CoverGrid) -> None:
    units = [unit(f"U{i}", spot(grid, "AW", i), "AW") for i in range(4)]
    demand = np.ones(len(grid))
    cover, rows = cover_of(grid, units, TRAVEL, NOW, demand, 0.4)
    for i in range(len(units)):
        rest = [u for j, u in enumerate(units) if j != i]
        without, _ = cover_of(grid, rest, TRAVEL, NOW, demand, 0.4)
        assert abs(cover.loss(rows[i : i + 1])[0] - (cover.total - without.total)) < 1e-9


def test_a_bcu_with_no_units_near_it_is_uncovered_and_one_full_of_them_nearly_covered(
    grid: CoverGrid,
) -> None:
    units = [unit(f"U{i}", spot(grid, "EA", i * 3), "EA") for i in range(20)]
    cover, _ = cover_of(grid, units, TRAVEL, NOW, np.ones(len(grid)), 0.2)
    assert cover.share("WA") == 0.0  # Hillingdon and Harrow are far from Havering
    assert cover.share("EA") > 0.9


def test_the_busy_share_counts_units_that_cannot_be_sent_now(grid: CoverGrid) -> None:
    at = spot(grid, "AW")
    situation = Situation(
        NOW,
        (
            unit("A", at, "AW"),
            unit("B", at, "AW", status="on_scene"),
            unit("C", at, "AW", status="custody"),
            unit("D", at, "AW", status="at_station"),
        ),
        (),
    )
    assert situation.busy_share == 0.5
    assert Situation(NOW, (), ()).busy_share == 0.95
