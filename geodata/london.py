"""London loaded once: borough and BCU shapes, and fast point lookup.

``locate`` runs on every AVL ping in the ingest hot path, so it avoids polygon tests for
almost every point: a lat/lon raster over London (about 150 m cells) records, per cell,
the one borough that wholly contains it, "outside" when it touches no borough, or "mixed"
for cells on a boundary. Only points in mixed cells are tested against the polygons,
exactly, so answers equal a plain point-in-polygon test everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geodata.bcu import BCUS, BOROUGH_BY_GSS, BOROUGH_BY_NAME, BcuInfo, BoroughInfo

SHIPPED = Path(__file__).with_name("data") / "london_boroughs.geojson"
_OUTSIDE = -1
_MIXED = -2
_CELL_DEG = 0.0015  # raster cell: ~167 m north-south, ~104 m east-west at London's latitude


@dataclass(frozen=True, slots=True)
class Location:
    """Where a point in London is. ``bcu`` is None only in the City of London."""

    borough: str
    bcu: str | None

    @property
    def met(self) -> bool:
        return self.bcu is not None


@dataclass(frozen=True)
class Borough:
    info: BoroughInfo
    geometry: BaseGeometry

    @property
    def name(self) -> str:
        return self.info.name


@dataclass(frozen=True)
class Bcu:
    info: BcuInfo
    geometry: BaseGeometry

    @property
    def code(self) -> str:
        return self.info.code


@dataclass
class London:
    """The 33 boroughs (32 + the City of London), the 12 BCUs, and point lookup."""

    boroughs: tuple[Borough, ...]
    h3_resolution: int = 8
    source: str = "shipped"
    _grid: NDArray[np.int16] = field(init=False, repr=False)
    _origin: tuple[float, float] = field(init=False, repr=False)
    _tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        geometries = [b.geometry for b in self.boroughs]
        for geometry in geometries:
            shapely.prepare(geometry)
        self._tree = shapely.STRtree(geometries)
        self._names = np.array([b.name for b in self.boroughs] + [""], dtype=object)
        self._bcus = np.array([b.info.bcu or "" for b in self.boroughs] + [""], dtype=object)
        self._locations = [Location(b.name, b.info.bcu) for b in self.boroughs]
        self._build_grid()

    @classmethod
    def load(cls, boundaries: Path | str | None = None, h3_resolution: int = 8) -> London:
        """Load the shipped simplified boroughs, or a London Datastore borough GeoJSON."""
        path = Path(boundaries) if boundaries else SHIPPED
        collection = json.loads(path.read_text())
        boroughs = tuple(_borough(f) for f in collection["features"])
        names = sorted(b.name for b in boroughs)
        if len(set(names)) != 33:
            raise ValueError(f"{path}: expected the 33 London boroughs, found {len(set(names))}")
        source = "shipped" if path == SHIPPED else str(path)
        return cls(tuple(sorted(boroughs, key=lambda b: b.info.gss_code)), h3_resolution, source)

    # -- lookup -------------------------------------------------------------------------

    def locate(self, lat: float, lon: float) -> Location | None:
        """The borough and BCU at a point, or None outside London."""
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):  # also catches NaN
            return None
        row = int((lat - self._origin[0]) / _CELL_DEG)
        col = int((lon - self._origin[1]) / _CELL_DEG)
        if 0 <= row < self._grid.shape[0] and 0 <= col < self._grid.shape[1]:
            code = int(self._grid[row, col])
            if code >= 0:
                return self._locations[code]
            if code == _OUTSIDE:
                return None
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self._locations[int(hits.min())] if len(hits) else None

    def locate_many(
        self, lats: NDArray[np.floating[Any]], lons: NDArray[np.floating[Any]]
    ) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
        """Vectorised :meth:`locate`: borough names and BCU codes ("" outside / City)."""
        index = self._indexes(np.asarray(lats, dtype=np.float64), np.asarray(lons, np.float64))
        return self._names[index], self._bcus[index]

    def _indexes(self, lats: NDArray[np.float64], lons: NDArray[np.float64]) -> NDArray[np.intp]:
        rows = np.floor((lats - self._origin[0]) / _CELL_DEG)
        cols = np.floor((lons - self._origin[1]) / _CELL_DEG)
        inside = (rows >= 0) & (rows < self._grid.shape[0]) & (cols >= 0)
        inside &= cols < self._grid.shape[1]
        codes = np.full(lats.shape, _OUTSIDE, dtype=np.intp)
        codes[inside] = self._grid[rows[inside].astype(np.intp), cols[inside].astype(np.intp)]
        mixed = np.flatnonzero(codes == _MIXED)
        if len(mixed):
            codes[mixed] = _OUTSIDE
            points = shapely.points(lons[mixed], lats[mixed])
            found, borough = self._tree.query(points, predicate="intersects")
            # Several boroughs can touch a boundary point: keep the lowest index, as locate does.
            order = np.lexsort((borough, found))
            first = np.unique(found[order], return_index=True)[1]
            codes[mixed[found[order][first]]] = borough[order][first]
        codes[codes == _OUTSIDE] = len(self.boroughs)
        return codes

    def _build_grid(self) -> None:
        west, south, east, north = shapely.total_bounds([b.geometry for b in self.boroughs])
        self._origin = (float(south), float(west))
        rows = int(np.ceil((north - south) / _CELL_DEG)) + 1
        cols = int(np.ceil((east - west) / _CELL_DEG)) + 1
        r, c = np.mgrid[0:rows, 0:cols]
        x0, y0 = west + c.ravel() * _CELL_DEG, south + r.ravel() * _CELL_DEG
        boxes = shapely.box(x0, y0, x0 + _CELL_DEG, y0 + _CELL_DEG)
        grid = np.full(rows * cols, _OUTSIDE, dtype=np.int16)
        cell, _ = self._tree.query(boxes, predicate="intersects")
        grid[np.unique(cell)] = _MIXED
        cell, borough = self._tree.query(boxes, predicate="within")
        grid[cell] = borough
        self._grid = grid.reshape(rows, cols)

    # -- what the rest of the product needs ------------------------------------------

    @cached_property
    def bcus(self) -> tuple[Bcu, ...]:
        """The 12 Met BCUs as dissolved polygons."""
        by_name = {b.name: b.geometry for b in self.boroughs}
        return tuple(
            Bcu(info, shapely.union_all([by_name[n] for n in info.boroughs]).buffer(0))
            for info in BCUS
        )

    @cached_property
    def outline(self) -> BaseGeometry:
        """All of London (the 33 boroughs) as one shape."""
        return shapely.union_all([b.geometry for b in self.boroughs])

    def hex_of(self, lat: float, lon: float) -> str:
        """The H3 cell (at this London's resolution) holding a point."""
        from geodata.hexgrid import hex_of

        return hex_of(lat, lon, self.h3_resolution)

    @cached_property
    def hexes(self) -> dict[str, str]:
        """Every H3 cell covering London, mapped to the borough it mostly lies in."""
        from geodata.hexgrid import covering_hexes

        return covering_hexes(self, self.h3_resolution)


def _borough(feature: dict[str, Any]) -> Borough:
    props = feature["properties"]
    info = BOROUGH_BY_GSS.get(props.get("gss_code", "")) or BOROUGH_BY_NAME.get(props["name"])
    if info is None:
        raise ValueError(f"unknown borough {props.get('name')!r} ({props.get('gss_code')})")
    # "structure" repair drops the slivers that collapse to lines in the simplified source.
    geometry = shapely.make_valid(
        shape(feature["geometry"]), method="structure", keep_collapsed=False
    )
    return Borough(info, geometry)
