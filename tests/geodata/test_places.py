"""The shipped place names: all inside London, in the borough they claim, ranked for zoom."""

from __future__ import annotations

import sys
from pathlib import Path

from geodata import London
from geodata.places import places, places_geojson

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from derive_places import derive


def test_every_place_lies_in_london_in_its_borough(london: London) -> None:
    shipped = places()
    assert len(shipped) > 100
    for place in shipped:
        where = london.locate(place.lat, place.lon)
        assert where is not None and where.borough == place.borough, place
        assert place.rank in (1, 2, 3)
    names = {p.name: p for p in shipped}
    assert names["Croydon"].borough == "Croydon" and names["Croydon"].rank == 1
    assert names["Wembley"].borough == "Brent"
    assert "London" not in names


def test_the_map_layer_carries_name_and_rank_per_point() -> None:
    collection = places_geojson()
    assert len(collection["features"]) == len(places())
    first = collection["features"][0]
    assert set(first["properties"]) == {"name", "rank"}
    assert first["geometry"]["type"] == "Point"


def test_derivation_keeps_british_places_inside_london_and_ranks_them(london: London) -> None:
    def city(name: str, lat: float, lon: float, people: int, country: str = "GB") -> dict:  # type: ignore[type-arg]
        return {
            "name": name,
            "latitude": lat,
            "longitude": lon,
            "population": people,
            "countrycode": country,
            "geonameid": hash(name) % 10_000,
        }

    cities = {
        "1": city("Croydon", 51.38, -0.10, 173_314),
        "2": city("Brighton", 50.8225, -0.1372, 139_000),  # outside London
        "3": city("Bromley", 51.40, 0.015, 0),  # no count recorded: rank 2
        "4": city("Barnes", 51.47, -0.25, 9_000),
        "5": city("London", 51.50, -0.12, 8_961_989),  # London itself is no label
        "6": city("Paris", 48.85, 2.35, 2_000_000, "FR"),
    }
    out = derive(cities, london)
    assert [(p["name"], p["rank"]) for p in out["places"]] == [
        ("Croydon", 1),
        ("Bromley", 2),
        ("Barnes", 3),
    ]
    assert "GeoNames" in out["source"] and "CC BY 4.0" in out["source"]
