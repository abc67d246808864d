"""``--policy bluelamp`` diverts as the screens advise: a unit on its way to an S-grade call
that alone reaches an I-grade call in time goes there, and the S-grade call is sent again
(at once, or when a unit frees); a diversion that would arrive late is never made. The
evaluation times the call that was left by the unit that really reaches it, and the live
picture's rules accept every event of such a night."""

from __future__ import annotations

import pytest

from geodata.london import London
from stream.recommend import assign
from stream.sim import calibration as cal
from stream.sim.dispatch import Job
from stream.sim.engine import Simulation
from stream.sim.evaluate import evaluate
from stream.sim.fleet import SimUnit, State
from stream.sim.scenario import load
from stream.sim.workday import SimOptions
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

WEST, EAST = (51.545, -0.42), (51.56, 0.19)  # Hillingdon and Havering: 1.5 hours' drive
SOUTH = (51.33, -0.07)  # Croydon's far south: out of reach of the drive from west to east


@pytest.fixture(scope="module")
def london() -> London:
    return London.load()


@pytest.fixture(autouse=True)
def across_london(monkeypatch: pytest.MonkeyPatch) -> None:
    """These nights send a unit across London to an S-grade call, which the policy would
    hold for a nearer unit (tested in test_bluelamp_policy.py): the reach is lifted here."""
    monkeypatch.setattr(assign, "S_REACH_S", float("inf"))


def _en_route_east(sim: Simulation, unit: SimUnit) -> tuple[Job, list[Event]]:
    """``unit`` sent from the west to an S-grade call in the east, a few minutes into it."""
    s_job = call_at(sim, "S", EAST)
    events = run_until(sim, lambda: unit.state is State.EN_ROUTE)
    assert unit.incident_id == s_job.incident_id
    later = sim.now + 300
    sim._at(later, lambda: None)  # the clock stops there
    events += run_until(sim, lambda: sim.now >= later)
    return s_job, events


def test_the_only_unit_in_time_is_diverted_and_its_call_waits_until_a_unit_frees(
    london: London,
) -> None:
    unit = irv("A", WEST)
    sim = night(london, [unit])
    s_job, events = _en_route_east(sim, unit)
    # An I-grade call just ahead of it on its way: it is there in minutes.
    ahead = unit.position(sim.now + 420)
    i_job = call_at(sim, "I", ahead)
    events += run_until(sim, lambda: unit.incident_id == i_job.incident_id)
    assert sim.diversions == 1
    assert s_job in sim.waiting and s_job.units == []  # no unit free: it waits
    events += run_until(sim, lambda: s_job.closed)

    assigned = [e["data"] for e in events if e["type"] == "incident.assigned"]
    assert [a["incident_id"] for a in assigned] == [
        s_job.incident_id,
        i_job.incident_id,
        s_job.incident_id,  # when the unit is free again, the call it left is its next
    ]
    (i_arrival,) = of_kind(events, "incident.arrived", i_job.incident_id)
    (s_arrival,) = of_kind(events, "incident.arrived", s_job.incident_id)  # once: the first drive's
    assert i_arrival["time"] < s_arrival["time"]  # end never fires
    i_closed = of_kind(events, "incident.closed", i_job.incident_id)[0]
    assert i_closed["time"] <= of_kind(events, "incident.assigned", s_job.incident_id)[1]["time"]

    # The evaluation, from the events alone: the S-grade call's response is the arrival of
    # the unit that got there, after its first unit turned away.
    result = evaluate(events, london.locate)
    (created,) = of_kind(events, "incident.created", s_job.incident_id)
    assert result.by_grade["S"].responses == [
        pytest.approx(seconds_of(s_arrival) - seconds_of(created))
    ]
    assert result.by_grade["I"].on_time == 1


def test_the_call_a_unit_is_diverted_from_goes_at_once_to_a_freeirv(london: London) -> None:
    unit, spare = irv("A", WEST), irv("B", EAST, "EA")
    sim = night(london, [unit, spare])
    s_job = call_at(sim, "S", (51.55, -0.25))  # B, in the east, could not be there in time
    events = run_until(sim, lambda: unit.state is State.EN_ROUTE)
    i_job = call_at(sim, "I", unit.position(sim.now + 420))
    events += run_until(sim, lambda: unit.incident_id == i_job.incident_id)
    assert sim.diversions == 1
    assert s_job.units == ["B"] and s_job not in sim.waiting
    assigned = [
        (e["data"]["incident_id"], e["data"]["unit_id"])
        for e in events
        if e["type"] == "incident.assigned"
    ]
    assert assigned[-2:] == [(i_job.incident_id, "A"), (s_job.incident_id, "B")]


def test_no_diversion_when_the_unit_would_be_late_too(london: London) -> None:
    unit = irv("A", WEST)
    sim = night(london, [unit])
    s_job, events = _en_route_east(sim, unit)
    i_job = call_at(sim, "I", SOUTH)
    events += run_until(sim, lambda: i_job in sim.waiting)
    assert unit.incident_id == s_job.incident_id and sim.diversions == 0
    events += run_until(sim, lambda: i_job.first_arrival is not None)
    assigned = [e["data"]["incident_id"] for e in events if e["type"] == "incident.assigned"]
    assert assigned == [s_job.incident_id, i_job.incident_id]  # the I-grade call after it
    assert s_job.first_unit == "A"


def test_a_unit_sent_back_to_the_call_it_left_arrives_at_the_end_of_its_new_drive(
    london: London,
) -> None:
    unit = irv("A", WEST)
    sim = night(london, [unit])
    s_job, events = _en_route_east(sim, unit)
    first_drive_ends = unit.arrive
    i_job = call_at(sim, "I", unit.position(sim.now - 180))  # a little way back
    events += run_until(sim, lambda: unit.incident_id == i_job.incident_id)
    sim._close(i_job, "resolved")  # before it gets there: free again, the S-grade call next
    assert unit.incident_id == s_job.incident_id and unit.arrive > first_drive_ends
    second_drive_ends = unit.arrive
    events += run_until(sim, lambda: s_job.first_arrival is not None)
    # The first drive's end, earlier, is not an arrival: the unit had turned away.
    assert s_job.first_arrival == second_drive_ends
    assert len(of_kind(events + sim._out, "incident.arrived", s_job.incident_id)) == 1


def test_a_busy_night_s_diversions_are_in_its_events_and_every_call_left_is_served(
    london: London,
) -> None:
    scenario = load("saturday-night")
    sim = Simulation(london, scenario.starting(scenario.start, 6), "bluelamp", 7, SimOptions(False))
    events = list(sim.events())
    # Read from the events alone: a unit assigned while it drives to another call.
    driving_to: dict[str, str] = {}
    left: list[str] = []
    arrived, closed = set(), set()
    for event in events:
        data, kind = event["data"], event["type"]
        if kind == "incident.assigned":
            if data["unit_id"] in driving_to:
                left.append(driving_to[data["unit_id"]])
            driving_to[data["unit_id"]] = data["incident_id"]
        elif kind == "incident.arrived":
            arrived.add(data["incident_id"])
            driving_to.pop(data["unit_id"], None)
        elif kind == "incident.closed":
            closed.add(data["incident_id"])
            driving_to = {u: i for u, i in driving_to.items() if i != data["incident_id"]}
        elif kind in ("unit.status", "unit.off_duty"):
            driving_to.pop(data["unit_id"], None)
    assert len(left) == sim.diversions > 0
    assert all(incident in arrived or incident not in closed for incident in left)
    assert sum(incident in arrived for incident in left) > len(left) / 2
    # And the live system takes every one of them, diversions included.
    assert refused_by_the_picture(london, events) == []


def test_only_an_i_grade_call_is_driven_to_on_blue_lights(
    london: London, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the same spot to the same place, an S- or E-grade drive takes ROUTINE_PACE times
    the travel model's time, an I-grade one the model's time (no hold-ups here)."""
    monkeypatch.setattr(cal, "HOLD_UP_SHARE", 0.0)
    scene = (51.55, -0.25)
    took = {}
    for grade in ("I", "S", "E"):
        unit = irv("A", WEST)
        sim = night(london, [unit])
        job = call_at(sim, grade, scene)
        events = run_until(sim, lambda job=job: job.first_arrival is not None)
        (sent,) = of_kind(events, "incident.assigned", job.incident_id)
        (came,) = of_kind(events, "incident.arrived", job.incident_id)
        took[grade] = seconds_of(came) - seconds_of(sent)
    model = sim.travel.seconds(*WEST, *scene, "IRV", sim._when())
    assert took["I"] == pytest.approx(model, abs=1)
    for grade in ("S", "E"):
        assert took[grade] == pytest.approx(model * cal.ROUTINE_PACE, abs=1), grade
