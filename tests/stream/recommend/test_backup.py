"""Back-ups: a unit's arrival predicted from its progress, and a second unit offered only
where every unit on its way will be late and the second arrives in time, well before."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from stream.recommend.advise import Context, assess, recommend
from stream.recommend.backup import (
    BACKUP_GAIN_S,
    JUDGED_AFTER_S,
    SLOWEST,
    backups,
    lateness,
    running_late,
    worth_a_backup,
)
from stream.recommend.situation import Call, Journey, Resource, Situation
from tests.stream.recommend.conftest import NOW, TRAVEL, call, spot, unit

TURNOUT = TRAVEL.turnout("IRV")


def _north(at: tuple[float, float], km: float) -> tuple[float, float]:
    return at[0] + km / 111.2, at[1]


def _driving(
    scene: tuple[float, float], from_km: float, done: float, pace: float, name: str = "LATE"
) -> Resource:
    """A unit sent from ``from_km`` north of ``scene``, ``done`` of the way there, having
    taken ``pace`` times the model's time to drive it (after its turnout)."""
    start = _north(scene, from_km)
    here = _north(scene, from_km * (1 - done))
    model_s = TRAVEL.seconds(*start, *here, "IRV", NOW) - TURNOUT
    sent = NOW - timedelta(seconds=TURNOUT + pace * model_s)
    return unit(
        name,
        here,
        "AW",
        "en_route",
        incident_id="I1",
        incident_grade="I",
        journey=Journey(*start, sent),
    )


def _rest_s(resource: Resource, scene: tuple[float, float]) -> float:
    return TRAVEL.seconds(resource.lat, resource.lon, *scene, "IRV", NOW) - TURNOUT


def test_a_unit_at_the_model_s_pace_arrives_when_the_model_says(context: Context) -> None:
    scene = spot(context.grid, "AW", 2)
    driving = _driving(scene, 10.0, 0.5, 1.0)
    assert driving.journey is not None
    found = lateness(driving, driving.journey, call("I1", scene, "AW"), TRAVEL, NOW)
    assert found is not None
    assert found.pace == pytest.approx(1.0)
    assert found.arrives_in_s == pytest.approx(_rest_s(driving, scene))
    assert found.margin_s == pytest.approx(15 * 60 - _rest_s(driving, scene))


def test_a_unit_twice_as_slow_so_far_is_predicted_twice_as_slow_the_rest(
    context: Context,
) -> None:
    scene = spot(context.grid, "AW", 2)
    driving = _driving(scene, 10.0, 0.3, 2.0)
    assert driving.journey is not None
    the_call = call("I1", scene, "AW", waited_s=8 * 60)
    found = lateness(driving, driving.journey, the_call, TRAVEL, NOW)
    assert found is not None
    assert found.pace == pytest.approx(2.0)
    assert found.arrives_in_s == pytest.approx(2 * _rest_s(driving, scene))
    assert found.margin_s == pytest.approx(7 * 60 - 2 * _rest_s(driving, scene))


def test_too_little_driving_tells_nothing_and_a_stopped_unit_reads_as_the_slowest(
    context: Context,
) -> None:
    scene = spot(context.grid, "AW", 2)
    start = _north(scene, 10.0)
    the_call = call("I1", scene, "AW")
    standing = unit("U", start, "AW", "en_route", incident_id="I1", incident_grade="I")
    just_sent = Journey(*start, NOW - timedelta(seconds=TURNOUT + JUDGED_AFTER_S - 1))
    assert lateness(standing, just_sent, the_call, TRAVEL, NOW) is None
    # From the station, its two minutes to get going are not driving either.
    from_station = Journey(*start, NOW - timedelta(seconds=TURNOUT + JUDGED_AFTER_S + 60), 120)
    assert lateness(standing, from_station, the_call, TRAVEL, NOW) is None
    stuck = Journey(*start, NOW - timedelta(seconds=TURNOUT + 600))
    found = lateness(standing, stuck, the_call, TRAVEL, NOW)
    assert found is not None and found.pace == SLOWEST
    assert found.arrives_in_s == pytest.approx(SLOWEST * _rest_s(standing, scene))


def test_a_call_is_running_late_only_when_every_unit_on_its_way_is(context: Context) -> None:
    scene = spot(context.grid, "AW", 2)
    the_call = call("I1", scene, "AW", waited_s=6 * 60)
    slow = _driving(scene, 10.0, 0.3, 3.0, "SLOW")
    slower = _driving(scene, 12.0, 0.2, 4.0, "SLOWER")
    steady = _driving(scene, 6.0, 0.5, 1.0, "STEADY")

    def pairs(*units: Resource) -> list[tuple[Resource, Journey]]:
        return [(u, u.journey) for u in units if u.journey is not None]

    late = running_late(pairs(slower, slow), the_call, TRAVEL, NOW)
    assert late is not None and late.unit_id == "SLOW"  # the first of them to arrive
    assert running_late(pairs(slow, steady), the_call, TRAVEL, NOW) is None
    assert running_late([], the_call, TRAVEL, NOW) is None
    past = replace(the_call, target_at=NOW - timedelta(seconds=1))
    assert running_late(pairs(slow), past, TRAVEL, NOW) is None  # too late to save


def test_a_backup_must_be_in_time_and_clearly_before_the_late_unit(context: Context) -> None:
    scene = spot(context.grid, "AW", 2)
    the_call = call("I1", scene, "AW", waited_s=6 * 60)
    slow = _driving(scene, 10.0, 0.3, 3.0)
    assert slow.journey is not None
    late = lateness(slow, slow.journey, the_call, TRAVEL, NOW)
    assert late is not None and late.margin_s < 0
    assert worth_a_backup(late, 300, 240)
    assert not worth_a_backup(late, 300, -1)  # late too: it helps nobody
    assert not worth_a_backup(late, late.arrives_in_s - BACKUP_GAIN_S + 1, 0)


def _situation(
    scene: tuple[float, float], *resources: Resource, waited_s: float = 6 * 60
) -> Situation:
    driven = call("I1", scene, "AW", waited_s=waited_s)
    return Situation(NOW, resources, (), (driven,))


def test_the_recommender_backs_up_a_late_unit_with_the_ranking_s_best(
    context: Context,
) -> None:
    scene = spot(context.grid, "AW", 2)
    slow = _driving(scene, 10.0, 0.3, 3.0)
    near = unit("NEAR", _north(scene, -2.0), "AW")
    nearer_busy = unit("BUSY", _north(scene, -0.5), "AW", "busy")  # breaks off for an I
    far = unit("FAR", _north(scene, -25.0), "AW")
    situation = _situation(scene, slow, near, far, nearer_busy)
    [backup] = backups(assess(context, situation))
    ranked = assess(context, situation).rank(situation.driven_to[0], taken=frozenset({"LATE"}))
    assert backup.unit.unit_id == ranked[0].unit_id == "BUSY"
    assert backup.late.unit_id == "LATE" and backup.late.margin_s < 0
    as_dict = backup.to_dict()
    assert as_dict["running_late"]["callsign"] == "LATE"
    assert "LATE is driving at 3.0× the usual time" in as_dict["reasons"][0]
    assert recommend(context, situation)["backups"] == [as_dict]


def test_no_backup_when_the_unit_keeps_time_or_none_would_arrive_in_time(
    context: Context,
) -> None:
    scene = spot(context.grid, "AW", 2)
    near = unit("NEAR", _north(scene, -2.0), "AW")
    steady = _driving(scene, 6.0, 0.5, 1.0)
    assert backups(assess(context, _situation(scene, steady, near))) == []
    slow = _driving(scene, 10.0, 0.3, 3.0)
    far = unit("FAR", _north(scene, -25.0), "AW")
    assert backups(assess(context, _situation(scene, slow, far))) == []


def test_one_unit_backs_up_one_call(context: Context) -> None:
    scene = spot(context.grid, "AW", 2)
    other_scene = _north(scene, -1.0)
    slow = _driving(scene, 10.0, 0.3, 3.0)
    slow_too = replace(_driving(other_scene, 10.0, 0.3, 3.0, "LATE2"), incident_id="I2")
    near = unit("NEAR", _north(scene, -0.5), "AW")
    calls: tuple[Call, ...] = (
        call("I1", scene, "AW", waited_s=6 * 60),
        call("I2", other_scene, "AW", waited_s=5 * 60),
    )
    situation = Situation(NOW, (slow, slow_too, near), (), calls)
    found = backups(assess(context, situation))
    assert [b.unit.unit_id for b in found] == ["NEAR"]
    assert found[0].call.incident_id == "I1"  # the one nearer its target first
