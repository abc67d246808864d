"""A lat/lon raster that answers "which borough?" for most points without a polygon test.

Each cell of a regular grid over London's bounding box holds the index of the one borough
that contains all of it, ``OUTSIDE`` when no borough touches it, or ``MIXED`` when a borough
boundary passes through it. Only points in mixed cells need an exact polygon test.

The build never tests a cell's box against a polygon (slow on the 45,856-vertex full
resolution boundaries). Instead every boundary segment is cut into pieces shorter than half
a cell and the cells under each piece's bounding box are marked mixed; any other cell holds
no boundary point, so the borough holding its centre holds all of it. Points are mapped to
cells by the same ``floor`` formula in the build and in the lookup, so a point on a
boundary always lands in a mixed cell and the answers equal a plain point-in-polygon test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

OUTSIDE = -1
MIXED = -2
# Widens each boundary piece's box so rounding in the cutting never leaves a boundary point
# outside the cells marked mixed (coordinates carry ~1e-14° of rounding error).
_SLACK_DEG = 1e-9

IntArray = NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Raster:
    south: float
    west: float
    cell_deg: float
    codes: NDArray[np.int16]  # (rows, cols): borough index, OUTSIDE or MIXED

    @classmethod
    def build(cls, geometries: Sequence[BaseGeometry], cell_deg: float) -> Raster:
        """The raster of these valid, polygonal, prepared geometries (indexes in this order)."""
        west, south, east, north = (float(v) for v in shapely.total_bounds(geometries))
        rows = math.ceil((north - south) / cell_deg) + 1
        cols = math.ceil((east - west) / cell_deg) + 1
        raster = cls(south, west, cell_deg, np.full((rows, cols), OUTSIDE, dtype=np.int16))
        codes = raster.codes
        r, c = raster._boundary_cells(geometries)
        codes[r, c] = MIXED
        free = np.flatnonzero(codes.ravel() != MIXED)
        free_rows, free_cols = np.divmod(free, cols)
        codes.ravel()[free] = exact_codes(
            geometries,
            west + (free_cols + 0.5) * cell_deg,
            south + (free_rows + 0.5) * cell_deg,
        )
        return raster

    def cell(self, lat: float, lon: float) -> int:
        """The code of the cell holding one point (OUTSIDE beyond the grid or for NaN)."""
        row = (lat - self.south) / self.cell_deg
        col = (lon - self.west) / self.cell_deg
        rows, cols = self.codes.shape
        if 0.0 <= row < rows and 0.0 <= col < cols:  # False for NaN
            return int(self.codes[math.floor(row), math.floor(col)])
        return OUTSIDE

    def cells(self, lats: NDArray[np.float64], lons: NDArray[np.float64]) -> IntArray:
        """Vectorised :meth:`cell`."""
        rows = np.floor((lats - self.south) / self.cell_deg)
        cols = np.floor((lons - self.west) / self.cell_deg)
        n_rows, n_cols = self.codes.shape
        inside = (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
        codes = np.full(lats.shape, OUTSIDE, dtype=np.intp)
        codes[inside] = self.codes[rows[inside].astype(np.intp), cols[inside].astype(np.intp)]
        return codes

    @property
    def mixed_share(self) -> float:
        """The share of cells that need an exact test (of those touching London)."""
        touching = int(np.count_nonzero(self.codes != OUTSIDE)) or 1
        return int(np.count_nonzero(self.codes == MIXED)) / touching

    def _boundary_cells(self, geometries: Sequence[BaseGeometry]) -> tuple[IntArray, IntArray]:
        """Row and column of every cell a boundary passes through (and a few neighbours)."""
        rings = shapely.get_rings(shapely.get_parts(np.asarray(geometries, dtype=object)))
        xy, ring = shapely.get_coordinates(rings, return_index=True)
        same_ring = ring[1:] == ring[:-1]
        start, end = xy[:-1][same_ring], xy[1:][same_ring]
        pieces = np.maximum(1, np.ceil(np.abs(end - start).max(axis=1) / (self.cell_deg / 2)))
        pieces = pieces.astype(np.intp)
        segment = np.repeat(np.arange(len(start)), pieces)
        k = np.arange(len(segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        step = (end - start)[segment] / pieces[segment, None]
        p0 = start[segment] + step * k[:, None]
        p1 = start[segment] + step * (k + 1)[:, None]
        low = np.minimum(p0, p1) - _SLACK_DEG
        high = np.maximum(p0, p1) + _SLACK_DEG
        origin = np.array([self.west, self.south])
        # Each piece spans at most two cells a side, so its box's four corner cells cover it.
        c0, r0 = np.floor((low - origin) / self.cell_deg).astype(np.intp).T
        c1, r1 = np.floor((high - origin) / self.cell_deg).astype(np.intp).T
        rows = np.clip(np.concatenate([r0, r0, r1, r1]), 0, self.codes.shape[0] - 1)
        cols = np.clip(np.concatenate([c0, c1, c0, c1]), 0, self.codes.shape[1] - 1)
        return rows, cols


def exact_codes(
    geometries: Sequence[BaseGeometry], lons: NDArray[np.float64], lats: NDArray[np.float64]
) -> IntArray:
    """The index of the geometry holding each point, exactly; OUTSIDE where none does.

    Neighbouring boroughs share their boundary, so a point on it intersects both: the lowest
    index (the lower GSS code) wins, the same rule as :meth:`London.locate`. Prepared
    polygons answer ``intersects_xy`` fast; a plain STRtree predicate query would not use them.
    """
    codes = np.full(lons.shape, OUTSIDE, dtype=np.intp)
    bounds = shapely.bounds(np.asarray(geometries, dtype=object))
    for index in range(len(geometries) - 1, -1, -1):  # the lowest index is written last
        west, south, east, north = bounds[index]
        near = np.flatnonzero((lons >= west) & (lons <= east) & (lats >= south) & (lats <= north))
        if len(near):
            inside = shapely.intersects_xy(geometries[index], lons[near], lats[near])
            codes[near[inside]] = index
    return codes
