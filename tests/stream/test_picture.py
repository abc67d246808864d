"""The live picture: business rules, the incident lifecycle, counts, and fold properties."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stream.events import Recorded
from stream.picture import IncidentStatus, Picture, fold
from tests.stream.factories import Events, recorded, validated
from tests.stream.strategies import event_sequences


def run(raws: list[dict[str, Any]]) -> tuple[Picture, list[Recorded], list[str]]:
    """What the sequencer does: check each event, record and apply the accepted ones."""
    picture, records, reasons = Picture(), [], []
    for raw in raws:
        reason = picture.check(validated(raw))
        if reason is None:
            record = recorded(picture.seq + 1, raw)
            picture.apply(record)
            records.append(record)
        else:
            reasons.append(reason)
    return picture, records, reasons


def test_incident_lifecycle_and_response_time() -> None:
    ev = Events()
    picture, _, reasons = run(
        [
            ev.on_duty("U1", bcu="AW", callsign="AW-IRV1"),
            ev.on_duty("U2", bcu="AW"),
            ev.incident_created("I1", grade="I", bcu="AW"),
            ev.assigned("I1", "U1"),
            ev.assigned("I1", "U2"),
            ev.arrived("I1", "U1"),
        ]
    )
    assert reasons == []
    incident = picture.incidents["I1"]
    assert incident.status is IncidentStatus.ON_SCENE
    assert incident.units == ["U1", "U2"] and incident.first_unit == "U1"
    assert incident.response_seconds == 30.0  # created, then 3 events 10 s apart
    assert (incident.borough, incident.bcu) == ("Westminster", "AW")
    assert picture.units["U1"].status == "on_scene" and picture.units["U2"].status == "en_route"
    picture.apply(recorded(picture.seq + 1, ev.closed("I1", "arrest")))
    assert incident.status is IncidentStatus.CLOSED and incident.outcome == "arrest"
    assert all(picture.units[u].status == "available" for u in ("U1", "U2"))
    assert picture.units["U1"].incident_id is None


@pytest.mark.parametrize(
    ("setup", "event", "reason"),
    [
        ([], lambda ev: ev.assigned("I9", "U1"), "unknown incident I9"),
        (["I1"], lambda ev: ev.assigned("I1", "U9"), "unknown unit U9"),
        (["I1", "U1"], lambda ev: ev.incident_created("I1"), "incident I1 already exists"),
        (["I1", "U1", "closed"], lambda ev: ev.assigned("I1", "U1"), "incident I1 is closed"),
        (["I1", "U1", "off"], lambda ev: ev.assigned("I1", "U1"), "unit U1 is off duty"),
        (
            ["I1", "U1", "assign"],
            lambda ev: ev.assigned("I1", "U1"),
            "unit U1 is already assigned to incident I1",
        ),
        (
            ["I1", "I2", "U1", "assign"],
            lambda ev: ev.assigned("I2", "U1"),
            "unit U1 is committed to incident I1",
        ),
        (["I1", "U1"], lambda ev: ev.arrived("I1", "U1"), "unit U1 is not assigned to incident I1"),
        (["U1"], lambda ev: ev.on_duty("U1"), "unit U1 is already on duty"),
        (["U1"], lambda ev: ev.status("U1", "off_duty"), "unit.off_duty"),
        (["U1"], lambda ev: ev.status("U1", "en_route"), "comes from incident.assigned"),
        (["U1", "off"], lambda ev: ev.redeployed("U1", "CN"), "unit U1 is off duty"),
        (["U1"], lambda ev: ev.redeployed("U1", "AW"), "already deployed to AW"),
        ([], lambda ev: ev.location("U7"), "unknown unit U7"),
        (["I1", "closed"], lambda ev: ev.closed("I1"), "incident I1 is closed"),
    ],
)
def test_business_rules(setup: list[str], event: Any, reason: str) -> None:
    ev = Events()
    raws = []
    for step in setup:
        raws.append(
            {
                "I1": lambda: ev.incident_created("I1"),
                "I2": lambda: ev.incident_created("I2"),
                "U1": lambda: ev.on_duty("U1"),
                "closed": lambda: ev.closed("I1"),
                "off": lambda: ev.off_duty("U1"),
                "assign": lambda: ev.assigned("I1", "U1"),
            }[step]()
        )
    picture, _, reasons = run(raws)
    assert reasons == []
    before = json.dumps(picture.to_snapshot())
    got = picture.check(validated(event(ev)))
    assert got is not None and reason in got
    assert json.dumps(picture.to_snapshot()) == before  # checking changes nothing


def test_back_on_duty_and_redeployment() -> None:
    ev = Events()
    picture, _, reasons = run(
        [
            ev.on_duty("U1", bcu="SN"),
            ev.off_duty("U1"),
            ev.on_duty("U1", bcu="SN"),
            ev.redeployed("U1", "AS"),
        ]
    )
    assert reasons == []
    unit = picture.units["U1"]
    assert (unit.home_bcu, unit.bcu, unit.status) == ("SN", "AS", "available")


def test_status_change_detaches_a_committed_unit() -> None:
    ev = Events()
    picture, _, _ = run(
        [
            ev.on_duty("U1"),
            ev.incident_created("I1"),
            ev.assigned("I1", "U1"),
            ev.status("U1", "busy"),
        ]
    )
    assert picture.units["U1"].incident_id is None and picture.units["U1"].status == "busy"
    assert picture.incidents["I1"].status is IncidentStatus.OPEN
    assert picture.incidents["I1"].first_unit == "U1"  # history stays


def test_bcu_counts_and_kpis() -> None:
    ev = Events()
    picture, _, _ = run(
        [
            ev.on_duty("U1", bcu="AW"),
            ev.on_duty("U2", bcu="AW"),
            ev.on_duty("U3", bcu="SN"),
            ev.incident_created("I1", grade="I", bcu="AW"),
            ev.incident_created("I2", grade="S"),
            ev.incident_created("I3", grade="E", bcu="SN"),
            ev.assigned("I1", "U1"),
            ev.redeployed("U3", "AW"),
        ]
    )
    aw = picture.bcu_counts()["AW"]
    assert aw.open_by_grade == {"I": 1, "S": 1, "E": 0, "R": 0}
    assert aw.units_by_status["available"] == 2 and aw.units_by_status["en_route"] == 1
    assert aw.awaiting_unit == 1 and aw.on_duty == 3 and aw.load == round(2 / 3, 3)
    assert picture.bcu_counts()["SN"].open_by_grade["E"] == 1
    assert len(picture.bcu_counts()) == 12
    kpis = picture.kpis()
    assert (kpis["open_i"], kpis["open_s"], kpis["available_units"]) == (1, 1, 2)


def test_i_grade_compliance_over_the_last_hour() -> None:
    ev = Events(step=timedelta(minutes=1))
    raws = [
        ev.on_duty("U1"),
        ev.on_duty("U2"),
        ev.incident_created("I1"),
        ev.incident_created("I2"),
        ev.assigned("I1", "U1"),
        ev.arrived("I1", "U1"),
    ]
    ev.advance(20 * 60)  # I2 is never attended: its target passes
    raws.append(ev.location("U2"))
    picture, _, _ = run(raws)
    assert picture.i_compliance_last_hour() == 0.5


def test_closed_incidents_leave_the_picture_after_a_day_of_event_time() -> None:
    ev = Events()
    picture, _, _ = run([ev.on_duty("U1"), ev.incident_created("I1"), ev.closed("I1")])
    ev.advance(23 * 3600)
    picture.apply(recorded(picture.seq + 1, ev.location("U1")))
    assert "I1" in picture.incidents
    ev.advance(3600)
    picture.apply(recorded(picture.seq + 1, ev.location("U1")))
    assert "I1" not in picture.incidents


def test_apply_refuses_a_gap() -> None:
    with pytest.raises(ValueError, match="cannot apply seq 2"):
        Picture().apply(recorded(2, Events().on_duty("U1")))


@settings(max_examples=80, deadline=None)
@given(raws=event_sequences())
def test_replaying_the_log_gives_the_same_picture(raws: list[dict[str, Any]]) -> None:
    live, records, _ = run(raws)
    assert fold(records) == live
    assert fold(records).to_snapshot() == live.to_snapshot()


@settings(max_examples=80, deadline=None)
@given(raws=event_sequences(), cut=st.floats(0, 1))
def test_snapshot_plus_tail_equals_full_replay(raws: list[dict[str, Any]], cut: float) -> None:
    full, records, _ = run(raws)
    at = int(len(records) * cut)
    snapshot = json.loads(json.dumps(fold(records[:at]).to_snapshot()))
    assert fold(records[at:], Picture.from_snapshot(snapshot)) == full


@settings(max_examples=60, deadline=None)
@given(raws=event_sequences())
def test_rejected_events_leave_no_trace(raws: list[dict[str, Any]]) -> None:
    live, records, reasons = run(raws)
    accepted_only, _, more = run(
        [json.loads(json.dumps(r.event.model_dump(mode="json"))) for r in records]
    )
    assert more == [] and accepted_only.to_snapshot() == live.to_snapshot()
    assert len(records) + len(reasons) == len(raws)
