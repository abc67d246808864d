"""The picture's rules for the recommender's advice: only the API records it; a move-up waits
for one person's decision, is replaced by a newer one for its unit, leaves with its unit, and
survives a snapshot; a decision names the offer's unit and is made by the person it names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stream.picture import Picture
from tests.stream import factories as f
from tests.stream.test_mutual_aid_rules import API, accept, run

RECOMMENDER = API + "recommender"


def _offered(
    advice_id: str,
    unit_id: str = "U1",
    source: str = RECOMMENDER,
    time: str | None = None,
    **data: Any,
) -> dict[str, Any]:
    lat, lon = f.stub_point("CE")
    body = {
        "advice_id": advice_id,
        "kind": "move",
        "unit_id": unit_id,
        "bcu": "CE",
        "lat": lat,
        "lon": lon,
        "gain": 0.2,
        "reason": "to stand by in CE",
    } | data
    return f.envelope("advice.offered", body, source=source, time=time)


def _decided(
    how: str, advice_id: str, by: str = "insp", unit_id: str = "U1", source: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"advice_id": advice_id, "unit_id": unit_id, "by": by}
    if how == "dismissed":
        data["reason"] = "needed for the school run"
    return f.envelope(f"advice.{how}", data, source=source or API + by)


def _units() -> list[dict[str, Any]]:
    lat, lon = f.stub_point("AW")
    return [
        f.unit_on_duty("U1", home_bcu="AW", lat=lat, lon=lon),
        f.unit_on_duty("U2", home_bcu="AW", lat=lat, lon=lon),
    ]


def test_only_the_api_records_advice_and_an_assignment_s_names_an_open_incident() -> None:
    picture, _, reasons = run([*_units(), _offered("M1", source="cad-feed")])
    assert reasons == ["advice is recorded by Bluelamp's recommender, through the API"]
    lat, lon = f.stub_point("AW")
    assign = {"kind": "assignment", "incident_id": "I9", "lat": None, "lon": None, "eta_s": 300}
    _, _, reasons = run([_offered("A1", **assign)], picture)
    assert reasons and "I9" in reasons[0]
    picture, _, reasons = run(
        [f.incident_created("I9", lat=lat, lon=lon), _offered("A1", **assign)], picture
    )
    assert reasons == [] and picture.offers == {}  # taken by assigning: nothing to decide


def test_a_move_up_waits_for_one_decision_by_the_person_it_names() -> None:
    picture = accept([*_units(), _offered("M1"), _offered("M2", unit_id="U2")])
    assert set(picture.offers) == {"M1", "M2"}
    _, _, reasons = run([_decided("accepted", "M1", unit_id="U2")], picture)
    assert reasons == ["move-up M1 is for unit U1, not U2"]
    _, _, reasons = run(
        [_decided("accepted", "M1", by="insp", source=API + "someone-else")], picture
    )
    assert reasons and "person named in by" in reasons[0]
    picture, _, reasons = run(
        [_decided("accepted", "M1"), _decided("dismissed", "M1", by="chief")], picture
    )
    assert len(reasons) == 1 and reasons[0].startswith("no move-up M1 waiting")
    picture, _, reasons = run([_decided("dismissed", "M2", unit_id="U2")], picture)
    assert reasons == [] and picture.offers == {}


def test_a_unit_s_moves_wait_an_hour_taking_one_settles_the_rest_and_off_duty_withdraws_them() -> (
    None
):
    picture = accept([*_units(), _offered("M1"), _offered("M3"), _offered("M4", unit_id="U2")])
    assert set(picture.offers) == {"M1", "M3", "M4"}
    _, _, reasons = run([_decided("accepted", "M3")], picture)
    assert reasons == [] and set(picture.offers) == {"M4"}
    _, _, reasons = run([f.unit_off_duty("U2")], picture)
    assert reasons == [] and picture.offers == {}
    later = accept([*_units(), _offered("M5")])
    lat, lon = f.stub_point("AW")
    hour_on = f.unit_on_duty("U3", home_bcu="AW", lat=lat, lon=lon)
    hour_on["time"] = (later.now + timedelta(minutes=61)).isoformat().replace("+00:00", "Z")
    _, _, reasons = run([hour_on, _offered("M6", unit_id="U3", time=hour_on["time"])], later)
    assert reasons == [] and set(later.offers) == {"M6"}


def test_moves_waiting_survive_a_snapshot() -> None:
    picture = accept([*_units(), _offered("M1"), _offered("M2", unit_id="U2")])
    again = Picture.from_snapshot(picture.to_snapshot())
    assert again.offers == picture.offers
