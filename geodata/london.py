"""London loaded once: borough and BCU shapes, and fast point lookup.

``locate`` runs on every AVL ping in the ingest hot path, so it avoids polygon tests for
almost every point: a lat/lon raster over London (geodata/raster.py) records, per ~100 m
cell, the one borough that wholly contains it, "outside" when it touches no borough, or
"mixed" for cells a boundary passes through. Only points in mixed cells are tested against
the polygons, exactly, so answers equal a plain point-in-polygon test wherever a borough
holds the point.

Simplified boundaries leave the Thames (and slivers between neighbours) outside every
borough, yet a unit crossing a bridge is in London. So gaps narrower than about a kilometre
are closed (a morphological closing of the boroughs' union by ``GAP_DEG``) and a point in
that "water" belongs to the nearest borough. London's outer edge moves by at most that
much where it is concave; it never moves outward where it is straight or convex.
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

from geodata.bcu import BCUS, BOROUGH_BY_GSS, BcuInfo, BoroughInfo, borough_named
from geodata.raster import MIXED, OUTSIDE, Raster, exact_codes

SHIPPED = Path(__file__).with_name("data") / "london_boroughs.geojson"
# Raster cell: ~111 m north-south, ~69 m east-west at London's latitude. About 5% of the
# cells touching London lie on a boundary; the raster is ~0.7 MB.
CELL_DEG = 0.001
# Closing radius: ~560 m east-west, ~890 m north-south. The shipped boundaries leave the
# Thames up to ~0.006 degrees from the nearest borough.
GAP_DEG = 0.008


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
    """One of the 33 boroughs: its facts (geodata/bcu.py) and its shape (lon/lat, WGS84)."""

    info: BoroughInfo
    geometry: BaseGeometry

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def gss_code(self) -> str:
        return self.info.gss_code

    @property
    def bcu(self) -> str | None:
        return self.info.bcu

    @property
    def met(self) -> bool:
        return self.info.met


@dataclass(frozen=True)
class Bcu:
    """One of the 12 Met BCUs with its boroughs dissolved into one shape."""

    info: BcuInfo
    geometry: BaseGeometry

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def boroughs(self) -> tuple[str, ...]:
        return self.info.boroughs


@dataclass
class London:
    """The 33 boroughs (32 + the City of London), the 12 BCUs, and point lookup.

    Build it once (``London.load``) and share it: lookups only read it.
    """

    boroughs: tuple[Borough, ...]
    h3_resolution: int = 8
    source: str = "shipped"
    _raster: Raster = field(init=False, repr=False)
    _tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.h3_resolution <= 15:
            raise ValueError(f"h3_resolution must be 0-15 (H3), not {self.h3_resolution}")
        self._geometries = [b.geometry for b in self.boroughs]
        for geometry in self._geometries:
            shapely.prepare(geometry)
        self._tree = shapely.STRtree(self._geometries)
        self._names = np.array([b.name for b in self.boroughs] + [""], dtype=object)
        self._bcus = np.array([b.info.bcu or "" for b in self.boroughs] + [""], dtype=object)
        self._locations = [Location(b.name, b.info.bcu) for b in self.boroughs]
        self._water = _water(self._geometries)
        self._water_code = len(self._geometries)
        # The water is one more area in the raster, so most points need no polygon test.
        self._raster = Raster.build([*self._geometries, self._water], CELL_DEG)

    @classmethod
    def load(cls, boundaries: Path | str | None = None, h3_resolution: int = 8) -> London:
        """Load the shipped simplified boroughs, or a London Datastore borough GeoJSON.

        The file is read with json + shapely (no GDAL, so no object-size limit). Each
        feature needs ``gss_code`` (E09...) or a recognisable ``name``.
        """
        path = Path(boundaries) if boundaries else SHIPPED
        try:
            collection = json.loads(path.read_text())
            features = collection["features"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a GeoJSON FeatureCollection ({error})") from None
        boroughs = [_borough(f, path) for f in features]
        names = {b.name for b in boroughs}
        if len(names) != 33 or len(boroughs) != 33:
            raise ValueError(
                f"{path}: expected the 33 London boroughs once each, found {len(boroughs)} "
                f"features naming {len(names)} boroughs"
            )
        source = "shipped" if path == SHIPPED else str(path)
        return cls(tuple(sorted(boroughs, key=lambda b: b.gss_code)), h3_resolution, source)

    # -- lookup -------------------------------------------------------------------------

    def locate(self, lat: float, lon: float) -> Location | None:
        """The borough and BCU at a point, or None outside London (or for NaN)."""
        code = self._raster.cell(lat, lon)
        if code == MIXED:
            code = self._exact(lat, lon)
        if code == OUTSIDE:
            return None
        if code == self._water_code:
            code = self._nearest(lon, lat)
        return self._locations[code]

    def _exact(self, lat: float, lon: float) -> int:
        for index in sorted(int(i) for i in self._tree.query(shapely.Point(lon, lat))):
            # The tree matched bounding boxes; the prepared polygon decides.
            if shapely.intersects_xy(self._geometries[index], lon, lat):
                return index
        if shapely.intersects_xy(self._water, lon, lat):
            return self._water_code
        return OUTSIDE

    def _nearest(self, lon: float, lat: float) -> int:
        """The borough nearest a point in the water (the lowest index on a tie)."""
        return int(min(self._tree.query_nearest(shapely.Point(lon, lat), all_matches=True)))

    def locate_many(
        self, lats: NDArray[np.floating[Any]], lons: NDArray[np.floating[Any]]
    ) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
        """Vectorised :meth:`locate`: borough names and BCU codes ("" outside / City)."""
        y = np.asarray(lats, dtype=np.float64)
        x = np.asarray(lons, dtype=np.float64)
        if y.shape != x.shape:
            raise ValueError(f"lats {y.shape} and lons {x.shape} differ in shape")
        index = self._indexes(y, x)
        return self._names[index], self._bcus[index]

    def _indexes(self, lats: NDArray[np.float64], lons: NDArray[np.float64]) -> NDArray[np.intp]:
        codes = self._raster.cells(lats, lons)
        flat = codes.reshape(-1)  # a view: writing to it writes to codes
        mixed = np.flatnonzero(flat == MIXED)
        if len(mixed):
            flat[mixed] = exact_codes(
                [*self._geometries, self._water], lons.reshape(-1)[mixed], lats.reshape(-1)[mixed]
            )
        wet = np.flatnonzero(flat == self._water_code)
        if len(wet):
            points = shapely.points(lons.reshape(-1)[wet], lats.reshape(-1)[wet])
            which, nearest = self._tree.query_nearest(points, all_matches=True)
            # On a tie the lowest index wins, as in _nearest: write the lowest last.
            order = np.lexsort((-nearest, which))
            flat[wet[which[order]]] = nearest[order]
        flat[flat == OUTSIDE] = len(self.boroughs)
        return codes

    @property
    def raster_mixed_share(self) -> float:
        """The share of raster cells touching London that need an exact polygon test."""
        return self._raster.mixed_share

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


def _borough(feature: Any, path: Path) -> Borough:
    if not isinstance(feature, dict):
        raise ValueError(f"{path}: a feature is {type(feature).__name__}, not a GeoJSON object")
    props = feature.get("properties") or {}
    name = props.get("name") or feature.get("id") or ""
    info = BOROUGH_BY_GSS.get(props.get("gss_code") or "") or borough_named(str(name))
    if info is None:
        raise ValueError(f"{path}: unknown borough {name!r} (gss_code {props.get('gss_code')})")
    if feature.get("geometry") is None:
        raise ValueError(f"{path}: borough {info.name} has no geometry")
    # "structure" repair drops the slivers that collapse to lines in the simplified source.
    geometry = shapely.make_valid(
        shape(feature["geometry"]), method="structure", keep_collapsed=False
    )
    return Borough(info, geometry)


def _water(geometries: list[BaseGeometry]) -> BaseGeometry:
    """What closing the boroughs' union adds: the Thames and slivers between boroughs."""
    union = shapely.union_all(geometries)
    water = union.buffer(GAP_DEG).buffer(-GAP_DEG).difference(union)
    shapely.prepare(water)
    return water
