"""The H3 hex grid used to aggregate demand (resolution 8 by default: cells of ~0.74 km²)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import h3
import numpy as np
import shapely

if TYPE_CHECKING:
    from geodata.london import London


def hex_of(lat: float, lon: float, resolution: int) -> str:
    """The H3 cell holding a point."""
    return str(h3.latlng_to_cell(lat, lon, resolution))


def hex_polygon(cell: str) -> shapely.Polygon:
    """A cell's outline as a shapely polygon in (lon, lat)."""
    return shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)])


def covering_hexes(london: London, resolution: int) -> dict[str, str]:
    """Every cell that overlaps London, mapped to a borough.

    A cell whose centre is in London belongs to that borough; a cell on the edge whose
    centre falls outside belongs to the borough it overlaps most, so demand near the
    boundary is never dropped.
    """
    outline = london.outline
    shape = h3.geo_to_h3shape(shapely.geometry.mapping(outline))
    cells = sorted(h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap"))
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    names, _ = london.locate_many(centres[:, 0], centres[:, 1])
    result: dict[str, str] = {}
    for cell, name in zip(cells, names, strict=True):
        result[cell] = str(name) if name else _largest_overlap(london, cell)
    return {cell: name for cell, name in result.items() if name}


def _largest_overlap(london: London, cell: str) -> str:
    polygon = hex_polygon(cell)
    areas = [(b.geometry.intersection(polygon).area, b.name) for b in london.boroughs]
    area, name = max(areas)
    return name if area > 0 else ""
