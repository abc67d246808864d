"""Ranking units for a call: in time first, then by ETA and the cover their going costs."""

from __future__ import annotations

import numpy as np

from stream.recommend.advise import Context, assess
from stream.recommend.assign import FAR as FAR_COST
from stream.recommend.assign import (
    LATE,
    S_LONGEST_WAIT_S,
    S_REACH_S,
    beyond_reach,
    worth_the_drive,
)
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import ROUTINE_PACE, Resource, Situation
from tests.stream.recommend.conftest import NOW, TRAVEL, call, flat, spot, unit


def _nudge(at: tuple[float, float], north_km: float) -> tuple[float, float]:
    return at[0] + north_km / 111.2, at[1]


def test_an_s_grade_call_takes_the_unit_whose_going_costs_least_cover(context: Context) -> None:
    grid = context.grid
    scene = spot(grid, "SN", 4)
    # LONE is the only unit anywhere near its part of London: sending it uncovers it.
    # CROWD stands with three others a little further away: its going costs little.
    crowd = [unit(f"C{i}", _nudge(scene, 3.0), "SN") for i in range(4)]
    situation = Situation(
        NOW, (unit("LONE", _nudge(scene, -1.0), "SN"), *crowd), (call("S1", scene, "SN", "S"),)
    )
    ranker = assess(context, situation)
    best, *_ = ranker.rank(situation.calls[0])
    assert best.unit_id.startswith("C"), best
    lone = next(s for s in ranker.rank(situation.calls[0], limit=5) if s.unit_id == "LONE")
    assert lone.eta_s < best.eta_s and lone.cover_cost > best.cover_cost
    assert lone.cover_after < lone.cover_before
    assert any("cover falls" in r for r in lone.reasons)


def test_a_unit_that_arrives_in_time_ranks_before_any_that_cannot(context: Context) -> None:
    grid = context.grid
    scene = spot(grid, "AW", 2)
    late_call = call("I1", scene, "AW", "I", waited_s=10 * 60)  # 5 minutes left
    near = unit("NEAR", _nudge(scene, 1.0), "AW")
    far = unit("FAR", _nudge(scene, 12.0), "AW")
    situation = Situation(NOW, (far, near), (late_call,))
    ranked = assess(context, situation).rank(late_call)
    assert [s.unit_id for s in ranked] == ["NEAR", "FAR"]
    assert ranked[0].margin_s >= 0 > ranked[1].margin_s
    assert ranked[1].cost > LATE
    assert "after the target" in ranked[1].reasons[0]


def test_an_i_grade_call_with_no_unit_in_time_may_take_one_on_its_way_to_a_lesser_call(
    context: Context,
) -> None:
    grid = context.grid
    scene = spot(grid, "NE", 3)
    on_way = unit(
        "DIVERT", _nudge(scene, 0.5), "NE", status="en_route", incident_id="E9", incident_grade="E"
    )
    to_i = unit(
        "TO_I", _nudge(scene, 0.5), "NE", status="en_route", incident_id="I9", incident_grade="I"
    )
    far = unit("FAR", _nudge(scene, 25.0), "NE")
    urgent = call("I1", scene, "NE", "I")
    ranked = assess(context, Situation(NOW, (on_way, to_i, far), (urgent,))).rank(urgent)
    assert [s.unit_id for s in ranked] == ["DIVERT", "FAR"]  # never one going to an I-grade call
    assert ranked[0].diverted_from == "E9"
    assert any("diverted" in r for r in ranked[0].reasons)
    # With an available unit in time, nobody is diverted.
    near = unit("NEAR", _nudge(scene, 1.0), "NE")
    again = assess(context, Situation(NOW, (on_way, near), (urgent,))).rank(urgent)
    assert [s.unit_id for s in again] == ["NEAR"]


def test_an_i_grade_call_may_take_a_unit_from_an_e_grade_scene_but_never_an_s_grade_one(
    context: Context,
) -> None:
    """On scene at an E-grade appointment: offered when no unit may be sent in time, a
    minute later off the mark and after a unit passing a lesser call (a caller met and
    left weighs more), with the words; on scene at an S-grade call: never."""
    grid = context.grid
    scene = spot(grid, "NE", 3)
    at_e = unit("AT_E", _nudge(scene, 0.5), "NE", "on_scene", incident_id="E9", incident_grade="E")
    at_s = unit("AT_S", _nudge(scene, 0.4), "NE", "on_scene", incident_id="S9", incident_grade="S")
    on_way = unit("WAY", _nudge(scene, 0.5), "NE", "en_route", incident_id="S8", incident_grade="S")
    far = unit("FAR", _nudge(scene, 25.0), "NE")
    urgent = call("I1", scene, "NE", "I")
    ranked = assess(context, Situation(NOW, (at_e, at_s, on_way, far), (urgent,))).rank(urgent)
    assert [s.unit_id for s in ranked] == ["WAY", "AT_E", "FAR"]
    drive = context.travel.seconds(at_e.lat, at_e.lon, *scene, "IRV", NOW)
    assert ranked[1].eta_s == round(drive + 60) and ranked[1].diverted_from == "E9"
    assert any("leaves the E-grade call it is at" in r for r in ranked[1].reasons)
    assert not any("at the station" in r for r in ranked[1].reasons)


def test_taken_units_and_ineligible_ones_are_not_offered(context: Context) -> None:
    grid = context.grid
    scene = spot(grid, "CE", 1)
    units = (unit("A", scene, "CE"), unit("B", scene, "CE", unit_type="FOOT"))
    waiting = call("I1", scene, "CE")
    picky = Context(
        context.grid, context.travel, context.forecast, lambda r, c: r.unit_type != "FOOT"
    )
    assert [s.unit_id for s in assess(picky, Situation(NOW, units, (waiting,))).rank(waiting)] == [
        "A"
    ]
    ranker = assess(context, Situation(NOW, units, (waiting,)))
    assert [s.unit_id for s in ranker.rank(waiting, taken=frozenset({"A"}))] == ["B"]


def test_a_busy_unit_breaks_off_for_an_i_grade_call_and_not_for_an_s_grade_one_a_free_unit_reaches(
    context: Context,
) -> None:
    """The rule the simulator dispatches by (stream.recommend.situation.may_send): a unit
    writing a report is offered for an emergency, a minute later off the mark, and not for
    an S-grade call a free unit reaches in time; one on a meal break or in custody is
    offered for neither."""
    grid = context.grid
    scene = spot(grid, "SW", 2)
    busy = unit("BUSY", _nudge(scene, 0.5), "SW", status="busy")
    meal = unit("MEAL", _nudge(scene, 0.5), "SW", status="refreshment")
    cells = unit("CELLS", _nudge(scene, 0.5), "SW", status="custody")
    free = unit("FREE", _nudge(scene, 8.0), "SW")
    units = (busy, meal, cells, free)
    urgent, routine = call("I1", scene, "SW", "I"), call("S1", scene, "SW", "S")
    ranker = assess(context, Situation(NOW, units, (urgent, routine)))
    ranked = ranker.rank(urgent, limit=5)
    assert [s.unit_id for s in ranked] == ["BUSY", "FREE"]
    drive = context.travel.seconds(busy.lat, busy.lon, scene[0], scene[1], "IRV", NOW)
    assert ranked[0].eta_s == round(drive + 60)  # back to the car first
    assert ranked[0].cover_cost == 0 and ranked[0].cover_after == ranked[0].cover_before
    assert any("breaks off" in r for r in ranked[0].reasons)
    near = unit("NEAR", _nudge(scene, 2.0), "SW")
    ranker = assess(context, Situation(NOW, (*units, near), (urgent, routine)))
    assert [s.unit_id for s in ranker.rank(routine, limit=5)] == ["NEAR", "FREE"]


def test_a_busy_unit_breaks_off_for_an_s_grade_call_only_when_no_free_unit_will_do(
    context: Context,
) -> None:
    """No free unit in reach and in time: the unit writing a report nearby is offered, with
    why; one that would be late anyway is not (a report is left to save a call)."""
    grid = context.grid
    scene = spot(grid, "SW", 2)
    busy = unit("BUSY", _nudge(scene, 0.5), "SW", status="busy")
    meal = unit("MEAL", _nudge(scene, 0.5), "SW", status="refreshment")
    far = unit("FAR", _nudge(scene, 30.0), "SW")  # beyond an S-grade call's reach
    routine = call("S1", scene, "SW", "S")
    ranked = assess(context, Situation(NOW, (busy, meal, far), (routine,))).rank(routine, 5)
    assert [s.unit_id for s in ranked] == ["BUSY", "FAR"]
    assert ranked[0].margin_s >= 0 and ranked[1].cost >= FAR_COST
    assert any("no free unit is in time" in r for r in ranked[0].reasons)
    drive = context.travel.seconds(busy.lat, busy.lon, scene[0], scene[1], "IRV", NOW)
    too_late = call("S2", scene, "SW", "S", waited_s=3600 - drive * ROUTINE_PACE - 30)
    again = assess(context, Situation(NOW, (busy, far), (too_late,))).rank(too_late, 5)
    assert [s.unit_id for s in again] == ["FAR"]


def test_with_no_cover_at_stake_the_nearest_unit_by_eta_ranks_first(grid: CoverGrid) -> None:
    """The simple case: no forecast demand, so no cover cost; the units rank by ETA, a unit
    at the station counted with its longer start."""
    context = Context(grid, TRAVEL, flat(grid, per_hour=0.0))
    scene = spot(grid, "NW", 5)
    units = (
        unit("FAR", _nudge(scene, 6.0), "NW"),
        unit("NEAR", _nudge(scene, 1.0), "NW"),
        unit("MID", _nudge(scene, 3.0), "NW"),
        unit("STATION", _nudge(scene, 0.5), "NW", status="at_station"),
    )
    urgent = call("I1", scene, "NW")
    ranked = assess(context, Situation(NOW, units, (urgent,))).rank(urgent, limit=4)
    etas = {
        u.unit_id: TRAVEL.seconds(u.lat, u.lon, scene[0], scene[1], "IRV", NOW) + u.start_s
        for u in units
    }
    assert [s.unit_id for s in ranked] == sorted(etas, key=etas.__getitem__)
    assert ranked[0].unit_id == "NEAR" and all(s.cover_cost == 0 for s in ranked)


def test_a_diversion_is_offered_only_when_it_reaches_the_i_grade_call_in_time(
    context: Context,
) -> None:
    grid = context.grid
    scene = spot(grid, "EA", 2)
    urgent = call("I1", scene, "EA", waited_s=12 * 60)  # 3 minutes left
    far = unit("FAR", _nudge(scene, 30.0), "EA")

    def on_way(km: float) -> Resource:
        return unit(
            "DIVERT", _nudge(scene, km), "EA", status="en_route", incident_id="S9",
            incident_grade="S",
        )  # fmt: skip

    # Near enough to make the target: offered, before the late free unit.
    helps = assess(context, Situation(NOW, (on_way(0.5), far), (urgent,))).rank(urgent)
    assert [s.unit_id for s in helps] == ["DIVERT", "FAR"] and helps[0].margin_s >= 0
    # Too far to make it either: the S-grade call keeps its unit; only the free one is late.
    late = assess(context, Situation(NOW, (on_way(10.0), far), (urgent,))).rank(urgent)
    assert [s.unit_id for s in late] == ["FAR"]
    assert not any(s.diverted_from for s in late)


def test_an_s_grade_call_is_driven_at_road_pace_and_a_unit_beyond_reach_ranks_last(
    context: Context,
) -> None:
    """An S-grade ETA is the road's (ROUTINE_PACE × the blue-light time); a unit more than
    S_REACH_S away ranks after every nearer one, late or not, and says why, until the call
    has waited S_LONGEST_WAIT_S."""
    grid = context.grid
    scene = spot(grid, "AW", 2)
    near = unit("NEAR", _nudge(scene, 2.0), "AW")
    far = unit("FAR", _nudge(scene, 6.0), "AW")

    def road(u: Resource) -> float:
        return TRAVEL.seconds(u.lat, u.lon, *scene, "IRV", NOW) * ROUTINE_PACE

    assert road(near) <= S_REACH_S < road(far)
    # 3 minutes left: NEAR is late, FAR later; with 40 left, NEAR is in time.
    for waited, near_in_time in ((57 * 60, False), (20 * 60, True)):
        s_call = call("S1", scene, "AW", "S", waited_s=waited)
        ranked = assess(context, Situation(NOW, (far, near), (s_call,))).rank(s_call)
        assert [s.unit_id for s in ranked] == ["NEAR", "FAR"]
        assert ranked[0].eta_s == round(road(near)) and (ranked[0].margin_s >= 0) is near_in_time
        assert (
            ranked[1].cost > FAR_COST
            and "a nearer unit usually comes free" in ranked[1].reasons[-1]
        )
    # An I-grade call on the same spot: blue lights, and no reach.
    urgent = call("I1", scene, "AW", "I")
    ranked = assess(context, Situation(NOW, (far, near), (urgent,))).rank(urgent)
    assert ranked[0].eta_s == round(road(near) / ROUTINE_PACE)
    assert not any("comes free" in r for s in ranked for r in s.reasons)
    # Waited two hours: the reach no longer holds, the quicker goes first, no such words.
    old = call("S2", scene, "AW", "S", waited_s=S_LONGEST_WAIT_S)
    ranked = assess(context, Situation(NOW, (far, near), (old,))).rank(old)
    assert [s.unit_id for s in ranked] == ["NEAR", "FAR"] and ranked[1].cost < FAR_COST
    assert not any("comes free" in r for s in ranked for r in s.reasons)


def test_beyond_reach_is_not_worth_the_drive_for_every_unit_at_once() -> None:
    rng = np.random.default_rng(15)
    for grade in ("I", "S", "E"):
        for waited in (0.0, 3_600.0, S_LONGEST_WAIT_S - 1, S_LONGEST_WAIT_S, 9_000.0):
            etas = np.concatenate([rng.uniform(0, 3 * S_REACH_S, 200), [S_REACH_S, S_REACH_S + 1]])
            one_by_one = [not worth_the_drive(grade, float(eta), waited) for eta in etas]
            assert beyond_reach(grade, etas, waited).tolist() == one_by_one, (grade, waited)
    assert beyond_reach("S", np.array([S_REACH_S + 1.0]), 0.0).tolist() == [True]
