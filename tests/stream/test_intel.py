"""Warning markers and linked people: the contract refuses bad ones with a reason; the
picture keeps them, finds the markers near a call, and drops a closed call's people with it."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

import pytest

from stream.events import InvalidEvent, validate
from stream.intel import MARKER_REACH_M, metres
from stream.picture import RETAIN_CLOSED, Picture
from tests.stream.factories import POINTS, Events, london, numbered

Raw = dict[str, Any]


def _reason(raw: Raw) -> str:
    with pytest.raises(InvalidEvent) as caught:
        validate(json.dumps(raw), london().locate)
    return caught.value.reason


def _data(raw: Raw, **changes: Any) -> Raw:
    data = {k: v for k, v in (raw["data"] | changes).items() if v is not None}
    return raw | {"data": data}


def test_bad_markers_and_links_are_refused_with_their_reason() -> None:
    ev = Events()
    marker, link = ev.marker_set("M1"), ev.person_linked("I1")
    assert "marker_type must be one of firearms" in _reason(_data(marker, marker_type="guns"))
    assert "review_date: must be a date as YYYY-MM-DD" in _reason(
        _data(marker, review_date=1_800_000_000)
    )
    assert "2027-02-30 is not a date" in _reason(_data(marker, review_date="2027-02-30"))
    assert "missing field: data.text" in _reason(_data(marker, text=None))
    assert "outside London" in _reason(_data(marker, lat=52.2))
    assert "role must be one of caller, victim, suspect, witness" in _reason(
        _data(link, role="boss")
    )
    assert "linked by name and date_of_birth" in _reason(_data(link, date_of_birth=None))
    assert "date_of_birth: must be a date as YYYY-MM-DD" in _reason(
        _data(link, date_of_birth="01/04/1990")
    )
    assert "holds no name" in _reason(_data(link, pseudonym="0" * 32))
    assert "control characters" in _reason(_data(link, name="Alex\x07"))


def test_a_marker_is_placed_by_the_log_and_warns_only_nearby_calls_until_cleared() -> None:
    ev = Events()
    raws = [ev.incident_created("NEAR"), ev.marker_set("M1", offset_m=30)]
    raws += [ev.marker_set("M2", "dangerous_dog", offset_m=400)]
    picture = _fold(raws)
    near = picture.incidents["NEAR"]
    assert picture.markers["M1"].bcu == "AW"
    assert picture.warnings_at(near.lat, near.lon) == ["firearms"]
    assert ("incident", "NEAR") in picture.side_effects_in(1, 2)  # its icon changed
    assert [m.marker_id for _, m in picture.markers_near(near.lat, near.lon, 500)] == [
        "M1",
        "M2",
    ]
    _fold([ev.marker_set("M1", "drugs", offset_m=30)], picture)  # replaced, not added
    assert picture.warnings_at(near.lat, near.lon) == ["drugs"]
    _fold([ev.marker_cleared("M1")], picture)
    assert picture.warnings_at(near.lat, near.lon) == []
    assert ("incident", "NEAR") in picture.side_effects_in(picture.seq - 1, picture.seq)


def test_a_marker_leaves_the_picture_the_day_after_its_review_date_unless_renewed() -> None:
    ev = Events()  # the story's events are on 2026-11-24
    raws = [ev.incident_created("I1"), ev.marker_set("OLD", review_date="2026-11-23")]
    raws += [ev.marker_set("RENEWED", review_date="2026-11-23")]
    raws += [
        ev.marker_set("RENEWED", review_date="2027-11-23"),
        ev.marker_set("TODAY", review_date="2026-11-24"),
    ]
    picture = _fold(raws)
    assert sorted(picture.markers) == ["RENEWED", "TODAY"]  # OLD went with the next record
    assert ("incident", "I1") in picture.side_effects_in(2, 3)  # its icon went with it
    ev.advance(86_400)
    _fold([ev.incident_created(f"NEXT{n}") for n in range(5)], picture)
    assert sorted(picture.markers) == ["RENEWED"]
    assert picture == Picture.from_snapshot(json.loads(json.dumps(picture.to_snapshot())))


def test_people_are_linked_once_unlinked_by_name_and_leave_with_their_incident() -> None:
    ev = Events()
    raws = [ev.incident_created("I1"), ev.person_linked("I1"), ev.person_linked("I1", "caller")]
    picture = _fold(raws)
    assert [(p.role, p.name) for p in picture.people["I1"]] == [
        ("victim", "Alex Testperson"),
        ("caller", "Alex Testperson"),
    ]
    twice = validate(json.dumps(ev.person_linked("I1")), london().locate)
    assert (objection := picture.check(twice)) is not None and "already" in objection.reason
    unknown = validate(json.dumps(ev.person_linked("I9")), london().locate)
    assert (objection := picture.check(unknown)) is not None and "I9" in objection.reason
    # People write names as they write them: case and spacing aside, the same person.
    _fold([ev.person_unlinked("I1", "caller", name="alex  TESTPERSON")], picture)
    assert [p.role for p in picture.people["I1"]] == ["victim"]
    assert picture == Picture.from_snapshot(json.loads(json.dumps(picture.to_snapshot())))
    ev.advance(60)
    _fold([ev.closed("I1")], picture)
    ev.advance(RETAIN_CLOSED.total_seconds() + 60)
    # (several events: the picture's clock does not jump a day on one alone)
    _fold([ev.incident_created(f"LATER{n}") for n in range(5)], picture)
    assert "I1" not in picture.incidents and "I1" not in picture.people


def test_markers_near_equals_measuring_every_marker() -> None:
    rng = random.Random(17)
    ev = Events()
    lat0, lon0 = POINTS["AW"]
    raws = []
    for n in range(400):
        raw = ev.marker_set(f"M{n}", review_date=rng.choice(["2025-01-01", "2027-01-01"]))
        raw["data"] |= {
            "lat": lat0 + rng.uniform(-0.01, 0.01),
            "lon": lon0 + rng.uniform(-0.01, 0.01),
        }
        raws.append(raw)
    picture = _fold(raws)
    for _ in range(50):
        lat, lon = lat0 + rng.uniform(-0.01, 0.01), lon0 + rng.uniform(-0.01, 0.01)
        radius = rng.choice([MARKER_REACH_M, 100.0, 350.0])
        day = picture.now.date() if picture.now else date.min
        brute = sorted(
            m.marker_id
            for m in picture.markers.values()
            if m.review_date >= day and metres(lat, lon, m.lat, m.lon) <= radius
        )
        assert sorted(m.marker_id for _, m in picture.markers_near(lat, lon, radius)) == brute


def _fold(raws: list[Raw], picture: Picture | None = None) -> Picture:
    picture = picture if picture is not None else Picture()
    for record in numbered(raws, picture.seq + 1):
        picture.apply(record)
    return picture
