"""Response figures from a hand-made stream, and the evaluation of a simulated day."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest

from stream.sim.engine import SimOptions, Simulation
from stream.sim.evaluate import evaluate
from stream.sim.scenario import load
from tests.stream.factories import POINTS, london


def ev(t: str, kind: str, **data: Any) -> dict[str, Any]:
    return {"time": f"2026-11-25T{t}Z", "type": kind, "data": data}


def test_the_response_clock_runs_from_creation_to_the_first_arrival() -> None:
    lat, lon = POINTS["AW"]
    events = [
        ev("10:00:00", "unit.on_duty", unit_id="U1", unit_type="IRV", home_bcu="AW"),
        ev("10:00:00", "unit.on_duty", unit_id="U2", unit_type="IRV", home_bcu="AW"),
        ev("10:00:00", "incident.created", incident_id="A", grade="I", lat=lat, lon=lon),
        ev("10:01:00", "incident.assigned", incident_id="A", unit_id="U1"),
        ev("10:10:00", "incident.arrived", incident_id="A", unit_id="U1"),  # 10 min: on time
        ev("10:12:00", "incident.arrived", incident_id="A", unit_id="U2"),  # not the first
        ev("10:00:00", "incident.created", incident_id="B", grade="I", lat=lat, lon=lon),
        ev("10:20:00", "incident.arrived", incident_id="B", unit_id="U2"),  # 20 min: late
        ev("10:30:00", "incident.created", incident_id="C", grade="I", lat=lat, lon=lon),
        ev("10:40:00", "incident.closed", incident_id="A", outcome="resolved"),
        ev("11:00:00", "incident.created", incident_id="D", grade="S", lat=lat, lon=lon),
        ev("11:30:00", "unit.off_duty", unit_id="U1"),  # the stream ends
    ]
    result = evaluate(events, london().locate)
    i = result.by_grade["I"]
    assert (i.incidents, i.judged, i.on_time) == (3, 3, 1)  # C: never reached, target passed
    assert i.responses == [600.0, 1200.0]
    assert i.mean_s == 900.0 and i.p90_s == 1200.0
    s = result.by_grade["S"]
    assert (s.incidents, s.judged) == (1, 0)  # D's target lies beyond the stream's end
    assert math.isnan(s.within_target)
    assert result.by_bcu_grade["AW", "I"].incidents == 3
    # U1: on duty 1.5 h, committed 10:01-10:40; U2 never assigned: 39 min of 3 unit-hours.
    assert result.utilisation["AW"] == pytest.approx(39 / 180)


def test_a_simulated_day_is_close_to_the_mets_published_figures() -> None:
    """The calibration documented in docs/simulation.md, within a broad band."""
    scenario = load("normal-day")
    sim = Simulation(london(), scenario, seed=7, options=SimOptions(pings=False))
    result = evaluate(sim.events(), london().locate)
    i = result.by_grade["I"]
    assert 0.80 < i.within_target < 0.97
    assert 5 * 60 < i.mean_s < 15 * 60
    # A London as stretched as the real one: S-grade calls wait, some for hours (one day
    # from midnight is kinder than a week: units on duty at the start work a full shift).
    s = result.by_grade["S"]
    assert 0.70 < s.within_target < 0.97 and s.p90_s > 40 * 60
    assert 0.2 < sum(result.utilisation.values()) / len(result.utilisation) < 0.8


def test_custody_and_busy_are_committed_time_and_a_break_or_the_station_are_not() -> None:
    lat, lon = POINTS["AW"]
    events = [
        ev("10:00:00", "unit.on_duty", unit_id="U1", unit_type="IRV", home_bcu="AW"),
        ev("10:00:00", "unit.status", unit_id="U1", status="at_station"),
        ev("10:10:00", "unit.status", unit_id="U1", status="available"),
        ev("10:10:00", "incident.created", incident_id="A", grade="I", lat=lat, lon=lon),
        ev("10:10:00", "incident.assigned", incident_id="A", unit_id="U1"),  # committed…
        ev("10:20:00", "incident.arrived", incident_id="A", unit_id="U1"),
        ev("10:40:00", "incident.closed", incident_id="A", outcome="arrest"),  # …30 min
        ev("10:40:00", "unit.status", unit_id="U1", status="custody"),  # 50 min
        ev("11:30:00", "unit.status", unit_id="U1", status="refreshment"),
        ev("12:15:00", "unit.status", unit_id="U1", status="busy"),  # 15 min
        ev("12:30:00", "unit.status", unit_id="U1", status="available"),
        ev("13:00:00", "unit.off_duty", unit_id="U1"),
    ]
    result = evaluate(events, london().locate)
    assert result.utilisation["AW"] == pytest.approx((30 + 50 + 15) / 180)


def test_hours_past_the_shift_s_end_are_the_off_duty_times_past_each_shift() -> None:
    """``evaluate``'s ``overtime_h``, recomputed from the log: each ``unit.off_duty`` less
    the end of the shift its ``unit.on_duty`` began (its length from the fleet's rota)."""
    scenario = load("saturday-night")
    sim = Simulation(
        london(),
        scenario.starting(scenario.start, 14),
        "closest-idle-own-bcu",
        5,
        SimOptions(False),
    )
    events = list(sim.events())
    hours = {u.unit_id: u.shift_hours for u in sim.units}
    began: dict[str, float] = {}
    past = []
    for event in events:
        unit = event["data"].get("unit_id")
        if event["type"] == "unit.on_duty":
            began[unit] = _seconds(event)
        elif event["type"] == "unit.off_duty":
            past.append(max(0.0, _seconds(event) - began.pop(unit) - hours[unit] * 3600))
    assert sum(1 for p in past if p > 0) >= 10, "too few late finishes to test by"
    assert sim.overtime_s == pytest.approx(sum(past), abs=1.0)


def _seconds(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
