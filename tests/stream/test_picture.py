"""The live picture: business rules, the incident lifecycle, counts, KPIs, eviction, and fold
properties. Pure: points are located by the grid stub (tests.stream.factories.stub_locate),
except the last property test, which replays the blind generator's real London points."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stream.events import Payload, Recorded, Validated
from stream.objection import Kind, Objection
from stream.picture import RETAIN_CLOSED, IncidentStatus, Picture, fold
from stream.picture.rules import APPLIES, CHECKS
from stream.trust import Scope
from tests.stream import factories as f
from tests.stream.factories import START, recorded, stub_point, stub_recorded, stub_validated
from tests.stream.strategies import (
    Step,
    event_sequences,
    valid_sequences,
    world_sequences,
    world_sequences_and_units,
)

Raw = dict[str, Any]


def run(
    raws: list[Raw], picture: Picture | None = None
) -> tuple[Picture, list[Recorded], list[str]]:
    """What the sequencer does: check each event, record and apply the accepted ones."""
    picture = picture if picture is not None else Picture()
    records: list[Recorded] = []
    reasons: list[str] = []
    for raw in raws:
        objection = picture.check(stub_validated(raw))
        if objection is None:
            record = stub_recorded(picture.seq + 1, raw)
            picture.apply(record)
            records.append(record)
        else:
            reasons.append(objection.reason)
    return picture, records, reasons


def accept(raws: list[Raw]) -> Picture:
    picture, _, reasons = run(raws)
    assert reasons == []
    return picture


class Clock:
    """Event times: ``at(minutes)`` after START."""

    def __call__(self, minutes: float) -> dict[str, datetime]:
        return {"time": START + timedelta(minutes=minutes)}


t = Clock()
AW, SN = stub_point("AW"), stub_point("SN")


def walk(unit: str, start: float, end: float, every: float = 10) -> list[Raw]:
    """Position reports every ``every`` minutes from ``start`` to ``end``: traffic that moves
    the picture's clock along (one event far ahead of the rest does not, see EventClock)."""
    count = int((end - start) // every)
    return [f.unit_location(unit, **t(start + n * every)) for n in range(1, count + 1)] + [
        f.unit_location(unit, **t(end))
    ]


# -- the lifecycle -----------------------------------------------------------------------------


def test_incident_lifecycle_from_creation_to_close_releases_its_units() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", callsign="AW-IRV1", **t(0)),
            f.unit_on_duty("U2", "AW", **t(0)),
            f.incident_created("I1", "S", *AW, category="burglary", summary="shed", **t(1)),
            f.incident_graded("I1", "I", **t(2)),
            f.incident_assigned("I1", "U1", **t(3)),
        ]
    )
    incident = picture.incidents["I1"]
    assert incident.status is IncidentStatus.ASSIGNED
    assert (incident.borough, incident.bcu, incident.summary) == ("Westminster", "AW", "shed")
    assert [g for _, g in incident.graded_history] == ["S", "I"]
    assert incident.target_at == START + timedelta(minutes=16)  # I: 15 min from creation

    run([f.incident_assigned("I1", "U2", **t(4)), f.incident_arrived("I1", "U2", **t(9))], picture)
    assert incident.status is IncidentStatus.ON_SCENE
    assert incident.units == ["U1", "U2"] and incident.first_unit == "U1"
    assert incident.assigned_at == START + timedelta(minutes=3)
    assert incident.arrived_at == START + timedelta(minutes=9)
    assert incident.response_seconds == 8 * 60
    assert picture.units["U1"].status == "en_route" and picture.units["U2"].status == "on_scene"
    assert picture.units["U1"].incident_id == "I1"

    run(
        [f.incident_arrived("I1", "U1", **t(12)), f.incident_closed("I1", "arrest", **t(40))],
        picture,
    )
    assert incident.arrived_at == START + timedelta(minutes=9)  # the first arrival counts
    assert incident.status is IncidentStatus.CLOSED and incident.outcome == "arrest"
    assert incident.closed_at == START + timedelta(minutes=40) and incident.units == []
    for unit in picture.units.values():
        assert (unit.status, unit.incident_id) == ("available", None)
    # one event 28 minutes ahead of the rest does not move the clock on its own (EventClock)
    assert picture.now == START + timedelta(minutes=12) and picture.seq == 9


def test_a_unit_leaving_for_other_work_detaches_and_the_incident_follows() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", **t(0)),
            f.unit_on_duty("U2", **t(0)),
            f.incident_created("I1", **t(0)),
            f.incident_assigned("I1", "U1", **t(1)),
            f.incident_assigned("I1", "U2", **t(1)),
            f.incident_arrived("I1", "U1", **t(5)),
            f.unit_status("U1", "busy", **t(30)),  # e.g. took a prisoner to custody
        ]
    )
    incident = picture.incidents["I1"]
    assert (picture.units["U1"].status, picture.units["U1"].incident_id) == ("busy", None)
    assert incident.units == ["U2"] and incident.status is IncidentStatus.ASSIGNED
    run([f.unit_off_duty("U2", **t(31))], picture)
    assert incident.units == [] and incident.status is IncidentStatus.OPEN
    assert incident.first_unit == "U1" and incident.arrived_at is not None  # history stays
    accept_more = run([f.incident_assigned("I1", "U1", **t(32))], picture)[2]
    assert accept_more == []  # a busy unit is on duty and free to send


def test_back_on_duty_starts_a_new_shift_with_new_details() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "SN", "IRV", *SN, callsign="SN-1", **t(0)),
            f.unit_redeployed("U1", "AS", **t(1)),
            f.unit_off_duty("U1", **t(2)),
            f.unit_location("U1", *AW, **t(3)),  # an off-duty unit's position still counts
        ]
    )
    assert (picture.units["U1"].lat, picture.units["U1"].lon) == AW
    assert picture.units["U1"].borough == "Westminster"
    run([f.unit_on_duty("U1", "NE", "DOG", *SN, callsign="NE-DOG", **t(4))], picture)
    unit = picture.units["U1"]
    assert (unit.home_bcu, unit.bcu, unit.status, unit.unit_type) == (
        "NE",
        "NE",
        "available",
        "DOG",
    )
    assert (unit.callsign, unit.fix_at, unit.borough) == (
        "NE-DOG",
        START + timedelta(minutes=4),
        "Croydon",
    )
    assert picture == picture.recounted()


# -- every rule, with its reason ---------------------------------------------------------------

SETUP: dict[str, Callable[[], Raw]] = {
    "I1": lambda: f.incident_created("I1"),
    "I2": lambda: f.incident_created("I2"),
    "I1-S": lambda: f.incident_created("I1", "S"),
    "I1-E": lambda: f.incident_created("I1", "E"),
    "I2-S": lambda: f.incident_created("I2", "S"),
    "U1": lambda: f.unit_on_duty("U1"),
    "U2": lambda: f.unit_on_duty("U2"),
    "close": lambda: f.incident_closed("I1"),
    "off": lambda: f.unit_off_duty("U1"),
    "assign": lambda: f.incident_assigned("I1", "U1"),
    "arrive": lambda: f.incident_arrived("I1", "U1"),
}


@pytest.mark.parametrize(
    ("setup", "event", "reason"),
    [
        ([], lambda: f.incident_graded("I9", "S"), "unknown incident I9"),
        ([], lambda: f.incident_assigned("I9", "U1"), "unknown incident I9"),
        (["I1"], lambda: f.incident_assigned("I1", "U9"), "unknown unit U9"),
        (["I1"], lambda: f.incident_arrived("I1", "U9"), "unknown unit U9"),
        ([], lambda: f.incident_closed("I9"), "unknown incident I9"),
        (["I1"], lambda: f.incident_created("I1"), "incident I1 already exists"),
        (["I1", "close"], lambda: f.incident_created("I1"), "incident I1 already exists"),
        (["I1", "close"], lambda: f.incident_graded("I1", "S"), "incident I1 is closed"),
        (["I1", "U1", "close"], lambda: f.incident_assigned("I1", "U1"), "incident I1 is closed"),
        (["I1", "U1", "close"], lambda: f.incident_arrived("I1", "U1"), "incident I1 is closed"),
        (["I1", "close"], lambda: f.incident_closed("I1"), "incident I1 is closed"),
        (["I1", "U1", "off"], lambda: f.incident_assigned("I1", "U1"), "unit U1 is off duty"),
        (
            ["I1", "U1", "assign"],
            lambda: f.incident_assigned("I1", "U1"),
            "unit U1 is already assigned to incident I1",
        ),
        (
            ["I1", "I2", "U1", "assign"],
            lambda: f.incident_assigned("I2", "U1"),
            "unit U1 is committed to incident I1",
        ),
        (
            ["I1", "I2", "U1", "assign", "arrive"],
            lambda: f.incident_assigned("I2", "U1"),
            "unit U1 is committed to incident I1",
        ),
        (  # a diversion takes a unit on its way, not one on scene
            ["I1-S", "I2", "U1", "assign", "arrive"],
            lambda: f.incident_assigned("I2", "U1"),
            "unit U1 is committed to incident I1",
        ),
        (  # and only for an I-grade call
            ["I1-S", "I2-S", "U1", "assign"],
            lambda: f.incident_assigned("I2", "U1"),
            "unit U1 is committed to incident I1",
        ),
        (
            ["I1", "U1"],
            lambda: f.incident_arrived("I1", "U1"),
            "unit U1 is not assigned to incident I1",
        ),
        (
            ["I1", "I2", "U1", "assign"],
            lambda: f.incident_arrived("I2", "U1"),
            "unit U1 is not assigned to incident I2",
        ),
        (
            ["I1", "U1", "assign", "arrive"],
            lambda: f.incident_arrived("I1", "U1"),
            "unit U1 is already on scene at incident I1",
        ),
        (["U1"], lambda: f.unit_on_duty("U1"), "unit U1 is already on duty"),
        ([], lambda: f.unit_off_duty("U9"), "unknown unit U9"),
        (["U1", "off"], lambda: f.unit_off_duty("U1"), "unit U1 is already off duty"),
        ([], lambda: f.unit_status("U9", "busy"), "unknown unit U9"),
        (["U1"], lambda: f.unit_status("U1", "off_duty"), "use unit.off_duty"),
        (["U1"], lambda: f.unit_status("U1", "en_route"), "status en_route comes from incident."),
        (["U1"], lambda: f.unit_status("U1", "on_scene"), "status on_scene comes from incident."),
        (["U1", "off"], lambda: f.unit_status("U1", "busy"), "unit U1 is off duty"),
        ([], lambda: f.unit_location("U7"), "unknown unit U7"),
        ([], lambda: f.unit_redeployed("U9", "CN"), "unknown unit U9"),
        (["U1", "off"], lambda: f.unit_redeployed("U1", "CN"), "unit U1 is off duty"),
        (["U1"], lambda: f.unit_redeployed("U1", "AW"), "unit U1 is already deployed to AW"),
    ],
)
def test_each_business_rule_rejects_with_its_reason(
    setup: list[str], event: Callable[[], Raw], reason: str
) -> None:
    picture = accept([SETUP[step]() for step in setup])
    before = picture.to_snapshot()
    got = picture.check(stub_validated(event()))
    assert got is not None and got.reason.startswith(reason), got
    assert got.kind is _kind(reason), got
    assert picture.to_snapshot() == before  # checking changes nothing


def _kind(reason: str) -> Kind:
    """The kind of each refusal above: a name the picture does not hold, an event no state
    allows, or else a conflict with the state."""
    if reason.startswith("unknown "):
        return Kind.UNKNOWN
    if reason.startswith(("use unit.off_duty", "status ")):
        return Kind.INVALID
    return Kind.CONFLICT


def test_a_command_outside_its_scope_is_refused_before_the_rules() -> None:
    picture = accept([f.unit_on_duty("U1", home_bcu="AW"), f.unit_on_duty("U2", home_bcu="AW")])
    v = stub_validated(f.unit_on_duty("U1", home_bcu="AW"))  # the rules refuse it too: on duty
    assert picture.check(v, Scope("AW")) == Objection(Kind.CONFLICT, "unit U1 is already on duty")
    got = picture.check(stub_validated(f.unit_status("U2", "busy")), Scope("NE"))
    assert got is not None and got.kind is Kind.OUT_OF_SCOPE, got
    assert "inspector of NE may command only units deployed there" in got.reason


@pytest.mark.parametrize(
    ("setup", "event"),
    [
        (["U1", "off"], lambda: f.unit_on_duty("U1", "SN")),  # back on duty
        (["U1", "off"], lambda: f.unit_location("U1")),  # position of an off-duty unit
        (["U1", "I1", "assign"], lambda: f.unit_redeployed("U1", "CN")),  # while committed
        (["U1", "I1", "assign"], lambda: f.unit_status("U1", "available")),  # stood down
        (["U1", "I1", "assign"], lambda: f.unit_off_duty("U1")),
        (["U1", "I1", "I2", "assign", "close"], lambda: f.incident_assigned("I2", "U1")),
        (["U1", "U2", "I1", "assign"], lambda: f.incident_assigned("I1", "U2")),  # a second unit
        (["U1", "I1-S", "I2", "assign"], lambda: f.incident_assigned("I2", "U1")),  # diverted
        (["U1", "I1-E", "I2", "assign"], lambda: f.incident_assigned("I2", "U1")),
        (["U1", "I1"], lambda: f.unit_status("U1", "available")),  # already available: fine
    ],
)
def test_what_the_rules_allow(setup: list[str], event: Callable[[], Raw]) -> None:
    picture = accept([SETUP[step]() for step in setup])
    assert picture.check(stub_validated(event())) is None


def test_an_incident_outside_the_met_is_refused_even_if_it_got_past_validation() -> None:
    v = Validated(f.event(f.incident_created("I1")), "City of London", None)
    assert Picture().check(v) == Objection(Kind.INVALID, "incident I1 is not in a Met BCU")


def test_apply_refuses_a_gap_or_a_repeat() -> None:
    picture = accept([f.unit_on_duty("U1")])
    with pytest.raises(ValueError, match="picture is at seq 1; cannot apply seq 3"):
        picture.apply(stub_recorded(3, f.unit_location("U1")))
    with pytest.raises(ValueError, match="cannot apply seq 1"):
        picture.apply(stub_recorded(1, f.unit_location("U1")))


def test_apply_never_raises_on_a_record_the_rules_would_refuse() -> None:
    """A log written under other rules must still replay (a consumer must not crash-loop)."""
    picture = accept([f.unit_on_duty("U1"), f.incident_created("I1")])
    refused = [
        f.incident_assigned("I9", "U1"),
        f.incident_arrived("I1", "U1"),
        f.incident_closed("I9"),
        f.incident_graded("I9", "S"),
        f.unit_location("U9"),
        f.unit_status("U9", "busy"),
        f.unit_off_duty("U9"),
        f.unit_redeployed("U9", "SN"),
        f.incident_created("I1"),
    ]
    for raw in refused:
        picture.apply(stub_recorded(picture.seq + 1, raw))
    assert picture.seq == 2 + len(refused)
    assert picture.units["U1"].status == "available" and "I9" not in picture.incidents
    assert picture == picture.recounted()


# -- counts and KPIs ---------------------------------------------------------------------------


def test_bcu_counts_by_current_bcu() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW"),
            f.unit_on_duty("U2", "AW"),
            f.unit_on_duty("U3", "SN"),
            f.unit_on_duty("U4", "SN"),
            f.unit_off_duty("U4"),
            f.incident_created("I1", "I", *AW),
            f.incident_created("I2", "S", *AW),
            f.incident_created("I3", "E", *SN),
            f.incident_created("I4", "R", *AW),
            f.incident_created("I5", "I", *AW),
            f.incident_closed("I5"),
            f.incident_assigned("I1", "U1"),
            f.unit_redeployed("U3", "AW"),
        ]
    )
    counts = picture.bcu_counts()
    assert sorted(counts) == [
        "AS",
        "AW",
        "CE",
        "CN",
        "EA",
        "NA",
        "NE",
        "NW",
        "SE",
        "SN",
        "SW",
        "WA",
    ]
    aw, sn = counts["AW"], counts["SN"]
    assert aw.open_by_grade == {"I": 1, "S": 1, "E": 0, "R": 1}
    assert aw.units_by_status == {
        "available": 2,
        "en_route": 1,
        "on_scene": 0,
        "busy": 0,
        "off_duty": 0,
        "at_station": 0,
        "refreshment": 0,
        "custody": 0,
    }
    assert (aw.demand, aw.capacity, aw.available, aw.awaiting_unit) == (2, 3, 2, 1)
    assert aw.load == round(2 / 3, 3) and aw.on_duty == 3
    assert sn.open_by_grade["E"] == 1 and sn.units_by_status["off_duty"] == 1
    assert (sn.demand, sn.capacity, sn.load) == (0, 0, 0.0)
    assert json.loads(json.dumps(aw.to_dict()))["units_by_status"]["en_route"] == 1
    assert picture == picture.recounted()


def test_at_station_counts_as_available_and_a_break_or_custody_does_not() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW"),
            f.unit_on_duty("U2", "AW"),
            f.unit_on_duty("U3", "AW"),
            f.unit_on_duty("U4", "AW"),
            f.unit_on_duty("U5", "AW"),
            f.unit_status("U1", "at_station"),
            f.unit_status("U2", "refreshment"),
            f.unit_status("U3", "custody"),
            f.unit_status("U4", "busy"),
        ]
    )
    aw = picture.bcu_counts()["AW"]
    statuses = {k: v for k, v in aw.units_by_status.items() if v}
    assert statuses == {"available": 1, "at_station": 1, "refreshment": 1, "custody": 1, "busy": 1}
    assert (aw.capacity, aw.available) == (5, 2)
    assert picture.kpis()["available_units"] == 2
    assert picture == picture.recounted()


def test_a_unit_at_station_or_in_custody_can_still_be_assigned() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW"),
            f.unit_status("U1", "custody"),
            f.incident_created("I1", "I", *AW),
            f.incident_assigned("I1", "U1"),  # a commander may pull it out for an emergency
        ]
    )
    assert picture.units["U1"].status == "en_route"


def test_status_since_is_the_event_time_of_the_last_change_of_status() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", **t(0)),
            f.unit_location("U1", 51.51, -0.15, **t(5)),  # a position is not a status
            f.unit_status("U1", "refreshment", **t(10)),
            f.unit_status("U1", "refreshment", **t(20)),  # no change: the break goes on
            f.unit_redeployed("U1", "SN", **t(25)),  # a move is not a status either
        ]
    )
    assert picture.units["U1"].status_since == START + timedelta(minutes=10)
    run(
        [
            f.incident_created("I1", "I", *AW, **t(30)),
            f.incident_assigned("I1", "U1", **t(31)),
            f.incident_arrived("I1", "U1", **t(40)),
            f.incident_closed("I1", **t(70)),
            f.unit_status("U1", "custody", **t(70)),
        ],
        picture,
    )
    assert picture.units["U1"].status_since == START + timedelta(minutes=70)
    seventy = START + timedelta(minutes=70)
    assert picture.units["U1"].to_dict()["status_since"] == seventy.isoformat()


@settings(max_examples=60, deadline=None)
@given(world=world_sequences_and_units())
def test_status_and_status_since_agree_with_the_world_model(
    world: tuple[list[Step], dict[str, tuple[str, datetime]]],
) -> None:
    steps, expected = world
    picture = _replay(steps)[0]
    got = {uid: (u.status.value, u.status_since) for uid, u in picture.units.items()}
    assert got == expected


def test_an_uncovered_bcu_with_demand_shows_its_demand_as_load() -> None:
    picture = accept([f.incident_created("I1", "I", *SN), f.incident_created("I2", "S", *SN)])
    assert picture.bcu_counts()["SN"].load == 2.0


def test_kpis() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", **t(0)),
            f.unit_on_duty("U2", "SN", **t(0)),
            f.unit_on_duty("U3", "SN", **t(0)),
            f.unit_off_duty("U3", **t(0)),
            f.incident_created("I1", "I", *AW, **t(1)),
            f.incident_created("I2", "S", *SN, **t(1)),
            f.incident_created("I3", "S", *SN, **t(1)),
            f.incident_created("I4", "E", *SN, **t(1)),
            f.incident_assigned("I1", "U1", **t(2)),
        ]
    )
    kpis = json.loads(json.dumps(picture.kpis()))
    assert (kpis["open_i"], kpis["open_s"], kpis["awaiting_unit"]) == (1, 2, 2)
    assert (kpis["available_units"], kpis["on_duty_units"], kpis["seq"]) == (1, 2, 9)
    assert kpis["as_of"] == (START + timedelta(minutes=2)).isoformat()
    assert kpis["i_within_target_last_hour"] is None  # no I target has fallen due yet
    assert kpis["bcus"]["SN"]["demand"] == 2 and kpis["bcus"]["SN"]["capacity"] == 1


def test_i_grade_compliance_counts_targets_that_fell_due_in_the_last_hour() -> None:
    raws = [f.unit_on_duty(f"U{n}", **t(0)) for n in range(1, 5)]
    raws += [
        # created at minute 0: due at 15, outside the last hour at minute 90
        f.incident_created("OLD", **t(0)),
        *walk("U4", 0, 30),
        # due at 45..: attended at 10 min (in time), at 20 min (late), never
        f.incident_created("I1", **t(30)),
        f.incident_created("I2", **t(30)),
        f.incident_created("I3", **t(30)),
        # S grade and not-yet-due I incidents do not count
        f.incident_created("S1", "S", **t(30)),
        *walk("U4", 30, 80),
        f.incident_created("NEW", **t(85)),
        # grades change: the grade now decides, the clock still runs from creation
        f.incident_created("UP", "S", **t(30)),
        f.incident_graded("UP", "I", **t(31)),  # never attended: a breach
        f.incident_created("DOWN", "I", **t(30)),
        f.incident_graded("DOWN", "E", **t(31)),
        f.incident_assigned("I1", "U1", **t(31)),
        f.incident_arrived("I1", "U1", **t(40)),
        f.incident_assigned("I2", "U2", **t(31)),
        f.incident_arrived("I2", "U2", **t(50)),
        f.incident_closed("I1", **t(60)),  # closed incidents still count
        f.unit_location("U3", **t(90)),
    ]
    picture = accept(raws)
    assert picture.i_compliance_last_hour() == 0.25
    assert picture.kpis()["i_within_target_last_hour"] == 0.25
    assert Picture.from_json(json.dumps(picture.to_snapshot())).i_compliance_last_hour() == 0.25


# -- eviction ----------------------------------------------------------------------------------


def test_closed_incidents_leave_after_a_day_of_event_time() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", **t(0)),
            f.incident_created("I1", **t(0)),
            f.incident_closed("I1", **t(10)),
        ]
    )
    day = RETAIN_CLOSED.total_seconds() / 60
    run(walk("U1", 10, 10 + day - 1), picture)
    assert "I1" in picture.incidents
    run([f.unit_location("U1", **t(5))], picture)  # an older event time moves nothing back
    run([f.unit_location("U1", **t(10 + day))], picture)
    assert "I1" not in picture.incidents
    gone = picture.check(stub_validated(f.incident_graded("I1", "S")))
    assert gone == Objection(Kind.UNKNOWN, "unknown incident I1")
    assert picture == picture.recounted()


def test_a_close_stamped_over_a_day_before_the_latest_event_leaves_at_once() -> None:
    picture = accept(
        [f.unit_on_duty("U1", **t(0)), f.incident_created("I1", **t(0)), *walk("U1", 0, 2 * 1440)]
    )
    run([f.incident_closed("I1", **t(60))], picture)  # a late report of an old close
    assert "I1" not in picture.incidents


def test_eviction_depends_on_event_time_only() -> None:
    """The same records evict the same incidents however they are replayed or cut."""
    raws = [f.unit_on_duty("U1", **t(0))]
    for n in range(30):
        raws += [
            f.incident_created(f"I{n}", **t(n * 10)),
            f.incident_closed(f"I{n}", **t(n * 10 + 5)),
        ]
    raws += walk("U1", 29 * 10 + 5, 23 * 10 + 5 + 24 * 60)  # evicts I0..I23
    live, records, _ = run(raws)
    assert sorted(live.incidents, key=lambda i: int(i[1:])) == [f"I{n}" for n in range(24, 30)]
    for cut in range(0, len(records) + 1, 7):
        shot = json.loads(json.dumps(fold(records[:cut]).to_snapshot()))
        assert fold(records[cut:], Picture.from_snapshot(shot)) == live


# -- snapshots ---------------------------------------------------------------------------------


def test_snapshot_round_trip_is_exact() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", "ARV", callsign="Trojan 1", **t(0)),
            f.unit_on_duty("U2", **t(0)),
            f.incident_created("I1", "S", summary="a man with a knife ✂", **t(1)),
            f.incident_graded("I1", "I", **t(2)),
            f.incident_assigned("I1", "U1", **t(3)),
            f.incident_arrived("I1", "U1", **t(4)),
            f.incident_created("I2", "E", **t(5)),
            f.incident_closed("I2", "no further action", **t(6)),
            f.unit_location("U2", 51.51, -0.2, **t(7)),
        ]
    )
    text = json.dumps(picture.to_snapshot())
    again = Picture.from_snapshot(json.loads(text))
    assert again == picture and json.dumps(again.to_snapshot()) == text
    assert Picture.from_json(text) == picture == Picture.from_json(text.encode())
    assert again.bcu_counts() == picture.bcu_counts() and again.kpis() == picture.kpis()
    # and it carries on exactly as the original does
    tail = [f.incident_closed("I1", **t(8)), f.unit_redeployed("U2", "SN", **t(9))]
    assert run(tail, again)[0] == run(tail, picture)[0]


def test_snapshots_in_other_layouts_still_load() -> None:
    """Older snapshots held one dict per row; a later version may reorder or add fields."""
    picture = accept(
        [
            f.unit_on_duty("U1", **t(0)),
            f.incident_created("I1", **t(1)),
            f.incident_assigned("I1", "U1", **t(2)),
            f.incident_created("I2", **t(3)),
            f.incident_closed("I2", **t(4)),
        ]
    )
    shot = json.loads(json.dumps(picture.to_snapshot()))
    as_dicts = {
        "seq": shot["seq"],
        "now": shot["now"],
        "recent": shot["recent"],
        "incidents": [i.to_dict() for i in picture.incidents.values()],
        "units": [u.to_dict() for u in picture.units.values()],
    }
    assert Picture.from_snapshot(json.loads(json.dumps(as_dicts))) == picture
    reordered = {
        **shot,
        "incident_fields": shot["incident_fields"][::-1],
        "incidents": [row[::-1] for row in shot["incidents"]],
    }
    assert Picture.from_snapshot(reordered) == picture


def test_a_snapshot_from_before_time_in_status_loads_with_the_last_fix_as_its_start() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", **t(0)),
            f.unit_status("U1", "busy", **t(5)),
            f.unit_location("U1", 51.51, -0.15, **t(9)),
        ]
    )
    shot = json.loads(json.dumps(picture.to_snapshot()))
    old_fields = [name for name in shot["unit_fields"] if name != "status_since"]
    cut = shot["unit_fields"].index("status_since")
    old_rows = {**shot, "unit_fields": old_fields, "units": [r[:cut] for r in shot["units"]]}
    old_dicts = {k: v for k, v in shot.items() if k != "unit_fields"}
    old_dicts["units"] = [dict(zip(old_fields, r, strict=False)) for r in shot["units"]]
    for old in (old_rows, old_dicts):
        unit = Picture.from_snapshot(old).units["U1"]
        assert (unit.status, unit.status_since) == ("busy", START + timedelta(minutes=9))


def test_pictures_differ_when_their_facts_do() -> None:
    a = accept([f.unit_on_duty("U1", id="x", time=START)])
    b = accept([f.unit_on_duty("U1", home_bcu="SN", id="x", time=START)])
    assert a != b and a == Picture.from_snapshot(a.to_snapshot()) and a != "a picture"


# -- properties --------------------------------------------------------------------------------


def _replay(steps: list[Step]) -> tuple[Picture, list[Recorded], list[str]]:
    return run([s.raw for s in steps])


@settings(max_examples=80, deadline=None)
@given(steps=world_sequences())
def test_the_rules_accept_exactly_what_the_world_model_says(steps: list[Step]) -> None:
    picture = Picture()
    for step in steps:
        v = stub_validated(step.raw)
        reason = picture.check(v)
        assert (reason is None) == step.valid, (step, reason)
        if reason is None:
            picture.apply(Recorded(picture.seq + 1, v.event, v.borough, v.bcu))
    assert picture == picture.recounted()  # the running counts never drift


@settings(max_examples=60, deadline=None)
@given(steps=world_sequences())
def test_replaying_the_log_gives_the_same_picture(steps: list[Step]) -> None:
    live, records, _ = _replay(steps)
    assert fold(records) == live
    assert json.dumps(fold(records).to_snapshot()) == json.dumps(live.to_snapshot())


@settings(max_examples=60, deadline=None)
@given(steps=world_sequences(), cut=st.floats(0, 1))
def test_a_snapshot_at_any_cut_plus_the_tail_is_the_full_replay(
    steps: list[Step], cut: float
) -> None:
    full, records, _ = _replay(steps)
    at = int(len(records) * cut)
    snapshot = json.loads(json.dumps(fold(records[:at]).to_snapshot()))
    assert fold(records[at:], Picture.from_snapshot(snapshot)) == full


@settings(max_examples=60, deadline=None)
@given(steps=world_sequences())
def test_rejected_events_leave_no_trace(steps: list[Step]) -> None:
    live, records, reasons = _replay(steps)
    without, _, more = run([s.raw for s in steps if s.valid])
    assert more == [] and without == live
    assert len(records) + len(reasons) == len(steps)


@settings(max_examples=40, deadline=None)
@given(raws=valid_sequences())
def test_every_valid_sequence_is_accepted_in_full(raws: list[Raw]) -> None:
    assert run(raws)[2] == []


@settings(max_examples=30, deadline=None)
@given(raws=event_sequences())
def test_blind_sequences_on_real_london_replay_the_same(raws: list[Raw]) -> None:
    live = Picture()
    records = []
    for raw in raws:
        record = recorded(live.seq + 1, raw)  # located by geodata's real boundaries
        if live.check(Validated(record.event, record.borough, record.bcu)) is None:
            live.apply(record)
            records.append(record)
    assert fold(records) == live == live.recounted()


# -- event times at the extremes (logs written before the sequencer bounded them) ---------------


def test_one_event_two_days_ahead_neither_evicts_nor_nulls_the_kpi() -> None:
    raws = [f.unit_on_duty("U1", **t(0)), f.unit_on_duty("U2", **t(0))]
    raws += [f.incident_created("I1", **t(0)), f.incident_assigned("I1", "U1", **t(1))]
    raws += [f.incident_arrived("I1", "U1", **t(10)), f.incident_closed("I1", **t(20))]
    raws += walk("U2", 20, 30)
    raws.append(f.unit_location("U2", **t(2 * 1440 + 30)))  # a clock two days fast, once
    raws += walk("U2", 30, 60)
    picture = accept(raws)
    assert "I1" in picture.incidents  # closed 40 minutes ago: still in the picture
    assert picture.now == START + timedelta(minutes=60)
    assert picture.i_compliance_last_hour() == 1.0  # I1's target fell due at 15: met
    replayed = Picture.from_json(json.dumps(picture.to_snapshot()))
    assert replayed == picture and replayed.i_compliance_last_hour() == 1.0


def test_incidents_stamped_at_the_ends_of_time_break_no_figure() -> None:
    far_future = datetime(9999, 12, 31, 23, 59, 59, tzinfo=START.tzinfo)
    far_past = datetime(1, 1, 1, tzinfo=START.tzinfo)
    picture = accept(
        [
            f.incident_created("PAST", time=far_past),  # the first event of the log
            f.unit_on_duty("U1", **t(0)),
            f.incident_created("NOW", **t(0)),
            f.incident_created("FUTURE", time=far_future),
            f.incident_created("LATE", "S", time=far_future),
            f.incident_assigned("LATE", "U1", time=far_future),
            f.incident_arrived("LATE", "U1", time=far_future),  # most recent events: far ahead
            *walk("U1", 0, 4, every=1),  # until most are back to the traffic's time
        ]
    )
    assert picture.now == START + timedelta(minutes=4)
    assert picture.incidents["FUTURE"].target_at == datetime.max.replace(tzinfo=START.tzinfo)
    assert picture.incidents["PAST"].target_at == far_past + timedelta(minutes=15)
    json.dumps(picture.kpis())
    assert Picture.from_json(json.dumps(picture.to_snapshot())) == picture
    lonely = accept(
        [f.incident_created("PAST", time=far_past), f.unit_on_duty("U1", time=far_past)]
    )
    run([f.incident_closed("PAST", time=far_past)], lonely)  # evicting at year 1 cannot overflow
    assert lonely.now == far_past and lonely.i_compliance_last_hour() is None


def test_every_event_type_has_one_rule_and_one_effect() -> None:
    assert set(CHECKS) == set(APPLIES) == set(Payload.__subclasses__())
    with pytest.raises(ValueError, match="already has a handler"):
        CHECKS.register(Payload.__subclasses__()[0])(lambda picture, v, data: None)
