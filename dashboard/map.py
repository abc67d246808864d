"""The map of London: vector layers that work with no tile server, tiles when configured."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl

from dashboard import ids
from geodata import London
from geodata.layers import bcus_geojson, boroughs_geojson
from stream.settings import Settings

LONDON_CENTRE = (51.4975, -0.1357)
OGL = (
    "Boundaries: Contains National Statistics and OS data © Crown copyright and database "
    "right; Open Government Licence v3.0"
)


def _js(name: str) -> dict[str, str]:
    """A reference to a function in dashboard/assets/bluelamp-map.js (window.bluelamp.map)."""
    return {"variable": f"bluelamp.map.{name}"}


def london_map(settings: Settings, london: London, **style: Any) -> dl.Map:
    """Boroughs and BCU outlines, styled in the browser; a tile layer only if configured."""
    bcus = bcus_geojson(london)
    labels = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": f["properties"]["code"], "name": f["properties"]["name"]},
                "geometry": {"type": "Point", "coordinates": f["properties"]["label"][::-1]},
            }
            for f in bcus["features"]
        ],
    }
    layers: list[Any] = []
    if settings.tile_url:
        layers.append(
            dl.TileLayer(id=ids.TILES, url=settings.tile_url, attribution=settings.tile_attribution)
        )
    layers += [
        dl.GeoJSON(
            id=ids.BOROUGHS,
            data=boroughs_geojson(london),
            style=_js("boroughStyle"),
            onEachFeature=_js("boroughTooltip"),
            zoomToBounds=True,
            hideout={"tiles": bool(settings.tile_url)},
        ),
        dl.GeoJSON(id=ids.BCUS, data=bcus, style=_js("bcuStyle"), interactive=False),
        dl.GeoJSON(id=ids.BCU_LABELS, data=labels, pointToLayer=_js("bcuLabel"), interactive=False),
        # GeoJSON layers carry no attribution of their own: the OGL notice goes in the prefix.
        dl.AttributionControl(prefix=f"Leaflet | {OGL}", position="bottomright"),
    ]
    return dl.Map(
        id=ids.MAP,
        children=layers,
        center=LONDON_CENTRE,
        zoom=10,
        minZoom=8,
        maxZoom=18,
        zoomSnap=0.25,
        preferCanvas=False,
        attributionControl=False,
        className="bl-map",
        style={"width": "100%", "height": "100%", **style},
    )
