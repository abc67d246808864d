"""The map of London: vector layers that work with no tile server, tiles when configured."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl

from dashboard import ids
from dashboard.settings import ScreenSettings
from geodata import London
from geodata.layers import bcus_geojson, boroughs_geojson
from geodata.places import ATTRIBUTION as PLACES_ATTRIBUTION
from geodata.places import places_geojson

LONDON_CENTRE = (51.4975, -0.1357)
OGL = (
    "Boundaries: contains National Statistics and OS data © Crown copyright and database "
    "right; Open Government Licence v3.0"
)


def _js(name: str) -> dict[str, str]:
    """A reference to a function in dashboard/assets/js/layers.js (window.bluelamp.map)."""
    return {"variable": f"bluelamp.map.{name}"}


def bcu_labels(bcus: dict[str, Any]) -> dict[str, Any]:
    """One point per BCU at a spot inside it, carrying the code to print there."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f["properties"]["code"],
                "properties": {"code": f["properties"]["code"], "name": f["properties"]["name"]},
                "geometry": {"type": "Point", "coordinates": f["properties"]["label"][::-1]},
            }
            for f in bcus["features"]
        ],
    }


def london_map(
    settings: ScreenSettings, london: London, map_id: str = ids.MAP, *, fit_london: bool = True
) -> dl.Map:
    """Boroughs and BCU outlines drawn on canvas and styled in the browser from ``hideout``.

    Layers stay mounted: pages change what they show by setting ``hideout`` (e.g.
    ``{"bcu": "AW"}`` to pick out one BCU), never by rebuilding the data. The live layers
    (incidents, units, demand by hex) are added to the same Leaflet map by
    ``assets/js/livelayers.js`` and updated there, frame by frame. ``map_id`` names the map and
    prefixes its layers' ids (one page may not reuse another's ids). ``fit_london`` fits the
    view to London when the boroughs land; a page that frames the view itself (the
    inspector's BCU) turns it off, or the boroughs' fit, which dash-leaflet may repeat on a
    later render, would take the view back to all London.
    """
    bcus = bcus_geojson(london)
    hideout = {"tiles": bool(settings.tile_url), "bcu": None}
    layers: list[Any] = []
    if settings.tile_url:
        layers.append(
            dl.TileLayer(
                id=f"{map_id}-tiles", url=settings.tile_url, attribution=settings.tile_attribution
            )
        )
    layers += [
        dl.GeoJSON(
            id=f"{map_id}-boroughs",
            data=boroughs_geojson(london),
            style=_js("boroughStyle"),
            onEachFeature=_js("boroughTooltip"),
            hideout=hideout,
            zoomToBounds=fit_london,  # fills a desk monitor or a 4K wall alike
        ),
        dl.GeoJSON(
            id=f"{map_id}-bcus",
            data=bcus,
            style=_js("bcuStyle"),
            hideout=hideout,
            interactive=False,
        ),
        # Place names (GeoNames), shown by zoom in CSS (bl-zoom-N on the map): with tiles
        # the tiles name places themselves.
        *(
            []
            if settings.tile_url
            else [
                dl.GeoJSON(
                    id=f"{map_id}-places",
                    data=places_geojson(),
                    pointToLayer=_js("placeLabel"),
                    interactive=False,
                )
            ]
        ),
        dl.GeoJSON(
            id=f"{map_id}-bcu-labels",
            data=bcu_labels(bcus),
            pointToLayer=_js("bcuLabel"),
            interactive=False,
        ),
        # GeoJSON layers carry no attribution of their own: the OGL notice goes in the prefix.
        dl.AttributionControl(
            prefix=f"Leaflet | {OGL}" + ("" if settings.tile_url else f" | {PLACES_ATTRIBUTION}"),
            position="bottomright",
        ),
    ]
    return dl.Map(
        id=map_id,
        children=layers,
        center=LONDON_CENTRE,
        zoom=10,
        minZoom=8,
        maxZoom=18,
        zoomSnap=0.25,
        # Canvas, not one SVG element per shape: the incident and unit layers that join
        # these later number in the thousands, and as many SVG elements slow every pan.
        preferCanvas=True,
        attributionControl=False,
        className="bl-map",
        style={"width": "100%", "height": "100%"},
    )
