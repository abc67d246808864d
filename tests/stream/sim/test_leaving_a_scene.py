"""``--policy bluelamp`` takes a unit from an E-grade appointment for an I-grade call no
other unit reaches in time, as the screens advise: the appointment pauses with no unit on
it, waits for the next unit, and its work goes on from where it stopped. An S-grade scene
is never left."""

from __future__ import annotations

import pytest

from geodata.london import London
from stream.sim.engine import Simulation
from stream.sim.evaluate import evaluate
from stream.sim.fleet import SimUnit, State
from tests.stream.sim.nights import (
    Event,
    call_at,
    irv,
    night,
    of_kind,
    refused_by_the_picture,
    run_until,
    seconds_of,
)

SCENE = (51.515, -0.14)  # the West End
NEARBY = (51.522, -0.13)  # under a kilometre away


@pytest.fixture(scope="module")
def london() -> London:
    return London.load()


def _on_scene(london: London, grade: str) -> tuple[Simulation, SimUnit, list[Event], str]:
    """A, the only unit, on scene at a call of ``grade`` for a few minutes."""
    unit = irv("A", SCENE, "AW")
    sim = night(london, [unit])
    sim._on_duty(unit, parade=False)
    job = call_at(sim, grade, SCENE)
    job.on_scene_s = 3_600.0
    events = run_until(sim, lambda: unit.state is State.ON_SCENE)
    later = sim.now + 600
    sim._at(later, lambda: None)  # the clock stops there
    events += run_until(sim, lambda: sim.now >= later)
    return sim, unit, events, job.incident_id


def test_the_only_unit_leaves_an_appointment_for_an_emergency_and_comes_back_to_finish_it(
    london: London,
) -> None:
    sim, unit, events, appointment = _on_scene(london, "E")
    job = sim.jobs[appointment]
    urgent = call_at(sim, "I", NEARBY)
    events += run_until(sim, lambda: unit.incident_id == urgent.incident_id)
    assert sim.left_scenes == 1 and sim.diversions == 0
    assert job.paused is not None and job in sim.waiting and not job.closed
    events += run_until(sim, lambda: job.closed)

    assigned = [e["data"]["incident_id"] for e in events if e["type"] == "incident.assigned"]
    assert assigned == [appointment, urgent.incident_id, appointment]
    first, back = of_kind(events, "incident.arrived", appointment)
    [closed] = of_kind(events, "incident.closed", appointment)
    [left] = [e for e in events if e["type"] == "incident.assigned" and e["data"] == {
        "incident_id": urgent.incident_id, "unit_id": "A"}]  # fmt: skip
    # The hour on scene, in two visits: the work stopped while no unit was there.
    on_scene = (seconds_of(left) - seconds_of(first)) + (seconds_of(closed) - seconds_of(back))
    assert on_scene == pytest.approx(3_600.0, abs=1e-3)
    assert sim.resumed == [pytest.approx(seconds_of(back) - seconds_of(left), abs=1e-3)]
    assert refused_by_the_picture(london, events) == []
    # Judged from the events: the emergency in time, the appointment reached at its first visit.
    result = evaluate(events, london.locate)
    assert result.by_grade["I"].on_time == 1
    assert result.by_grade["E"].responses == [
        pytest.approx(
            seconds_of(first) - seconds_of(of_kind(events, "incident.created", appointment)[0])
        )
    ]


def test_an_s_grade_scene_is_not_left(london: London) -> None:
    sim, unit, events, scene = _on_scene(london, "S")
    urgent = call_at(sim, "I", NEARBY)
    events += run_until(sim, lambda: urgent in sim.waiting)
    assert unit.incident_id == scene and unit.state is State.ON_SCENE
    assert sim.left_scenes == 0


@pytest.mark.parametrize("policy", ["closest-idle-own-bcu", "closest-idle-any"])
def test_today_s_rule_never_leaves_a_scene(london: London, policy: str) -> None:
    unit = irv("A", SCENE, "AW")
    sim = night(london, [unit], policy)
    sim._on_duty(unit, parade=False)
    job = call_at(sim, "E", SCENE)
    job.on_scene_s = 3_600.0
    run_until(sim, lambda: unit.state is State.ON_SCENE)
    urgent = call_at(sim, "I", NEARBY)
    run_until(sim, lambda: urgent in sim.waiting)
    assert unit.incident_id == job.incident_id and sim.left_scenes == 0
