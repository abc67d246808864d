"""Move-ups: each proposed move's gain is the cover difference recomputed from scratch; no
move is proposed where cover is already good; a unit moves once; the limit holds."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from stream.recommend.advise import Context, assess
from stream.recommend.grid import CoverGrid
from stream.recommend.moves import MIN_GAIN, move_ups
from stream.recommend.situation import Situation
from tests.stream.recommend.conftest import NOW, TRAVEL, flat, spot, unit


def test_units_bunched_in_one_bcu_are_moved_to_cover_an_empty_neighbour(context: Context) -> None:
    grid = context.grid
    bunch = tuple(unit(f"U{i}", spot(grid, "CE", 0), "CE") for i in range(6))
    situation = Situation(NOW, bunch, ())
    ranker = assess(context, situation)
    moves = move_ups(situation, context.travel, ranker.cover, ranker.rows, ranker.available, 3)
    assert 1 <= len(moves) <= 3
    assert len({m.unit_id for m in moves}) == len(moves)
    assert len({m.cell for m in moves}) == len(moves)
    # Each move's gain is what moving that unit (after the moves before it) adds, from scratch.
    moved = situation
    for move in moves:
        before = assess(context, moved).cover.total
        unit_now = moved.resource(move.unit_id)
        assert unit_now is not None
        shifted = replace(unit_now, lat=move.lat, lon=move.lon)
        moved = replace(
            moved, resources=tuple(shifted if r is unit_now else r for r in moved.resources)
        )
        after = assess(context, moved).cover.total
        assert abs((after - before) - move.gain) < 1e-6
        assert move.gain >= MIN_GAIN
        assert move.cover_after > move.cover_before
        assert move.unit_id in move.reason or move.callsign in move.reason


def test_no_move_is_proposed_when_units_already_stand_where_the_demand_is(
    context: Context,
) -> None:
    grid = context.grid
    first = assess(context, Situation(NOW, (), ()))
    from stream.recommend.moves import standby_points

    points = standby_points(grid, first.cover.demand)
    spread = tuple(
        unit(f"U{n}", (float(grid.lats[p]), float(grid.lons[p])), grid.bcus[p])
        for n, p in enumerate(points)
    )
    situation = Situation(NOW, spread, ())
    ranker = assess(context, situation)
    assert move_ups(situation, context.travel, ranker.cover, ranker.rows, ranker.available) == []


def test_the_limit_caps_the_moves(context: Context) -> None:
    grid = context.grid
    bunch = tuple(unit(f"U{i}", spot(grid, "NA", 0), "NA") for i in range(8))
    situation = Situation(NOW, bunch, ())
    ranker = assess(context, situation)
    args = (situation, context.travel, ranker.cover, ranker.rows, ranker.available)
    assert len(move_ups(*args, limit=1)) == 1
    assert move_ups(*args, limit=0) == []


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    placed=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["IRV", "IRV", "ARV", "DOG"])),
        min_size=1,
        max_size=12,
    ),
    busy=st.integers(0, 6),
)
def test_a_move_up_never_lowers_the_expected_cover(
    grid: CoverGrid, placed: list[tuple[int, str]], busy: int
) -> None:
    """Over small random Londons: each move, applied in turn, raises the cover recomputed
    from scratch (never lowers it), and so does the whole round."""
    context = Context(grid, TRAVEL, flat(grid))
    at = [(float(grid.lats[p % len(grid)]), float(grid.lons[p % len(grid)])) for p, _ in placed]
    free = tuple(
        unit(f"U{n}", where, grid.bcus[p % len(grid)], unit_type=kind)
        for n, ((p, kind), where) in enumerate(zip(placed, at, strict=True))
    )
    tied = tuple(unit(f"B{n}", at[n % len(at)], "AW", status="on_scene") for n in range(busy))
    situation = Situation(NOW, free + tied, ())
    ranker = assess(context, situation)
    start = ranker.cover.total
    moved = situation
    for move in move_ups(situation, TRAVEL, ranker.cover, ranker.rows, ranker.available, 3):
        before = assess(context, moved).cover.total
        now = moved.resource(move.unit_id)
        assert now is not None
        shifted = replace(now, lat=move.lat, lon=move.lon, bcu=move.to_bcu)
        moved = replace(moved, resources=tuple(shifted if r is now else r for r in moved.resources))
        assert assess(context, moved).cover.total >= before - 1e-9
    assert assess(context, moved).cover.total >= start - 1e-9
