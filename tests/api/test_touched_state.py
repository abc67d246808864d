"""A live frame's ``state`` (api.views.touched_json): the same as touched_view, each unit's
view kept as text until a record changes that unit, by naming it or as a side effect, so a
socket out of step that sends an older range of seqs still gets every unit as it is now."""

from __future__ import annotations

from typing import Any

import orjson

from api.views import UnitTexts, touched_json, touched_view
from stream.events import Recorded
from stream.picture import Picture
from tests.stream.factories import (
    incident_assigned,
    incident_closed,
    incident_created,
    recorded,
    unit_location,
    unit_on_duty,
)


def _fold(picture: Picture, *raws: dict[str, Any]) -> list[Recorded]:
    records = []
    for raw in raws:
        record = recorded(picture.seq + 1, raw)
        picture.apply(record)
        records.append(record)
    return records


def _state(picture: Picture, records: list[Recorded], texts: UnitTexts) -> Any:
    text = touched_json(picture, records, texts, hex_of=lambda lat, lon: "h")
    assert orjson.loads(text) == touched_view(picture, records, hex_of=lambda lat, lon: "h")
    return orjson.loads(text)


def test_a_unit_s_state_is_as_it_is_now_however_old_the_range_sent() -> None:
    picture, texts = Picture(), UnitTexts()
    _fold(picture, unit_on_duty("U1"), unit_on_duty("U2"), incident_created("I1"))
    [moved] = _fold(picture, unit_location("U1", lat=51.51, lon=-0.11))
    assert _state(picture, [moved], texts)["units"]["U1"]["lat"] == 51.51
    _fold(picture, unit_location("U1", lat=51.52, lon=-0.12))
    # A socket behind sends the older record again: its unit as the picture holds it now.
    assert _state(picture, [moved], texts)["units"]["U1"]["lat"] == 51.52
    [sent] = _fold(picture, incident_assigned("I1", "U1"))
    assert _state(picture, [sent], texts)["units"]["U1"]["status"] == "en_route"
    assert _state(picture, [moved], texts)["units"]["U1"]["status"] == "en_route"
    # Closing the incident frees U1 as a side effect: no record of the range names it.
    [closed] = _fold(picture, incident_closed("I1"))
    state = _state(picture, [closed], texts)
    assert state["units"]["U1"]["status"] == "available"
    assert _state(picture, [moved], texts)["units"]["U1"]["status"] == "available"


def test_a_new_picture_starts_the_texts_afresh() -> None:
    texts = UnitTexts()
    first = Picture()
    [on] = _fold(first, unit_on_duty("U1"))
    assert _state(first, [on], texts)["units"]["U1"]["lat"] != 51.53
    second = Picture.from_snapshot(first.to_snapshot())  # nothing changed since: -1 for U1
    _fold(second, unit_location("U1", lat=51.53, lon=-0.1))
    third = Picture.from_snapshot(second.to_snapshot())
    assert third.unit_changed == {} and _state(third, [on], texts)["units"]["U1"]["lat"] == 51.53
