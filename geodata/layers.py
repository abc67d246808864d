"""GeoJSON FeatureCollections (WGS84) for the map layers.

Coordinates are rounded to 5 decimals (about 1 m) to keep what the browser downloads small.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geodata.hexgrid import hex_polygon
from geodata.london import London

FeatureCollection = dict[str, Any]


def _geometry(geometry: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(shapely.set_precision(geometry, 1e-5)))


def _collection(features: list[dict[str, Any]]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": features}


def boroughs_geojson(london: London) -> FeatureCollection:
    """The 33 boroughs with name, gss_code, bcu (None for the City) and met."""
    return _collection(
        [
            {
                "type": "Feature",
                "id": b.info.gss_code,
                "properties": {
                    "name": b.name,
                    "gss_code": b.info.gss_code,
                    "bcu": b.info.bcu,
                    "met": b.info.met,
                },
                "geometry": _geometry(b.geometry),
            }
            for b in london.boroughs
        ]
    )


def bcus_geojson(london: London) -> FeatureCollection:
    """The 12 BCUs as dissolved outlines with code, name, boroughs and a label point."""
    features = []
    for bcu in london.bcus:
        label = bcu.geometry.representative_point()
        features.append(
            {
                "type": "Feature",
                "id": bcu.code,
                "properties": {
                    "code": bcu.code,
                    "name": bcu.info.name,
                    "boroughs": list(bcu.info.boroughs),
                    "label": [round(label.y, 5), round(label.x, 5)],
                },
                "geometry": _geometry(bcu.geometry),
            }
        )
    return _collection(features)


def hexes_geojson(values: Mapping[str, float], london: London) -> FeatureCollection:
    """H3 cells with a value each (e.g. open incidents), with the borough each belongs to."""
    hexes = london.hexes
    return _collection(
        [
            {
                "type": "Feature",
                "id": cell,
                "properties": {"hex": cell, "value": value, "borough": hexes.get(cell)},
                "geometry": _geometry(hex_polygon(cell)),
            }
            for cell, value in sorted(values.items())
        ]
    )
