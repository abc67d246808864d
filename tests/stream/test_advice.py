"""Advice offers only units that can be sent: available, or at the station with a longer start.
Pure logic over a folded picture (the travel model is the real crow-flies one)."""

from __future__ import annotations

import random

from geodata.travel import CrowFliesModel
from stream.advice import AT_STATION_START_S, advise
from stream.picture import Picture
from stream.recommend import situation
from tests.stream import factories as f
from tests.stream.factories import stub_point, stub_recorded


def _picture(raws: list[dict[str, object]]) -> Picture:
    picture = Picture()
    for raw in raws:
        assert picture.check(f.stub_validated(raw)) is None, raw
        picture.apply(stub_recorded(picture.seq + 1, raw))
    return picture


def test_a_unit_on_a_break_or_in_custody_is_not_suggested_and_one_at_station_starts_later() -> None:
    lat, lon = stub_point("AW")
    near = {"lat": lat + 0.001, "lon": lon}
    picture = _picture(
        [
            f.unit_on_duty("BREAK", "AW", **near),
            f.unit_on_duty("CUSTODY", "AW", **near),
            f.unit_on_duty("STATION", "AW", **near),
            f.unit_on_duty("OUT", "AW", **near),
            f.unit_on_duty("FAR", "AW", lat=lat + 0.02, lon=lon),
            f.unit_status("BREAK", "refreshment"),
            f.unit_status("CUSTODY", "custody"),
            f.unit_status("STATION", "at_station"),
            f.incident_created("I1", "I", lat, lon),
        ]
    )
    [waiting] = advise(picture, CrowFliesModel())["waiting"]
    eta = {n["unit_id"]: n["eta_s"] for n in waiting["nearest"]}
    assert set(eta) == {"OUT", "STATION", "FAR"}
    assert eta["STATION"] - eta["OUT"] == AT_STATION_START_S
    assert picture.bcu_counts()["AW"].available == 3


def test_no_irv_alert_counts_units_at_station_but_not_those_on_a_break() -> None:
    picture = _picture(
        [
            f.unit_on_duty("A", "AW"),
            f.unit_on_duty("B", "SN"),
            f.unit_status("A", "at_station"),
            f.unit_status("B", "refreshment"),
        ]
    )
    no_irv = {
        a["bcu"] for a in advise(picture, CrowFliesModel())["alerts"] if a["kind"] == "no_irv"
    }
    assert "AW" not in no_irv and "SN" in no_irv


def test_nearest_units_are_the_fastest_by_eta_as_one_journey_at_a_time_finds_them() -> None:
    """Advice takes every unit to every incident in one matrix and a partial sort; here each
    journey is timed alone and the units sorted in full, equal ETAs by the order units came
    on duty (several units share a point, so ties are many)."""
    travel, rng = CrowFliesModel(), random.Random(5)
    lat, lon = stub_point("AW")
    kinds = ["IRV", "ARV", "FOOT", "TSG", "DOG"]
    raws: list[dict[str, object]] = []
    for n in range(40):
        spot = rng.randrange(12)  # a dozen points for 40 units: equal ETAs
        where = {"lat": lat + 0.004 * (spot % 4), "lon": lon + 0.006 * (spot // 4)}
        raws.append(f.unit_on_duty(f"U{n}", "AW", unit_type=kinds[n % 5], **where))
    raws += [
        f.incident_created(f"I{n}", "IS"[n % 2], lat + rng.uniform(-0.02, 0.02), lon + 0.01)
        for n in range(45)  # more columns than one block of the matrix
    ]
    picture = _picture(raws)
    assert picture.now is not None
    order = list(picture.units)
    for waiting in advise(picture, travel)["waiting"]:
        incident = picture.incidents[waiting["incident_id"]]
        pace = situation.pace(incident.grade.value)
        eta = {
            u.unit_id: round(
                travel.seconds(
                    u.lat, u.lon, incident.lat, incident.lon, u.unit_type.value, picture.now
                )
                * pace
            )
            for u in picture.units.values()
        }
        expected = sorted(eta, key=lambda u: (eta[u], order.index(u)))[:3]
        assert [(n["unit_id"], n["eta_s"]) for n in waiting["nearest"]] == [
            (u, eta[u]) for u in expected
        ]
