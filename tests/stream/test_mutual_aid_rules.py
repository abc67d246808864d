"""The picture's rules for mutual aid: a request needs an open incident and another BCU's
unit the recommender may offer for its grade (or a diversion), and is made by the person
the API names; an answer closes it; the open requests survive a snapshot."""

from __future__ import annotations

from typing import Any

from stream.events import Recorded
from stream.picture import Picture
from tests.stream import factories as f

API = "bluelamp-api/"


def run(
    raws: list[dict[str, Any]], picture: Picture | None = None
) -> tuple[Picture, list[Recorded], list[str]]:
    """What the sequencer does: check each event, record and apply the accepted ones."""
    picture = picture if picture is not None else Picture()
    records: list[Recorded] = []
    reasons: list[str] = []
    for raw in raws:
        objection = picture.check(f.stub_validated(raw))
        if objection is None:
            record = f.stub_recorded(picture.seq + 1, raw)
            picture.apply(record)
            records.append(record)
        else:
            reasons.append(objection.reason)
    return picture, records, reasons


def accept(raws: list[dict[str, Any]]) -> Picture:
    picture, _, reasons = run(raws)
    assert reasons == []
    return picture


def _setup() -> list[dict[str, Any]]:
    lat, lon = f.stub_point("AW")
    nlat, nlon = f.stub_point("CE")
    return [
        f.incident_created("I1", lat=lat, lon=lon),
        f.unit_on_duty("U-CE", home_bcu="CE", lat=nlat, lon=nlon),
    ]


def _requested(request_id: str = "R1", by: str = "insp", **extra: Any) -> dict[str, Any]:
    data = {
        "request_id": request_id,
        "incident_id": "I1",
        "unit_id": "U-CE",
        "from_bcu": "CE",
        "to_bcu": "AW",
        "reason": "nearest unit",
        "by": by,
    } | extra
    return f.envelope("mutual_aid.requested", data, source=API + by)


def _answer(kind: str, by: str = "chief", **extra: Any) -> dict[str, Any]:
    data = {"request_id": "R1", "incident_id": "I1", "unit_id": "U-CE", "by": by} | extra
    return f.envelope(f"mutual_aid.{kind}", data, source=API + by)


def test_a_request_stays_open_until_answered_and_survives_a_snapshot() -> None:
    picture = accept([*_setup(), _requested()])
    aid = picture.mutual_aid["R1"]
    assert (aid.unit_id, aid.from_bcu, aid.to_bcu, aid.by) == ("U-CE", "CE", "AW", "insp")
    restored = Picture.from_snapshot(picture.to_snapshot())
    assert restored.mutual_aid["R1"] == aid
    _, _, reasons = run([_answer("declined", reason="needed in CE")], restored)
    assert reasons == [] and restored.mutual_aid == {}
    _, _, reasons = run([_answer("granted", assignment_seq=4)], restored)
    assert reasons == ["no open mutual aid request R1 (answered already, or unknown)"]


def test_the_rules_refuse_with_the_reason() -> None:
    picture = accept(_setup())
    forged = _requested()
    forged["source"] = "feed-x"
    _, _, reasons = run(
        [forged, _requested(from_bcu="NE"), _requested(incident_id="I9"), _requested()],
        picture,
    )
    assert reasons == [
        "mutual aid is recorded through the API by the person named in by (insp)",
        "unit U-CE is deployed to CE and incident I1 is in AW, not NE and AW",
        "unknown incident I9",
    ]
    _, _, reasons = run([_requested()], picture)
    assert reasons == ["mutual aid request R1 already exists"]


def _busy_or_diverted(grade: str, status: str) -> Picture:
    lat, lon = f.stub_point("CE")
    before = [f.incident_graded("I1", grade)]
    if status == "busy":
        before.append(f.unit_status("U-CE", "busy"))
    elif status in ("en_route", "on_scene"):
        before += [
            f.incident_created("S-CE", "S", lat=lat, lon=lon),
            f.incident_assigned("S-CE", "U-CE"),
        ]
        if status == "on_scene":
            before.append(f.incident_arrived("S-CE", "U-CE"))
    return accept([*_setup(), *before])


def test_a_request_may_be_for_what_the_recommender_offers_and_its_grant_assigns() -> None:
    """A busy unit for an I- or S-grade call, or a diversion for an I-grade one
    (stream.sending): the grant's assignment is accepted as well, and the call a diverted
    unit leaves waits again."""
    for grade, status in [("I", "busy"), ("S", "busy"), ("I", "en_route")]:
        picture = _busy_or_diverted(grade, status)
        grant = f.incident_assigned("I1", "U-CE")
        _, _, reasons = run([_requested(), grant, _answer("granted", assignment_seq=6)], picture)
        assert reasons == [], (grade, status)
        unit = picture.units["U-CE"]
        assert (unit.status, unit.incident_id, picture.mutual_aid) == ("en_route", "I1", {})
        if status == "en_route":
            left = picture.incidents["S-CE"]
            assert left.status == "open" and left.units == [] and left.first_unit is None


def test_a_request_for_what_the_recommender_would_not_offer_is_refused() -> None:
    for grade, status in [("E", "busy"), ("S", "en_route"), ("I", "on_scene")]:
        picture = _busy_or_diverted(grade, status)
        _, _, reasons = run([_requested()], picture)
        words = status.replace("_", " ")
        assert reasons == [f"unit U-CE is {words}, not available"], (grade, status)
    picture = accept([*_setup(), f.unit_status("U-CE", "refreshment")])
    assert run([_requested()], picture)[2] == ["unit U-CE is refreshment, not available"]
