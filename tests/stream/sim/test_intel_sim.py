"""The simulator's intelligence (stream.sim.intel): off, a run is exactly as before; on, the
demo's London has places calls keep coming from, markers on some, and invented people
linked, every event of it accepted by the live picture's rules."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from stream.events import Recorded, validate
from stream.picture import Picture
from stream.sim.engine import SimOptions, Simulation
from stream.sim.intel import GIVEN, SURNAMES
from stream.sim.scenario import load
from tests.stream.factories import london

START = datetime(2026, 11, 20, tzinfo=UTC)


def _run(intel: bool, seed: int = 3, hours: int = 24) -> list[dict[str, Any]]:
    scenario = load("normal-day").starting(START, hours)
    options = SimOptions(pings=False, intel=intel)
    return list(Simulation(london(), scenario, "closest-idle-own-bcu", seed, options).events())


@pytest.fixture(scope="module")
def day() -> list[dict[str, Any]]:
    return _run(intel=True)


def test_off_a_run_is_as_it_was(day: list[dict[str, Any]]) -> None:
    plain = _run(intel=False)
    kinds = {e["type"] for e in plain}
    assert not {"location.marker_set", "incident.person_linked"} & kinds
    # Same calls, in the same order, at the same times (intel draws from its own generator).
    created = [(e["time"], e["data"]["grade"]) for e in plain if e["type"] == "incident.created"]
    assert created == [
        (e["time"], e["data"]["grade"]) for e in day if e["type"] == "incident.created"
    ]


def test_on_the_picture_takes_all_of_it(day: list[dict[str, Any]]) -> None:
    picture, refused = Picture(), []
    for raw in day:
        checked = validate(raw, london().locate)
        if (objection := picture.check(checked)) is not None:
            refused.append(objection.reason)
            continue
        picture.apply(Recorded(picture.seq + 1, checked.event, checked.borough, checked.bcu))
    assert refused == []
    assert len(picture.markers) >= 20
    assert any(picture.warnings_at(i.lat, i.lon) for i in picture.incidents.values())


def test_a_few_places_gather_many_calls_and_people_are_invented(
    day: list[dict[str, Any]],
) -> None:
    places = Counter(
        (e["data"]["lat"], e["data"]["lon"]) for e in day if e["type"] == "incident.created"
    )
    calls = sum(places.values())
    top = sum(n for _, n in places.most_common(len(places) // 100))
    assert top / calls > 0.03, "the busiest 1% of places have well over 1% of the calls"
    assert places.most_common(1)[0][1] >= 5
    people = [e["data"] for e in day if e["type"] == "incident.person_linked"]
    assert len(people) > 1000
    for person in people:
        given, surname = person["name"].split(" ")
        assert given in GIVEN and surname in SURNAMES
    assert _run(intel=True, hours=2) == _run(intel=True, hours=2)  # deterministic
