"""Exports over the API: file names with the whole period, and the GIS layers (GeoJSON and
GeoPackage, read back with geopandas and compared with the raw events)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import geopandas as gpd
import httpx
import pytest

from tests.api.conftest import Api
from tests.reports.report_day import DAY, Day, scripted
from tests.stream.factories import london


@pytest.fixture(scope="module")
def script(api: Api) -> Day:
    day = scripted(seed=29)
    events = day.ordered()
    for start in range(0, len(events), 200):
        api.push(*events[start : start + 200])
    return day


def _filename(answer: httpx.Response) -> str:
    found = re.search(r'filename="([^"]+)"', answer.headers["content-disposition"])
    assert found, answer.headers
    return found.group(1)


def test_a_download_is_named_for_its_whole_period(api: Api, script: Day) -> None:
    with api.client("plan") as planner:
        answer = planner.get(
            "/api/reports/demand", params={"from": "2026-11-12", "to": DAY, "format": "xlsx"}
        )
        assert answer.status_code == 200, answer.text
        assert _filename(answer) == "bluelamp-demand-2026-11-12-to-2026-11-18.xlsx"
        answer = planner.get(
            "/api/reports/response", params={"from": DAY, "to": DAY, "format": "pdf"}
        )
        assert _filename(answer) == "bluelamp-response-2026-11-18.pdf"


def _created(script: Day) -> dict[str, dict[str, object]]:
    return {
        e["data"]["incident_id"]: e["data"]
        for e in script.ordered()
        if e["type"] == "incident.created"
    }


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_incidents_as_points_for_a_gis(api: Api, script: Day, fmt: str, tmp_path: Path) -> None:
    with api.client("plan") as planner:
        answer = planner.get(
            "/api/exports/incidents", params={"from": DAY, "to": DAY, "format": fmt}
        )
    assert answer.status_code == 200, answer.text
    assert _filename(answer) == f"bluelamp-incidents-2026-11-18.{fmt}"
    path = tmp_path / f"incidents.{fmt}"
    path.write_bytes(answer.content)
    layer = gpd.read_file(path)
    assert layer.crs is not None and layer.crs.to_epsg() == 4326
    created = _created(script)
    assert set(layer["incident_id"]) == set(created)
    for row in layer.itertuples():
        raw = created[row.incident_id]
        assert (row.geometry.y, row.geometry.x) == pytest.approx((raw["lat"], raw["lon"]))
        assert row.initial_grade == raw["grade"]
        assert row.category == str(raw["category"]).replace("_", " ")
    # Every column of the read model is a property (new ones come through by themselves).
    assert {"created_at", "arrived_at", "closed_at", "bcu", "borough", "first_unit"} <= set(
        layer.columns
    )
    if fmt == "geojson":
        assert json.loads(answer.content)["type"] == "FeatureCollection"
    entry = api.audit(actor="plan", action="report.export")[0]
    assert entry["target"] == "incidents" and entry["detail"]["format"] == fmt


def test_demand_by_borough_and_bcu_as_polygons(api: Api, script: Day, tmp_path: Path) -> None:
    where = Counter()
    for raw in _created(script).values():
        place = london().locate(float(raw["lat"]), float(raw["lon"]))  # type: ignore[arg-type]
        assert place is not None
        where[place.borough, place.bcu] += 1
    with api.client("chief") as chief:
        boroughs = chief.get(
            "/api/exports/demand", params={"from": DAY, "to": DAY, "format": "gpkg"}
        )
        bcus = chief.get(
            "/api/exports/demand",
            params={"from": DAY, "to": DAY, "format": "geojson", "by": "bcu"},
        )
    assert _filename(boroughs) == "bluelamp-demand-by-borough-2026-11-18.gpkg"
    path = tmp_path / "demand.gpkg"
    path.write_bytes(boroughs.content)
    layer = gpd.read_file(path)
    assert len(layer) == 32 and layer.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    counted = {b: n for b, n in zip(layer["borough"], layer["incidents"], strict=True) if n}
    assert counted == {borough: n for (borough, _), n in where.items()}
    by_bcu = gpd.read_file(io.BytesIO(bcus.content))
    assert len(by_bcu) == 12
    expected: Counter[str] = Counter()
    for (_, bcu), n in where.items():
        expected[bcu] += n
    assert {b: n for b, n in zip(by_bcu["bcu"], by_bcu["incidents"], strict=True) if n} == dict(
        expected
    )
    assert (by_bcu[[f"grade_{g}" for g in "ISER"]].sum(axis=1) == by_bcu["incidents"]).all()


def test_gis_exports_are_for_planners_and_commanders(api: Api) -> None:
    params = {"from": DAY, "to": DAY, "format": "geojson"}
    for user in ("insp_aw", "feed"):
        with api.client(user) as other:
            assert other.get("/api/exports/incidents", params=params).status_code == 403
    assert httpx.get(f"{api.url}/api/exports/incidents", params=params).status_code == 401
    with api.client("plan") as planner:
        assert planner.get("/api/exports/nothing", params=params).status_code == 404
        bad = planner.get("/api/exports/demand", params={**params, "to": "2026-11-01"})
        assert bad.status_code == 422 and "before" in bad.json()["detail"]
        wrong = planner.get("/api/exports/demand", params={**params, "format": "shp"})
        assert wrong.status_code == 422
