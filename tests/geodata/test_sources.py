"""The shipped data is what the derivation makes, and the tables match the reference data."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import shapely

from geodata import London
from geodata.bcu import BCU_BY_CODE, BOROUGH_BY_GSS, BOROUGHS, borough_named
from geodata.london import SHIPPED

ROOT = Path(__file__).resolve().parents[2]


def _derive_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "derive_boroughs", ROOT / "scripts/derive_boroughs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_boroughs_are_exactly_what_the_derivation_makes(shared: Path) -> None:
    """The shared copy of vega-datasets 3.2.1 londonBoroughs.json, decoded, is the shipped file.

    (scripts/derive_boroughs.py fetches the same file with npm pack; this checks the decoding
    and the committed output without the network.)
    """
    topology = json.loads((shared / "boundaries" / "londonBoroughs.json").read_text())
    derived = _derive_script().boroughs(topology)
    assert json.dumps(derived, separators=(",", ":")) + "\n" == SHIPPED.read_text()


def test_gss_codes_and_inner_london_match_the_london_datastore_file(shared: Path) -> None:
    full = json.loads((shared / "boundaries" / "london_boroughs.geojson").read_text())
    for feature in full["features"]:
        props = feature["properties"]
        info = BOROUGH_BY_GSS[props["gss_code"]]
        assert info.name == props["name"]
        assert info.inner == (props["ons_inner"] == "T"), info.name


def test_bcu_table_matches_the_reference_lookup(shared: Path) -> None:
    with (shared / "boundaries" / "borough_bcu_lookup.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 33
    for row in rows:
        info = BOROUGH_BY_GSS[row["gss_code"]]
        assert info.name == row["borough"]
        if row["bcu_code"] == "COL":
            assert info.bcu is None and not info.met
        else:
            assert info.bcu == row["bcu_code"]
            # The lookup says "East Area" where Bluelamp (geodata.bcu) says "East".
            assert BCU_BY_CODE[row["bcu_code"]].name == row["bcu_name"].removesuffix(" Area")


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Kingston-upon-Thames", "Kingston upon Thames"),
        ("richmond upon thames", "Richmond upon Thames"),
        ("Barking & Dagenham", "Barking and Dagenham"),
        ("Hammersmith & Fulham", "Hammersmith and Fulham"),
        ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
        ("City of Westminster", "Westminster"),
        ("City of London", "City of London"),
    ],
)
def test_borough_names_are_normalised(spelling: str, name: str) -> None:
    found = borough_named(spelling)
    assert found is not None and found.name == name
    assert borough_named("Narnia") is None
    assert {borough_named(b.name) for b in BOROUGHS} == set(BOROUGHS)


def test_bad_boundary_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a GeoJSON FeatureCollection"):
        London.load(tmp_path / "missing.geojson")
    shipped = json.loads(SHIPPED.read_text())
    shipped["features"] = shipped["features"][:32]
    short = tmp_path / "short.geojson"
    short.write_text(json.dumps(shipped))
    with pytest.raises(ValueError, match="expected the 33 London boroughs"):
        London.load(short)
    shipped["features"][0]["properties"] = {"name": "Narnia"}
    short.write_text(json.dumps(shipped))
    with pytest.raises(ValueError, match="unknown borough 'Narnia'"):
        London.load(short)
    with pytest.raises(ValueError, match="h3_resolution"):
        London.load(h3_resolution=16)


def test_boundary_points_get_the_exact_answer(london: London, london_full: London) -> None:
    """Every vertex of every boundary (points exactly on a boundary): raster == polygons.

    A shared boundary belongs to the borough with the lower GSS code, in both forms of locate.
    """
    for city in (london, london_full):
        xy = shapely.get_coordinates([b.geometry for b in city.boroughs])[::3]
        names, _ = city.locate_many(xy[:, 1], xy[:, 0])
        assert np.all(names != "")
        points = shapely.points(xy)
        expected = np.full(len(xy), "", dtype=object)
        for borough in reversed(city.boroughs):  # sorted by GSS code: the lowest is written last
            expected[shapely.intersects(borough.geometry, points)] = borough.name
        assert np.array_equal(names, expected)
        for (lon, lat), name in list(zip(xy, names, strict=True))[::20]:
            found = city.locate(lat, lon)
            assert found is not None and found.borough == name
