"""A diversion in the live picture: a unit on its way to a lower-grade call, or on scene at
an E-grade one, sent to an I-grade one instead, the call it leaves waiting again (the
recommender's advice, made good)."""

from __future__ import annotations

from datetime import timedelta

from stream.picture import IncidentStatus, Picture
from stream.recommend.situation import Resource
from stream.sending import may_divert
from stream.trust import Scope
from tests.stream import factories as f
from tests.stream.factories import START, stub_point, stub_recorded, stub_validated

AW = stub_point("AW")


def _at(minutes: float) -> dict[str, object]:
    return {"time": START + timedelta(minutes=minutes)}


def _picture(*raws: dict[str, object]) -> Picture:
    picture = Picture()
    for seq, raw in enumerate(raws, start=1):
        objection = picture.check(stub_validated(raw))
        assert objection is None, objection
        picture.apply(stub_recorded(seq, raw))
    return picture


def _diverted() -> Picture:
    return _picture(
        f.unit_on_duty("U1", **_at(0)),
        f.incident_created("S1", "S", *AW, **_at(1)),
        f.incident_assigned("S1", "U1", **_at(2)),
        f.incident_created("I1", "I", *AW, **_at(3)),
        f.incident_assigned("I1", "U1", **_at(4)),
    )


def test_a_diverted_unit_leaves_its_call_waiting_again_and_goes_to_the_emergency() -> None:
    picture = _diverted()
    left, taken, unit = picture.incidents["S1"], picture.incidents["I1"], picture.units["U1"]
    assert (unit.status, unit.incident_id) == ("en_route", "I1")
    assert taken.status is IncidentStatus.ASSIGNED and taken.units == ["U1"]
    assert taken.first_unit == "U1" and taken.assigned_at == START + timedelta(minutes=4)
    # The S-grade call waits again, as if never assigned: its next unit is its first.
    assert left.status is IncidentStatus.OPEN and left.units == []
    assert (left.first_unit, left.assigned_at) == (None, None)
    assert picture.bcu_counts()["AW"].awaiting_unit == 1
    assert picture == picture.recounted()
    assert ("incident", "S1") in picture.side_effects_in(4, 5)  # screens hear of S1 too


def test_the_call_left_takes_its_next_unit_as_its_first() -> None:
    picture = _diverted()
    raw = f.unit_on_duty("U2", **_at(5))
    picture.apply(stub_recorded(6, raw))
    raw = f.incident_assigned("S1", "U2", **_at(6))
    assert picture.check(stub_validated(raw)) is None
    picture.apply(stub_recorded(7, raw))
    left = picture.incidents["S1"]
    assert (left.first_unit, left.assigned_at) == ("U2", START + timedelta(minutes=6))


def test_a_call_with_another_unit_keeps_it_and_its_first_assignment() -> None:
    picture = _picture(
        f.unit_on_duty("U1", **_at(0)),
        f.unit_on_duty("U2", **_at(0)),
        f.incident_created("S1", "S", *AW, **_at(1)),
        f.incident_assigned("S1", "U1", **_at(2)),
        f.incident_assigned("S1", "U2", **_at(2)),
        f.incident_created("I1", "I", *AW, **_at(3)),
        f.incident_assigned("I1", "U1", **_at(4)),
    )
    left = picture.incidents["S1"]
    assert left.status is IncidentStatus.ASSIGNED and left.units == ["U2"]
    assert (left.first_unit, left.assigned_at) == ("U1", START + timedelta(minutes=2))


def test_the_rule_is_the_recommenders() -> None:
    """One rule (stream.sending.may_divert) for the advice and the event check."""
    for status in ("available", "en_route", "on_scene", "busy"):
        for left in ("I", "S", "E", "R", None):
            for grade in ("I", "S", "E", "R"):
                resource = Resource("U1", "AW-1", "IRV", "AW", 51.5, -0.1, status, "X", left)
                expected = (
                    grade == "I"
                    and left in ("S", "E", "R")
                    and (status == "en_route" or (status == "on_scene" and left in ("E", "R")))
                )
                assert may_divert(status, left, grade) is expected
                if grade == "I":
                    assert resource.divertable is expected


def test_an_inspector_may_divert_only_a_unit_of_their_bcu() -> None:
    picture = _picture(
        f.unit_on_duty("U1", "AW", **_at(0)),
        f.incident_created("S1", "S", *AW, **_at(1)),
        f.incident_assigned("S1", "U1", **_at(2)),
        f.incident_created("I1", "I", *AW, **_at(3)),
    )
    got = picture.check(stub_validated(f.incident_assigned("I1", "U1")), Scope("NE"))
    assert got is not None and "NE" in got.reason


def _on_scene_at(grade: str) -> list[dict[str, object]]:
    return [
        f.unit_on_duty("U1", **_at(0)),
        f.incident_created("E1", grade, *AW, **_at(1)),
        f.incident_assigned("E1", "U1", **_at(2)),
        f.incident_arrived("E1", "U1", **_at(3)),
        f.incident_created("I1", "I", *AW, **_at(4)),
    ]


def test_a_unit_on_scene_at_an_e_grade_call_may_leave_it_for_an_emergency() -> None:
    picture = _picture(*_on_scene_at("E"), f.incident_assigned("I1", "U1", **_at(5)))
    left, unit = picture.incidents["E1"], picture.units["U1"]
    assert (unit.status, unit.incident_id) == ("en_route", "I1")
    # The call waits for another unit; it was reached, so its first arrival stands.
    assert left.status is IncidentStatus.OPEN and left.units == []
    assert left.first_unit == "U1" and left.arrived_at == START + timedelta(minutes=3)
    assert picture == picture.recounted()


def test_a_unit_on_scene_at_an_s_grade_call_is_not_taken_from_it() -> None:
    picture = _picture(*_on_scene_at("S"))
    got = picture.check(stub_validated(f.incident_assigned("I1", "U1", **_at(5))))
    assert got is not None and "committed" in got.reason
