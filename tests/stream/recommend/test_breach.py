"""Breach prediction: each call's outlook, the queue in order of time to breach, and expected
breaches per BCU counted by hand."""

from __future__ import annotations

import numpy as np

from stream.recommend.advise import Context, assess, recommend
from stream.recommend.breach import HORIZON, expected_breaches, outlooks
from stream.recommend.situation import ROUTINE_PACE, Situation
from tests.stream.recommend.conftest import NOW, call, spot, unit


def test_a_call_breaches_unless_a_unit_is_sent_within_its_slack(context: Context) -> None:
    grid = context.grid
    scene = spot(grid, "SW", 2)
    near = unit("NEAR", (scene[0] + 0.01, scene[1]), "SW")
    fresh = call("I1", scene, "SW", "I")
    old = call("I2", spot(grid, "SW", 5), "SW", "I", waited_s=14 * 60)
    situation = Situation(NOW, (near,), (fresh, old))
    ranker = assess(context, situation)
    first, second = outlooks(ranker)
    assert first.incident_id == "I2" and first.breaching  # 1 min left: nothing gets there
    assert "will breach" in first.words()
    eta = context.travel.seconds(near.lat, near.lon, *scene, "IRV", NOW)
    assert second.best_eta_s == round(eta)
    assert second.send_within_s == 15 * 60 - round(eta)
    assert not second.breaching
    assert f"within {second.send_within_s // 60} min" in second.words()


def test_expected_breaches_count_calls_no_unit_can_save_and_uncovered_new_demand(
    context: Context,
) -> None:
    grid = context.grid
    lone = unit("ONE", spot(grid, "EA", 0), "EA")
    a = call("I1", spot(grid, "EA", 1), "EA", "I", waited_s=14.5 * 60)
    b = call("I2", spot(grid, "EA", 2), "EA", "I", waited_s=14.5 * 60)
    situation = Situation(NOW, (lone,), (a, b))
    ranker = assess(context, situation)
    expected = expected_breaches(ranker)
    # By hand: neither call can be reached in 30 seconds, so both breach; no unit is taken,
    # so new demand is left out of reach with q^k at every point, over 15 minutes of arrivals.
    window_h = (HORIZON.total_seconds() - 15 * 60) / 3600
    q = situation.busy_share
    demand = context.forecast.rates(NOW)
    mask = grid.bcu_array == "EA"
    new = float((demand[mask] * np.power(q, ranker.cover.counts[mask])).sum() * window_h)
    assert expected["EA"] == round(2 + new, 2)
    uncovered_wa = float(demand[grid.bcu_array == "WA"].sum() * window_h)
    assert expected["WA"] == round(uncovered_wa, 2)


def test_a_busy_unit_that_breaks_off_saves_an_i_grade_call_but_not_an_s_grade_one_it_is_late_for(
    context: Context,
) -> None:
    """The ranking offers a busy unit for an I-grade call: the outlook and the expected
    breaches count it there (a minute later off the mark), and not for an S-grade call it
    would reach late."""
    grid = context.grid
    scene = spot(grid, "SE", 3)
    busy = unit("BUSY", (scene[0] + 0.01, scene[1]), "SE", status="busy")
    far = unit("FAR", spot(grid, "SE", 0), "SE")
    urgent = call("I1", scene, "SE", "I", waited_s=10 * 60)
    routine = call("S1", scene, "SE", "S", waited_s=59 * 60)
    ranker = assess(context, Situation(NOW, (busy, far), (urgent, routine)))
    drive = context.travel.seconds(busy.lat, busy.lon, *scene, "IRV", NOW)
    far_eta = context.travel.seconds(far.lat, far.lon, *scene, "IRV", NOW)
    assert drive + 60 < min(5 * 60, far_eta)  # only the busy unit can save the I call
    by_id = {o.incident_id: o for o in outlooks(ranker)}
    assert by_id["I1"].best_eta_s == round(drive + 60) and not by_id["I1"].breaching
    assert by_id["S1"].best_eta_s == round(far_eta * ROUTINE_PACE) and by_id["S1"].breaching
    # By hand: S1 breaches (a minute left, the free unit is further); I1 does not; the free
    # unit is not taken by either, so new demand sees it.
    window_h = (HORIZON.total_seconds() - 15 * 60) / 3600
    demand = context.forecast.rates(NOW)
    mask = grid.bcu_array == "SE"
    q = ranker.situation.busy_share
    new = float((demand[mask] * np.power(q, ranker.cover.counts[mask])).sum() * window_h)
    assert expected_breaches(ranker)["SE"] == round(1 + new, 2)


def test_a_busy_unit_saves_an_s_grade_call_no_free_unit_reaches_in_time(
    context: Context,
) -> None:
    """Eight minutes left, the free unit further than that at road pace, the unit writing a
    report near enough: the outlook counts on it, and the expected breaches do not count the
    call, nor take the free unit for it."""
    grid = context.grid
    scene = spot(grid, "SE", 3)
    busy = unit("BUSY", (scene[0] + 0.01, scene[1]), "SE", status="busy")
    far = unit("FAR", spot(grid, "SE", 0), "SE")
    routine = call("S1", scene, "SE", "S", waited_s=52 * 60)
    ranker = assess(context, Situation(NOW, (busy, far), (routine,)))
    drive = context.travel.seconds(busy.lat, busy.lon, *scene, "IRV", NOW) * ROUTINE_PACE
    far_eta = context.travel.seconds(far.lat, far.lon, *scene, "IRV", NOW) * ROUTINE_PACE
    assert drive + 60 <= 8 * 60 < far_eta  # the setting: only the busy unit is in time
    [outlook] = outlooks(ranker)
    assert outlook.best_eta_s == round(drive + 60) and not outlook.breaching
    window_h = (HORIZON.total_seconds() - 15 * 60) / 3600
    demand = context.forecast.rates(NOW)
    mask = grid.bcu_array == "SE"
    q = ranker.situation.busy_share
    new = float((demand[mask] * np.power(q, ranker.cover.counts[mask])).sum() * window_h)
    assert expected_breaches(ranker)["SE"] == round(new, 2)


def test_recommend_puts_it_together_and_is_json_able(context: Context) -> None:
    import json

    grid = context.grid
    units = tuple(unit(f"U{i}", spot(grid, "NW", i), "NW") for i in range(5))
    situation = Situation(NOW, units, (call("I1", spot(grid, "NW", 7), "NW"),))
    advice = recommend(context, situation)
    json.dumps(advice)
    [only] = advice["calls"]
    assert only["incident_id"] == "I1" and len(only["suggestions"]) == 3
    assert set(advice["cover"]) == set(grid.codes)
    assert set(advice["expected_breaches"]) == set(grid.codes)
