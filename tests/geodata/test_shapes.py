"""BCUs cover the Met's boroughs; hexes cover London; the map layers are well formed."""

from __future__ import annotations

import h3
import shapely

from geodata import London
from geodata.bcu import BCUS, BOROUGHS
from geodata.layers import bcus_geojson, boroughs_geojson, hexes_geojson


def test_twelve_bcus_made_of_the_32_met_boroughs() -> None:
    assert len(BCUS) == 12
    members = [name for bcu in BCUS for name in bcu.boroughs]
    assert sorted(members) == sorted(b.name for b in BOROUGHS if b.met)
    assert len(members) == len(set(members)) == 32


def test_bcu_polygons_cover_all_met_boroughs(london: London) -> None:
    met = shapely.union_all([b.geometry for b in london.boroughs if b.info.met])
    bcus = shapely.union_all([b.geometry for b in london.bcus])
    assert met.symmetric_difference(bcus).area < 1e-9 * met.area
    for borough in london.boroughs:
        if borough.info.met:
            (home,) = (b for b in london.bcus if b.code == borough.info.bcu)
            assert home.geometry.buffer(1e-9).covers(borough.geometry), borough.name


def test_every_hex_covering_london_maps_to_a_borough(london: London) -> None:
    hexes = london.hexes
    names = {b.name for b in london.boroughs}
    assert 2_000 < len(hexes) < 3_200  # London is ~1,572 km²; a res-8 cell ~0.74 km²
    assert set(hexes.values()) == names
    assert all(h3.get_resolution(cell) == 8 for cell in hexes)
    # Every point of London lies in a listed hex.
    for lat, lon in [(51.5080, -0.1281), (51.2950, 0.0540), (51.6810, -0.1000)]:
        assert london.hex_of(lat, lon) in hexes


def test_hex_resolution_is_configurable() -> None:
    coarse = London.load(h3_resolution=7)
    assert all(h3.get_resolution(cell) == 7 for cell in coarse.hexes)
    assert 250 < len(coarse.hexes) < 600


def test_layers_are_feature_collections(london: London) -> None:
    boroughs = boroughs_geojson(london)
    assert boroughs["type"] == "FeatureCollection"
    assert len(boroughs["features"]) == 33
    assert {f["properties"]["bcu"] for f in boroughs["features"]} == {b.code for b in BCUS} | {None}
    bcus = bcus_geojson(london)
    assert [f["properties"]["code"] for f in bcus["features"]] == [b.code for b in BCUS]
    for feature in bcus["features"]:
        lat, lon = feature["properties"]["label"]
        assert london.locate(lat, lon).bcu == feature["properties"]["code"]
    cell = london.hex_of(51.5080, -0.1281)
    hexes = hexes_geojson({cell: 4.0}, london)
    (feature,) = hexes["features"]
    assert feature["properties"] == {"hex": cell, "value": 4.0, "borough": "Westminster"}
    assert shapely.geometry.shape(feature["geometry"]).contains(shapely.Point(-0.1281, 51.5080))
