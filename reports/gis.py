"""Incidents and demand for a period as layers for a GIS: GeoJSON or GeoPackage (EPSG:4326).

* ``incidents``: a point per incident created in the period, with every column of the
  reports' read model as its properties (a column added there comes through by itself),
  placed where its ``incident.created`` event put it (the read model's ``lat``/``lon``).
* ``demand``: a polygon per borough (or BCU) with the period's incidents counted, in all
  and by grade at creation.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from geodata import London
from reports import data, words
from reports.model import Filters, Period

GIS_FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}
LAYERS = ("incidents", "demand")
AREAS = ("borough", "bcu")
GRADES = ("I", "S", "E", "R")
CRS = "EPSG:4326"


def incidents(engine: Engine, period: Period, filters: Filters) -> gpd.GeoDataFrame:
    frame = data.incidents(engine, period, filters)
    for column in frame.columns:
        if column in words.CODED:
            frame[column] = frame[column].map(lambda v, c=column: words.value(c, v))
    points = gpd.points_from_xy(frame["lon"], frame["lat"])
    return gpd.GeoDataFrame(frame, geometry=points, crs=CRS)


def demand(
    engine: Engine, london: London, period: Period, filters: Filters, by: str = "borough"
) -> gpd.GeoDataFrame:
    if by not in AREAS:
        raise ValueError(f"demand is by one of {', '.join(AREAS)}, not {by!r}")
    counted = data.counts(engine, period, filters, [by, "initial_grade"])
    grades = (
        counted.groupby([by, "initial_grade"])["n"]
        .sum()
        .unstack(fill_value=0)
        .reindex(columns=list(GRADES), fill_value=0)
    )
    if by == "borough":
        areas = [
            {"borough": b.name, "bcu": b.bcu or "", "gss_code": b.gss_code, "geometry": b.geometry}
            for b in london.boroughs
            if b.met
            and (not filters.bcu or b.bcu in filters.bcu)
            and (not filters.borough or b.name in filters.borough)
        ]
    else:
        areas = [
            {"bcu": b.code, "name": b.name, "geometry": b.geometry}
            for b in london.bcus
            if not filters.bcu or b.code in filters.bcu
        ]
    frame = gpd.GeoDataFrame(areas, geometry="geometry", crs=CRS)
    counts = grades.reindex(frame[by]).fillna(0).astype(int).reset_index(drop=True)
    frame["incidents"] = counts.sum(axis=1).to_numpy()
    for grade in GRADES:
        frame[f"grade_{grade}"] = counts[grade].to_numpy()
    return frame


def render(frame: gpd.GeoDataFrame, fmt: str, layer: str) -> tuple[bytes, str]:
    """The layer's bytes and media type."""
    if fmt == "geojson":
        plain = frame.copy()
        for column in plain.columns:  # GeoJSON has no time type: RFC 3339 text
            if pd.api.types.is_datetime64_any_dtype(plain[column]):
                plain[column] = plain[column].map(_iso)
        return plain.to_json(na="null", drop_id=True).encode(), GIS_FORMATS[fmt][0]
    if fmt == "gpkg":
        # GDAL writes a GeoPackage to a file (it is an SQLite database).
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, f"{layer}.gpkg")
            frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
            with open(path, "rb") as file:
                return file.read(), GIS_FORMATS[fmt][0]
    raise ValueError(f"unknown format {fmt!r}")


def _iso(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).isoformat()
