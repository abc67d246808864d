"""The simulation: reproducible, valid for the spine, physically possible, and the scenarios
do what they say."""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from datetime import datetime
from functools import cache
from typing import Any

from geodata.travel import CrowFliesModel, haversine_m
from stream.events import Recorded, validate
from stream.picture import Picture
from stream.sim.engine import SimOptions, Simulation
from stream.sim.fleet import State
from stream.sim.scenario import load
from tests.stream.factories import london

Event = dict[str, Any]


def run(scenario: str = "normal-day", seed: int = 7, hours: float = 3, **kw: Any) -> list[Event]:
    chosen = load(scenario)
    chosen = chosen.starting(chosen.start, hours)
    return list(Simulation(london(), chosen, seed=seed, **kw).events())


@cache
def evening() -> list[Event]:
    """Three hours from 17:00 with AVL pings: the busiest part of a weekday."""
    chosen = load("normal-day")
    chosen = chosen.starting(chosen.start.replace(hour=17), 3)
    return list(Simulation(london(), chosen, seed=3).events())


def test_the_same_seed_gives_the_same_events_and_another_seed_does_not() -> None:
    first, again, other = run(seed=7, hours=1), run(seed=7, hours=1), run(seed=8, hours=1)
    assert json.dumps(first) == json.dumps(again)
    created = [e["data"] for e in first if e["type"] == "incident.created"]
    created_other = [e["data"] for e in other if e["type"] == "incident.created"]
    assert created and created != created_other


def test_the_demand_is_the_same_under_every_policy() -> None:
    """Policies are compared on the same calls: what units do (breaks, arrests, custody)
    depends on the policy and must not move the demand."""
    created = {
        policy: [
            (e["time"], e["data"])
            for e in run(policy=policy, hours=2, options=SimOptions(pings=False))
            if e["type"] == "incident.created"
        ]
        for policy in ("manual", "closest-idle-own-bcu")
    }
    assert created["manual"] and created["manual"] == created["closest-idle-own-bcu"]


@cache
def working_day() -> list[Event]:
    return run(hours=8, options=SimOptions(pings=False))  # breaks fall due 3.5-6 h in


def test_units_break_take_prisoners_to_custody_write_reports_and_return_to_the_station() -> None:
    statuses = Counter(e["data"]["status"] for e in working_day() if e["type"] == "unit.status")
    assert statuses["at_station"] and statuses["refreshment"] and statuses["custody"]
    assert statuses["busy"] > statuses["custody"]  # most incidents end in reports, not arrests
    closed = [e["data"]["outcome"] for e in working_day() if e["type"] == "incident.closed"]
    assert Counter(closed)["arrest"] == statuses["custody"]


def test_under_today_s_rule_a_unit_writing_a_report_is_sent_only_to_an_i_grade_call() -> None:
    """It breaks off for an emergency; an S-grade call waits for a free unit (the own-BCU
    baseline's rule; the recommender's: test_s_grade_break_off.py)."""
    grade: dict[str, str] = {}
    status: dict[str, str] = {}
    from_reports: Counter[str] = Counter()
    for e in working_day():
        data = e["data"]
        if e["type"] == "incident.created":
            grade[data["incident_id"]] = data["grade"]
        elif e["type"] == "unit.status":
            status[data["unit_id"]] = data["status"]
        elif e["type"] == "incident.assigned":
            if status.get(data["unit_id"]) == "busy":
                from_reports[grade[data["incident_id"]]] += 1
            status[data["unit_id"]] = "en_route"
    assert from_reports["I"] > 0 and set(from_reports) == {"I"}


def test_every_event_passes_the_spines_validation_and_rules() -> None:
    """What the sequencer would do: validate each event, check it against the picture, apply.
    Nothing may be rejected, or the simulator would exercise the rejection path instead."""
    picture = Picture()
    for event in evening():
        v = validate(json.dumps(event), london().locate)
        reason = picture.check(v)
        assert reason is None, (reason, event)
        picture.apply(Recorded(picture.seq + 1, v.event, v.borough, v.bcu))
    kinds = Counter(e["type"] for e in evening())
    assert {"incident.created", "incident.assigned", "incident.arrived", "incident.closed",
            "unit.on_duty", "unit.location"} <= set(kinds)  # fmt: skip
    assert kinds["unit.location"] > kinds["incident.created"]


def test_events_are_in_time_order() -> None:
    times = [e["time"] for e in evening()]
    assert times == sorted(times)


def test_a_fleet_coming_on_duty_together_does_not_report_in_the_same_second() -> None:
    """AVL boxes keep their own clocks: a feed has no silent stretches (a drill writing
    while Redis is down for 3 s must have something to write)."""
    times = [datetime.fromisoformat(e["time"]).timestamp() for e in evening()]
    assert max(b - a for a, b in itertools.pairwise(times)) < 3.0


def test_units_never_move_faster_than_the_travel_model_allows() -> None:
    model = CrowFliesModel()
    last: dict[str, tuple[float, float, float]] = {}
    checked = 0
    for event in evening():
        data = event["data"]
        if event["type"] == "unit.off_duty":
            last.pop(data["unit_id"], None)
        if event["type"] not in ("unit.location", "unit.on_duty"):
            continue
        t = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
        unit = data["unit_id"]
        if event["type"] == "unit.location" and unit in last:
            t0, lat0, lon0 = last[unit]
            metres = float(haversine_m(lat0, lon0, data["lat"], data["lon"]))
            limit = model.max_speed_mps(unit_type_of(unit)) * (t - t0) * 1.01 + 2.0
            assert metres <= limit, (unit, metres, t - t0)
            checked += metres > 0
        last[unit] = (t, data["lat"], data["lon"])
    assert checked > 500  # units did move


def unit_type_of(unit_id: str) -> str:
    for kind in ("ARV", "DOG", "TSG", "TRAFFIC"):
        if unit_id.startswith(kind):
            return kind
    return "IRV"


def test_units_come_on_and_go_off_duty_with_their_shifts() -> None:
    events = run(hours=26, options=SimOptions(pings=False))
    on = Counter(e["data"]["unit_id"] for e in events if e["type"] == "unit.on_duty")
    off = Counter(e["data"]["unit_id"] for e in events if e["type"] == "unit.off_duty")
    assert len(on) > 900 and set(off) <= set(on)
    early = [u for u in on if u[2:3] == "E" and u[:2] in ("AW", "SE")]
    assert early and all(on[u] == 1 and off[u] == 1 for u in early)


def test_a_surge_raises_demand_in_its_bcu_while_it_lasts() -> None:
    events = run("carnival", hours=24, options=SimOptions(pings=False))
    by_hour: dict[bool, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e["type"] == "incident.created":
            hour = int(e["time"][11:13])  # UTC; BST is +1: the surge is 11:00-20:00 UTC
            place = london().locate(e["data"]["lat"], e["data"]["lon"])
            assert place is not None
            by_hour[11 <= hour < 20][place.bcu or ""] += 1
    share_during = by_hour[True]["AW"] / sum(by_hour[True].values())
    share_after = by_hour[False]["AW"] / sum(by_hour[False].values())
    assert share_during > 1.8 * share_after


def test_a_major_incident_pulls_units_from_other_bcus() -> None:
    events = run("major-incident", hours=9, options=SimOptions(pings=False))
    major = next(
        e["data"]["incident_id"]
        for e in events
        if e["type"] == "incident.created" and e["time"].startswith("2026-11-25T16:00")
    )
    sent = [e["data"]["unit_id"] for e in events if e["type"] == "incident.assigned"
            and e["data"]["incident_id"] == major]  # fmt: skip
    assert len(sent) == 30
    lent = {e["data"]["unit_id"] for e in events if e["type"] == "unit.redeployed"
            and e["data"]["reason"].startswith("mutual aid: major")}  # fmt: skip
    assert len(lent) >= 10 and lent <= set(sent)
    returned = {e["data"]["unit_id"] for e in events if e["type"] == "unit.redeployed"
                and e["data"]["reason"] == "mutual aid ended"}  # fmt: skip
    assert returned == lent


def test_manual_mode_produces_demand_and_leaves_assignment_to_people() -> None:
    events = run(policy="manual", hours=2, options=SimOptions(pings=False))
    kinds = Counter(e["type"] for e in events)
    assert kinds["incident.created"] > 300
    assert kinds["incident.assigned"] == 0


def test_incidents_carry_a_cad_reference_numbered_per_day_and_an_address_in_their_borough() -> None:
    created = [e for e in evening() if e["type"] == "incident.created"]
    assert created
    day = datetime.fromisoformat(created[0]["time"]).strftime("%d%b").upper()
    numbers = [int(e["data"]["reference"].split()[1].split("/")[0]) for e in created]
    assert numbers == list(range(1, len(created) + 1))  # the evening starts the day here
    assert {e["data"]["reference"].split("/")[1] for e in created} == {day}
    for event in created:
        place = london().locate(event["data"]["lat"], event["data"]["lon"])
        assert place is not None
        assert event["data"]["address"].endswith(", " + place.borough), event["data"]


def test_no_ping_is_sent_from_outside_london_on_a_drive_between_two_places_in_it() -> None:
    """A unit drives straight between two places, which can take it out where London's edge
    curves in (here south of Croydon and Bromley). The spine refuses such a position, so the
    simulator sends no ping from there (the 36-hour soak had ~1,200 of them refused)."""
    chosen = load("normal-day")
    sim = Simulation(london(), chosen.starting(chosen.start, 1), seed=7)
    unit = sim.units[0]
    east, west = (51.33329, 0.00472), (51.33329, -0.05928)  # both in London, halfway not
    assert london().locate(*east) and london().locate(*west)
    assert london().locate(51.33329, -0.02728) is None
    sim.now = chosen.start.timestamp()
    unit.origin, unit.target, unit.depart, unit.arrive = east, west, sim.now, sim.now + 600
    unit.state = State.EN_ROUTE
    sent = []
    for minute in (0, 5, 10):  # at the start, halfway, at the end
        sim.now = unit.depart + minute * 60
        sim._out.clear()
        sim._ping(unit, unit.ping_generation)
        sent.append([(e["data"]["lat"], e["data"]["lon"]) for e in sim._out])
    assert sent == [[east], [], [west]]
