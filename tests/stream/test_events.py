"""The event contract: valid events parse; every kind of bad input says why."""

from __future__ import annotations

import json

import pytest

from stream.events import EventType, InvalidEvent, parse_event, to_json, validate
from tests.stream.factories import OUTSIDE, POINTS, Events, london


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
    ]
    assert {r["type"] for r in raws} == {t.value for t in EventType}
    for raw in raws:
        event = parse_event(json.dumps(raw))
        assert parse_event(to_json(event)) == event
        assert event.key == (raw["source"], raw["id"])


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
