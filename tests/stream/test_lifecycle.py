"""The incident's whole life in the picture: its CAD reference and address, notes on its
log, and acknowledged alerts that alert again when their condition comes back. Pure: points
are located by the grid stub."""

from __future__ import annotations

import json

from stream.picture import Picture
from tests.stream import factories as f
from tests.stream.test_picture import AW, accept, run, t

CAD = {"reference": "CAD 4711/25NOV", "address": "14 Station Road, Westminster"}


def test_an_incident_keeps_its_reference_and_address_through_a_snapshot() -> None:
    picture = accept([f.incident_created("I1", **CAD, **t(1)), f.incident_created("I2", **t(2))])
    one, two = picture.incidents["I1"], picture.incidents["I2"]
    assert (one.reference, one.address) == (CAD["reference"], CAD["address"])
    assert (two.reference, two.address) == (None, None)
    again = Picture.from_snapshot(json.loads(json.dumps(picture.to_snapshot())))
    assert again == picture and again.incidents["I1"].reference == CAD["reference"]


def test_a_snapshot_from_before_references_still_loads() -> None:
    picture = accept([f.incident_created("I1", **t(1))])
    shot = picture.to_snapshot()
    fields = shot["incident_fields"][:-2]  # the layout before reference and address
    older = {**shot, "incident_fields": fields, "incidents": [r[:-2] for r in shot["incidents"]]}
    del older["acknowledged"]
    assert Picture.from_snapshot(json.loads(json.dumps(older))) == picture


def test_a_note_goes_on_an_open_or_closed_incident_and_changes_nothing_else() -> None:
    picture = accept(
        [
            f.incident_created("I1", **t(1)),
            f.incident_created("I2", **t(2)),
            f.incident_closed("I2", **t(3)),
        ]
    )
    before = picture.to_snapshot()
    _, records, reasons = run(
        [f.incident_noted("I1", **t(4)), f.incident_noted("I2", **t(5)), f.incident_noted("I9")],
        picture,
    )
    assert [r.event.data.incident_id for r in records] == ["I1", "I2"]  # type: ignore[union-attr]
    assert reasons == ["unknown incident I9"]
    after = picture.to_snapshot()
    assert {k: v for k, v in after.items() if k not in ("seq", "now", "recent")} == {
        k: v for k, v in before.items() if k not in ("seq", "now", "recent")
    }


def test_an_alert_is_acknowledged_once_and_says_by_whom() -> None:
    picture = accept(
        [
            f.incident_created("I1", "I", *AW, **t(1)),
            f.alert_acknowledged("i_unassigned", "AW", "I1", by="ann", **t(4)),
        ]
    )
    assert picture.acknowledged == {"i_unassigned:AW:I1": (t(4)["time"], "ann")}
    again = [f.alert_acknowledged("i_unassigned", "AW", "I1", by="bob", **t(5))]
    _, _, reasons = run(again, picture)
    assert reasons == ["alert i_unassigned:AW:I1 was acknowledged by ann at 20:04:00 UTC"]
    again = Picture.from_snapshot(json.loads(json.dumps(picture.to_snapshot())))
    assert again == picture and again.acknowledged == picture.acknowledged


def test_an_acknowledged_incident_alert_ends_when_a_unit_is_sent_or_it_closes() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", **t(0)),
            f.incident_created("I1", "I", *AW, **t(1)),
            f.incident_created("I2", "I", *AW, **t(1)),
            f.alert_acknowledged("i_unassigned", "AW", "I1", **t(4)),
            f.alert_acknowledged("i_unassigned", "AW", "I2", **t(4)),
            f.incident_assigned("I1", "U1", **t(5)),
            f.incident_closed("I2", **t(6)),
        ]
    )
    assert picture.acknowledged == {}


def test_no_irv_acknowledged_holds_while_the_shortage_lasts_and_a_new_one_alerts_again() -> None:
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", **t(0)),
            f.unit_on_duty("D1", "AW", "DOG", **t(0)),
            f.incident_created("I1", **t(1)),
            f.incident_assigned("I1", "U1", **t(2)),  # AW has no IRV available now
            f.alert_acknowledged("no_irv", "AW", **t(3)),
            f.unit_status("D1", "busy", **t(4)),  # not an IRV: still short
            f.unit_status("D1", "available", **t(5)),
        ]
    )
    assert set(picture.acknowledged) == {"no_irv:AW"}
    picture = accept(
        [
            f.unit_on_duty("U1", "AW", **t(0)),
            f.incident_created("I1", **t(1)),
            f.incident_assigned("I1", "U1", **t(2)),
            f.alert_acknowledged("no_irv", "AW", **t(3)),
            f.incident_closed("I1", **t(4)),  # the IRV is available again: the shortage ended
        ]
    )
    assert picture.acknowledged == {}
    picture = accept(
        [
            f.alert_acknowledged("no_irv", "CN", **t(3)),
            f.unit_on_duty("U2", "CN", **t(4)),  # an IRV comes on duty in CN
        ]
    )
    assert picture.acknowledged == {}
