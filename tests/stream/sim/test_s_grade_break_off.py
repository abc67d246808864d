"""``--policy bluelamp`` takes a unit off its report for an S-grade call only when no free
unit worth the drive reaches the call in time, as the screens advise; the report is
written after the call. Today's rule (the baselines) never does."""

from __future__ import annotations

import pytest

from geodata.london import London
from stream.recommend.assign import S_REACH_S
from stream.recommend.situation import pace
from stream.sim.fleet import State
from tests.stream.sim.nights import (
    Event,
    call_at,
    irv,
    night,
    of_kind,
    refused_by_the_picture,
    run_until,
)

SCENE = (51.515, -0.14)  # the West End
BESIDE = (51.52, -0.135)  # under a kilometre away
NEAR = (51.53, -0.12)  # about 2 km away
KINGSTON = (51.41, -0.30)  # about 16 km away: beyond an S-grade call's reach
REPORT_S = 3_600.0


@pytest.fixture(scope="module")
def london() -> London:
    return London.load()


def _night(
    london: London, free_at: tuple[float, float], free_bcu: str, policy: str = "bluelamp"
) -> tuple[list[Event], str]:
    """W writes an hour's report beside the scene; F is free at ``free_at``; an S-grade
    call comes in. The events until the call closes, and its id."""
    writing, free = irv("W", BESIDE, "AW"), irv("F", free_at, free_bcu)
    sim = night(london, [writing, free], policy)
    sim._on_duty(writing, parade=False)
    sim._on_duty(free, parade=False)
    sim._reports(writing, REPORT_S)
    job = call_at(sim, "S", SCENE)
    events = run_until(sim, lambda: job.closed)
    events += run_until(sim, lambda: writing.state is not State.BUSY or sim.now > job.ready + 1e4)
    return events, job.incident_id


def _sent_while(events: list[Event], incident: str) -> list[tuple[str, str]]:
    """Each unit assigned to ``incident`` and its status when it was sent."""
    status: dict[str, str] = {}
    sent = []
    for e in events:
        data = e["data"]
        if e["type"] == "unit.status":
            status[data["unit_id"]] = data["status"]
        elif e["type"] == "incident.assigned" and data["incident_id"] == incident:
            sent.append((data["unit_id"], status.get(data["unit_id"], "available")))
    return sent


def test_kingston_is_beyond_the_reach_of_an_s_grade_call(london: London) -> None:
    sim = night(london, [irv("F", KINGSTON, "SW")])
    drive = sim.travel.seconds(*KINGSTON, *SCENE, "IRV", sim._when()) * pace("S")
    assert drive > S_REACH_S


def test_with_no_free_unit_in_reach_the_unit_writing_a_report_goes_and_writes_it_after(
    london: London,
) -> None:
    events, incident = _night(london, KINGSTON, "SW")
    assert _sent_while(events, incident) == [("W", "busy")]
    [arrived] = of_kind(events, "incident.arrived", incident)
    assert arrived["data"]["unit_id"] == "W"
    [closed] = of_kind(events, "incident.closed", incident)
    after = [
        e["data"]["status"]
        for e in events
        if e["type"] == "unit.status"
        and e["data"]["unit_id"] == "W"
        and e["time"] >= closed["time"]
    ]
    assert after[:1] == ["busy"]  # back to the report it left
    assert refused_by_the_picture(london, events) == []


def test_with_a_free_unit_in_reach_the_report_is_not_interrupted(london: London) -> None:
    events, incident = _night(london, NEAR, "AW")
    assert _sent_while(events, incident) == [("F", "available")]
    statuses = [e for e in events if e["type"] == "unit.status" and e["data"]["unit_id"] == "W"]
    assert [e["data"]["status"] for e in statuses] == ["busy", "available"]  # written through


@pytest.mark.parametrize("policy", ["closest-idle-own-bcu", "closest-idle-any"])
def test_today_s_rule_leaves_the_report_alone(london: London, policy: str) -> None:
    events, incident = _night(london, KINGSTON, "SW", policy)
    assert all(status != "busy" for _, status in _sent_while(events, incident))
