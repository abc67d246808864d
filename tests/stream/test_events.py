"""The event contract: valid events parse; every kind of bad input says why.

Most tests locate points with the pure grid stub (tests.stream.factories.stub_locate); the
few marked as such use the real boundaries from geodata.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from stream.events import EventType, InvalidEvent, parse_event, to_dict, to_json, validate
from stream.payloads import subjects
from tests.stream import factories as f
from tests.stream.factories import OUTSIDE, POINTS, Events, london, stub_locate
from tests.stream.strategies import single_events


def _reason(raw: object) -> str:
    text = raw if isinstance(raw, str | bytes) else json.dumps(raw)
    with pytest.raises(InvalidEvent) as caught:
        validate(text, london().locate)
    return caught.value.reason


def test_every_type_in_the_catalogue_parses_and_round_trips() -> None:
    ev = Events()
    raws = [
        ev.incident_created("I1"),
        ev.incident_graded("I1", "S"),
        ev.assigned("I1", "U1"),
        ev.arrived("I1", "U1"),
        ev.closed("I1"),
        ev.on_duty("U1"),
        ev.off_duty("U1"),
        ev.status("U1", "busy"),
        ev.location("U1"),
        ev.redeployed("U1", "CN"),
        *_mutual_aid(ev),
        ev.noted("I1"),
        ev.acknowledged("i_unassigned", "AW", "I1"),
        *_advice(ev),
        ev.marker_set("M1"),
        ev.marker_cleared("M1"),
        ev.person_linked("I1"),
        ev.person_unlinked("I1"),
    ]
    assert {r["type"] for r in raws} == {t.value for t in EventType}
    for raw in raws:
        event = parse_event(json.dumps(raw))
        assert parse_event(to_json(event)) == event
        assert event.key == (raw["source"], raw["id"])


def _mutual_aid(ev: Events) -> list[dict[str, object]]:
    ask = {"request_id": "R1", "incident_id": "I1", "unit_id": "U1", "by": "insp"}
    return [
        ev.raw(
            "mutual_aid.requested",
            ask | {"from_bcu": "NE", "to_bcu": "AW", "reason": "nearest unit"},
        ),
        ev.raw("mutual_aid.granted", ask | {"by": "chief", "assignment_seq": 7}),
        ev.raw("mutual_aid.declined", ask | {"by": "chief", "reason": "needed in NE"}),
    ]


def test_borough_and_bcu_are_derived_from_the_point() -> None:
    v = validate(Events().incident_created("I1", bcu="SN"), london().locate)
    assert (v.borough, v.bcu) == ("Croydon", "SN")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: "{not json", "malformed JSON"),
        (lambda r: "[1, 2]", "an event must be a JSON object"),
        (lambda r: {**r, "type": "incident.exploded"}, "unknown event type 'incident.exploded'"),
        (lambda r: {k: v for k, v in r.items() if k != "type"}, "missing field: type"),
        (lambda r: {k: v for k, v in r.items() if k != "source"}, "missing field: source"),
        (lambda r: {**r, "data": {**r["data"], "grade": "X"}}, "grade must be one of I, S, E, R"),
        (lambda r: {**r, "data": {**r["data"], "lat": "north"}}, "data.lat"),
        (
            lambda r: {**r, "data": {k: v for k, v in r["data"].items() if k != "category"}},
            "missing field: data.category",
        ),
        (lambda r: {**r, "data": {**r["data"], "colour": "red"}}, "unexpected field: data.colour"),
        (lambda r: {**r, "specversion": "0.3"}, "specversion must be 1.0"),
        (lambda r: {**r, "time": "2026-11-24T20:00:00"}, "time"),
        (lambda r: {**r, "time": "yesterday"}, "time"),
        (
            lambda r: {**r, "data": {**r["data"], "lat": OUTSIDE[0], "lon": OUTSIDE[1]}},
            "point 50.82250,-0.13720 is outside London",
        ),
        (
            lambda r: {
                **r,
                "data": {**r["data"], "lat": POINTS["CITY"][0], "lon": POINTS["CITY"][1]},
            },
            "City of London Police",
        ),
        (lambda r: {**r, "data": {**r["data"], "lat": 123.0}}, "data.lat"),
    ],
    ids=[
        "malformed-json",
        "not-an-object",
        "unknown-type",
        "no-type",
        "no-source",
        "bad-grade",
        "wrong-type",
        "missing-field",
        "extra-field",
        "specversion",
        "naive-time",
        "bad-time",
        "outside-london",
        "city-of-london",
        "impossible-latitude",
    ],
)
def test_bad_input_is_rejected_with_its_reason(mutate, reason) -> None:  # type: ignore[no-untyped-def]
    got = _reason(mutate(Events().incident_created("I1")))
    assert reason in got


def test_unit_events_check_their_own_fields() -> None:
    ev = Events()
    assert "unit_type must be one of" in _reason(
        {**ev.on_duty("U1"), "data": {**ev.on_duty("U1")["data"], "unit_type": "HELICOPTER"}}
    )
    assert "Met BCU codes" in _reason(ev.redeployed("U1", "ZZ"))
    assert "status must be one of" in _reason(ev.status("U1", "napping"))
    assert "outside London" in _reason(
        {**ev.location("U1"), "data": {"unit_id": "U1", "lat": OUTSIDE[0], "lon": OUTSIDE[1]}}
    )


def test_a_unit_may_drive_through_the_city() -> None:
    ev = Events()
    raw = ev.location("U1")
    raw["data"].update(lat=POINTS["CITY"][0], lon=POINTS["CITY"][1])
    v = validate(raw, london().locate)
    assert (v.borough, v.bcu) == ("City of London", None)


def test_non_utf8_bytes_are_malformed() -> None:
    assert "malformed JSON" in _reason(b"\xff\xfe{")


# -- pure: the grid stub instead of geodata ---------------------------------------------------


def _stub_reason(raw: object) -> str:
    with pytest.raises(InvalidEvent) as caught:
        validate(raw if isinstance(raw, str | bytes) else json.dumps(raw), stub_locate)
    return caught.value.reason


@pytest.mark.parametrize("raw", [[], None, 5, '"x"', "[]", [f.incident_created("I1")]], ids=repr)
def test_a_non_object_is_not_an_event_as_text_or_as_python(raw: object) -> None:
    with pytest.raises(InvalidEvent) as as_python:
        parse_event(raw)  # type: ignore[arg-type]
    assert as_python.value.reason == "an event must be a JSON object"
    assert _stub_reason(raw) == "an event must be a JSON object"


CREATED = f.incident_created("I1", id="c1", time="2026-11-24T20:00:00Z")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"type": "incident.created",', "malformed JSON"),
        ({**CREATED, "type": "incident.moved"}, "unknown event type 'incident.moved'"),
        ({**CREATED, "data": {"incident_id": "I1"}}, "missing field: data.grade"),
        ({**CREATED, "data": []}, "data must be a JSON object"),
        ({**CREATED, "id": 7}, "id: Input should be a valid string"),
        ({**CREATED, "id": "  "}, "id: String should have at least 1 character"),
        ({**CREATED, "data": {**CREATED["data"], "grade": "i"}}, "grade must be one of I, S, E, R"),
        ({**CREATED, "data": {**CREATED["data"], "grade": "P"}}, "grade must be one of I, S, E, R"),
        ({**CREATED, "data": {**CREATED["data"], "lat": "51.5"}}, "data.lat"),
        ({**CREATED, "data": {**CREATED["data"], "lon": True}}, "data.lon"),
        ({**CREATED, "data": {**CREATED["data"], "category": 3}}, "data.category"),
        ({**CREATED, "time": "2026-11-24T20:00:00"}, "time must include a UTC offset"),
        ({**CREATED, "time": 1764014400}, "time: must be an RFC 3339 timestamp string"),
        ({**CREATED, "data": {**CREATED["data"], "lat": 51.3}}, "outside London"),
        ({**CREATED, "data": {**CREATED["data"], "lat": 51.515, "lon": -0.09}}, "not the Met"),
        (f.unit_on_duty("U1", home_bcu="XX"), "data.home_bcu: must be one of the Met BCU codes"),
        (f.unit_redeployed("U1", "City"), "data.bcu: must be one of the Met BCU codes"),
        (f.unit_on_duty("U1", unit_type="BOAT"), "unit_type must be one of IRV, ARV"),
        (f.unit_status("U1", "lunch"), "status must be one of available, en_route"),
        (f.unit_location("U1", lat=51.6, lon=-0.1), "point 51.60000,-0.10000 is outside London"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_each_kind_of_bad_input_gives_its_reason(raw: object, reason: str) -> None:
    assert reason in _stub_reason(raw)


def test_a_reason_names_every_broken_field() -> None:
    raw = {**CREATED, "data": {"incident_id": "I1", "grade": "Z", "lat": 1, "lon": 2}}
    got = _stub_reason(raw)
    assert "grade must be one of" in got and "missing field: data.category" in got


def test_times_are_kept_in_utc() -> None:
    event = parse_event({**CREATED, "time": "2026-11-24T21:00:00+01:00"})
    assert to_dict(event)["time"] == "2026-11-24T20:00:00Z"


def test_a_unit_in_the_city_is_located_but_has_no_bcu() -> None:
    v = validate(f.unit_location("U1", lat=51.515, lon=-0.09), stub_locate)
    assert (v.borough, v.bcu) == ("City of London", None)


def test_events_without_a_point_are_not_located() -> None:
    v = validate(f.unit_off_duty("U1"), stub_locate)
    assert (v.borough, v.bcu) == (None, None)


@settings(max_examples=100, deadline=None)
@given(raw=single_events())
def test_any_valid_event_round_trips_through_json(raw: dict[str, object]) -> None:
    event = parse_event(json.dumps(raw))
    assert parse_event(to_json(event)) == event
    assert parse_event(to_dict(event)) == event
    assert validate(to_json(event), stub_locate).event == event


@settings(max_examples=100, deadline=None)
@given(raw=single_events())
def test_the_incident_and_unit_an_event_names_are_its_data_s_fields(raw: dict[str, object]) -> None:
    # The fold, the log's indexes and the live frames read them through one cache by type.
    data = parse_event(json.dumps(raw)).data
    expected = (getattr(data, "incident_id", None), getattr(data, "unit_id", None))
    assert subjects(data) == expected
    assert subjects(data) == expected  # the second time, from the cache


def test_an_incident_carries_its_cad_reference_and_address() -> None:
    raw = Events().incident_created("I1")
    raw["data"] |= {"reference": " CAD 4711/25NOV ", "address": "14 Station Road, Camden"}
    data = parse_event(json.dumps(raw)).data
    assert (data.reference, data.address) == ("CAD 4711/25NOV", "14 Station Road, Camden")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("reference", "x" * 201, "data.reference: String should have at most 200 characters"),
        ("address", "a\nb", "data.address must not contain control characters"),
        ("reference", "", "data.reference: String should have at least 1 character"),
    ],
)
def test_a_bad_reference_or_address_is_refused_with_the_reason(
    field: str, value: str, reason: str
) -> None:
    raw = Events().incident_created("I1")
    raw["data"][field] = value
    assert _reason(raw) == reason


def test_an_acknowledgement_names_its_alert_by_kind_bcu_and_incident() -> None:
    ev = Events()
    incident = parse_event(json.dumps(ev.acknowledged("i_unassigned", "aw", "I1"))).data
    bcu_wide = parse_event(json.dumps(ev.acknowledged("no_irv", "CN"))).data
    assert incident.key == "i_unassigned:AW:I1"  # type: ignore[union-attr]
    assert bcu_wide.key == "no_irv:CN"  # type: ignore[union-attr]
    assert "data.bcu" in _reason(ev.acknowledged("no_irv", "XX"))
    assert _reason(ev.noted("I1", text="")) == "data.text: String should have at least 1 character"


def _advice(ev: Events) -> list[dict[str, object]]:
    move = {"advice_id": "M1", "unit_id": "U1"}
    return [
        ev.raw(
            "advice.offered",
            move
            | {
                "kind": "move",
                "bcu": "CN",
                "lat": 51.54,
                "lon": -0.14,
                "gain": 0.3,
                "reason": "U1 to stand by in Camden (CN)",
            },
        ),
        ev.raw("advice.accepted", move | {"by": "insp"}),
        ev.raw("advice.dismissed", move | {"by": "insp", "reason": "needed here"}),
    ]
