"""Estimated blue-light travel times across London.

No road network ships with Bluelamp, so the model works from straight-line distance:

    time = turnout(type) + Σ over zones (length in zone × circuity / speed(zone, hour, type))

- **Circuity** 1.35: London road distance over straight-line distance (typical urban
  detour ratios are 1.3–1.4).
- **Speed by zone**, for a car on blue lights: central London (within 4 km of Charing
  Cross) 28 km/h, the rest of Inner London (within 9.5 km, roughly the ONS Inner London
  boundary) 34 km/h, Outer London 45 km/h. The straight line is split exactly where it
  crosses the zone circles, so a longer journey along the same line never takes less time.
- **Hour of day** (Europe/London): night 0–5 h 25% quicker, the morning (7–9 h) and
  evening (16–18 h) peaks 20% slower, the working day (10–15 h) 10% slower.
- **Unit type**: ARV and traffic cars 10% quicker, a TSG carrier 15% slower; foot and
  cycle patrols move at 5 and 15 km/h whatever the traffic.
- **Turnout**, dispatch to moving: 60 s cars, 90 s dogs, 120 s TSG, 20 s on foot or cycle.

docs/geodata.md compares this with the Met's published response times. A road-network
router would implement :class:`TravelTimeModel` instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_008.8
CHARING_CROSS = (51.5073, -0.1276)  # the traditional centre of London
LONDON = ZoneInfo("Europe/London")
UNIT_TYPES = ("IRV", "ARV", "DOG", "TSG", "TRAFFIC", "FOOT", "CYCLE")
FloatArray = NDArray[np.float64]
#: One coordinate or many: the projection is the same arithmetic on either.
Coordinate = TypeVar("Coordinate", float, FloatArray)

# Metres per degree of latitude, and of longitude at Charing Cross. Within London (±30 km)
# this flat projection is within 0.5% of great-circle distance, and straight lines in it
# are straight lines in lat/lon, which keeps the zone split exact.
_M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(CHARING_CROSS[0]))
#: Points per block in :meth:`CrowFliesModel.seconds_matrix`.
_BLOCK = 32


class TravelTimeModel(Protocol):
    """Seconds for a unit to reach a point once dispatched."""

    def seconds(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        unit_type: str,
        when: datetime,
    ) -> float: ...

    def seconds_many(
        self,
        from_lats: ArrayLike,
        from_lons: ArrayLike,
        to_lat: float,
        to_lon: float,
        unit_types: ArrayLike | str,
        when: datetime,
    ) -> FloatArray: ...

    def seconds_matrix(
        self,
        from_lats: ArrayLike,
        from_lons: ArrayLike,
        to_lats: ArrayLike,
        to_lons: ArrayLike,
        unit_types: ArrayLike | str,
        when: datetime,
    ) -> FloatArray:
        """Seconds for each of many units (rows) to reach each of many points (columns)."""
        ...

    def turnout(self, unit_type: str) -> float:
        """Seconds from dispatch until a unit of this type starts moving (part of seconds)."""
        ...


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (scalars or numpy arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _hour_factors() -> tuple[float, ...]:
    factors = []
    for hour in range(24):
        if hour < 6:
            factors.append(1.25)
        elif 7 <= hour <= 9 or 16 <= hour <= 18:
            factors.append(0.8)
        elif 10 <= hour <= 15:
            factors.append(0.9)
        else:
            factors.append(1.0)
    return tuple(factors)


def _frozen(values: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(values)


def _segment(
    from_lat: Coordinate, from_lon: Coordinate, to_lat: Coordinate, to_lon: Coordinate
) -> tuple[Coordinate, Coordinate, Coordinate, Coordinate]:
    """The journey in metres on the flat projection about Charing Cross: its start A and its
    displacement d (plain floats stay floats: the one-journey path avoids numpy's cost)."""
    ax = (from_lon - CHARING_CROSS[1]) * _M_PER_DEG_LON
    ay = (from_lat - CHARING_CROSS[0]) * _M_PER_DEG_LAT
    dx = (to_lon - CHARING_CROSS[1]) * _M_PER_DEG_LON - ax
    dy = (to_lat - CHARING_CROSS[0]) * _M_PER_DEG_LAT - ay
    return ax, ay, dx, dy


def _share_within(
    ax: FloatArray, ay: FloatArray, dx: FloatArray, dy: FloatArray, radius: float
) -> FloatArray:
    """The share of each segment A + t·d (0 ≤ t ≤ 1) lying within ``radius`` of the origin."""
    a = dx * dx + dy * dy
    b = 2 * (ax * dx + ay * dy)
    c = ax * ax + ay * ay - radius * radius
    disc = b * b - 4 * a * c
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.where(disc > 0, disc, 0.0))
        t1 = np.clip((-b - root) / (2 * a), 0.0, 1.0)
        t2 = np.clip((-b + root) / (2 * a), 0.0, 1.0)
    # A zero-length segment has no length in any zone; one missing the circle has none in it.
    return np.asarray(np.where((disc > 0) & (a > 0), t2 - t1, 0.0), dtype=np.float64)


def _share_within_one(ax: float, ay: float, dx: float, dy: float, radius: float) -> float:
    """:func:`_share_within` for one segment, in plain floats."""
    a = dx * dx + dy * dy
    b = 2 * (ax * dx + ay * dy)
    disc = b * b - 4 * a * (ax * ax + ay * ay - radius * radius)
    if not (disc > 0 and a > 0):  # also False for NaN
        return 0.0
    root = math.sqrt(disc)
    t1 = min(max((-b - root) / (2 * a), 0.0), 1.0)
    t2 = min(max((-b + root) / (2 * a), 0.0), 1.0)
    return t2 - t1


@dataclass(frozen=True)
class CrowFliesModel:
    """The default :class:`TravelTimeModel`: straight-line distance, circuity, zone speeds."""

    circuity: float = 1.35
    central_radius_m: float = 4_000.0
    inner_radius_m: float = 9_500.0  # beyond this from Charing Cross counts as outer London
    zone_kmh: tuple[float, float, float] = (28.0, 34.0, 45.0)  # central, inner, outer
    hour_factor: tuple[float, ...] = field(default_factory=_hour_factors)
    type_factor: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"ARV": 1.1, "TRAFFIC": 1.1, "TSG": 0.85})
    )
    fixed_kmh: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"FOOT": 5.0, "CYCLE": 15.0})
    )
    turnout_s: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"DOG": 90.0, "TSG": 120.0, "FOOT": 20.0, "CYCLE": 20.0})
    )
    default_turnout_s: float = 60.0

    def seconds(
        self,
        from_lat: float,
        from_lon: float,
        to_lat: float,
        to_lon: float,
        unit_type: str,
        when: datetime,
    ) -> float:
        """Seconds from dispatch until a unit at (from_lat, from_lon) reaches (to_lat, to_lon).

        The same sum as :meth:`seconds_many`, in plain floats: numpy costs ~60 µs a call on
        one-element arrays.
        """
        kind = _unit_type(unit_type)
        hour_factor = self._hour_factor(when)
        turnout = self.turnout(kind)
        ax, ay, dx, dy = _segment(from_lat, from_lon, to_lat, to_lon)
        length = math.hypot(dx, dy)
        if kind in self.fixed_kmh:
            return turnout + length * self.circuity * 3.6 / self.fixed_kmh[kind]
        central = _share_within_one(ax, ay, dx, dy, self.central_radius_m)
        inner = max(_share_within_one(ax, ay, dx, dy, self.inner_radius_m), central)
        c_kmh, i_kmh, o_kmh = self.zone_kmh
        per_metre = central / c_kmh + (inner - central) / i_kmh + (1.0 - inner) / o_kmh
        speed_factor = hour_factor * self.type_factor.get(kind, 1.0)
        return turnout + length * per_metre * 3.6 * self.circuity / speed_factor

    def seconds_many(
        self,
        from_lats: ArrayLike,
        from_lons: ArrayLike,
        to_lat: float,
        to_lon: float,
        unit_types: ArrayLike | str,
        when: datetime,
    ) -> FloatArray:
        """Seconds for many units (one type, or one type each) to reach one point.

        ValueError for an unknown unit type or a naive ``when``; NaN where a position is NaN.
        """
        lats = np.asarray(from_lats, dtype=np.float64)
        lons = np.asarray(from_lons, dtype=np.float64)
        if lats.shape != lons.shape:
            raise ValueError(f"from_lats {lats.shape} and from_lons {lons.shape} differ in shape")
        turnout, pace_factor, fixed_pace = self._by_type(unit_types, lats.shape)
        zones = self._zone_lengths_m(lats, lons, to_lat, to_lon)
        return self._seconds(turnout, pace_factor, fixed_pace, zones, when)

    def _seconds(
        self,
        turnout: FloatArray,
        pace_factor: FloatArray,
        fixed_pace: FloatArray,
        zones: tuple[FloatArray, FloatArray, FloatArray],
        when: datetime,
    ) -> FloatArray:
        central, inner, outer = zones
        c_kmh, i_kmh, o_kmh = self.zone_kmh
        # Seconds per metre of straight line at factor 1 (a car, unhurried hour).
        car_s = (central / c_kmh + inner / i_kmh + outer / o_kmh) * 3.6 * self.circuity
        car = car_s * pace_factor / self._hour_factor(when)
        on_foot = (central + inner + outer) * self.circuity * fixed_pace
        moving = np.where(np.isnan(fixed_pace), car, on_foot)
        return np.asarray(turnout + moving, dtype=np.float64)

    def seconds_matrix(
        self,
        from_lats: ArrayLike,
        from_lons: ArrayLike,
        to_lats: ArrayLike,
        to_lons: ArrayLike,
        unit_types: ArrayLike | str,
        when: datetime,
    ) -> FloatArray:
        """:meth:`seconds_many` for many points at once: row i, column j is unit i to point j.

        Cover for decision support needs every unit against every demand point, and a loop
        over points costs a numpy call and a sort of the unit types each. The points are taken
        in blocks of :data:`_BLOCK` columns: one broadcast over all of them makes temporaries
        of megabytes, and was slower than the loop (3,000 units by 243 points: loop 130 ms,
        one broadcast 175-245 ms, blocks of 32 29 ms).
        """
        lats = np.asarray(from_lats, dtype=np.float64).reshape(-1, 1)
        lons = np.asarray(from_lons, dtype=np.float64).reshape(-1, 1)
        targets = np.asarray(to_lats, dtype=np.float64).reshape(1, -1)
        target_lons = np.asarray(to_lons, dtype=np.float64).reshape(1, -1)
        if targets.shape != target_lons.shape:
            raise ValueError(f"to_lats {targets.shape} and to_lons {target_lons.shape} differ")
        kinds = unit_types if isinstance(unit_types, str) else np.reshape(unit_types, (-1, 1))
        by_type = self._by_type(kinds, lats.shape)
        out = np.empty((lats.shape[0], targets.shape[1]), dtype=np.float64)
        for start in range(0, targets.shape[1], _BLOCK):
            block = slice(start, start + _BLOCK)
            zones = self._zone_lengths_m(lats, lons, targets[:, block], target_lons[:, block])
            out[:, block] = self._seconds(*by_type, zones, when)
        return out

    def turnout(self, unit_type: str) -> float:
        return self.turnout_s.get(_unit_type(unit_type), self.default_turnout_s)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickled as its fields (a read-only mapping does not pickle; a dict does), so the
        model can go to a worker process with the rest of the recommender's context."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return _rebuilt, ({k: _thawed(v) for k, v in fields.items()},)

    def max_speed_mps(self, unit_type: str) -> float:
        """The fastest this model ever moves a unit of this type, in straight-line metres/s."""
        kind = _unit_type(unit_type)
        if kind in self.fixed_kmh:
            return self.fixed_kmh[kind] / 3.6 / self.circuity
        fastest = max(self.zone_kmh) * max(self.hour_factor) * self.type_factor.get(kind, 1.0)
        return fastest / 3.6 / self.circuity

    def _hour_factor(self, when: datetime) -> float:
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"when must be timezone-aware, not the naive {when.isoformat()}")
        return self.hour_factor[when.astimezone(LONDON).hour]

    def _by_type(
        self, unit_types: ArrayLike | str, shape: tuple[int, ...]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Turnout (s), car pace multiplier and fixed pace (s/m, NaN for cars) per unit."""
        if isinstance(unit_types, str):  # one type for all: skip sorting the names
            distinct, inverse = np.array([unit_types]), np.zeros(shape, dtype=np.intp)
        else:
            kinds = np.broadcast_to(np.asarray(unit_types, dtype=object), shape)
            distinct, inverse = np.unique(kinds.astype(str), return_inverse=True)
        tables = np.array(
            [
                (
                    self.turnout_s.get(kind, self.default_turnout_s),
                    1.0 / self.type_factor.get(kind, 1.0),
                    3.6 / self.fixed_kmh[kind] if kind in self.fixed_kmh else np.nan,
                )
                for kind in (_unit_type(name) for name in distinct)
            ],
            dtype=np.float64,
        ).reshape(-1, 3)
        per_unit = tables[inverse.reshape(shape)]
        return per_unit[..., 0], per_unit[..., 1], per_unit[..., 2]

    def _zone_lengths_m(
        self, lats: FloatArray, lons: FloatArray, to_lat: ArrayLike, to_lon: ArrayLike
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Straight-line metres of each journey in central, inner and outer London."""
        to = np.asarray(to_lat, dtype=np.float64), np.asarray(to_lon, dtype=np.float64)
        ax, ay, dx, dy = _segment(lats, lons, *to)
        length = np.hypot(dx, dy)
        within_central = _share_within(ax, ay, dx, dy, self.central_radius_m)
        within_inner = np.maximum(
            _share_within(ax, ay, dx, dy, self.inner_radius_m), within_central
        )
        central = length * within_central
        inner = length * (within_inner - within_central)
        return central, inner, length * (1.0 - within_inner)


def _thawed(value: Any) -> Any:
    return dict(value) if isinstance(value, MappingProxyType) else value


def _rebuilt(fields: dict[str, Any]) -> CrowFliesModel:
    frozen: dict[str, Any] = {
        k: _frozen(v) if isinstance(v, dict) else v for k, v in fields.items()
    }
    return CrowFliesModel(**frozen)


def _unit_type(name: str) -> str:
    kind = str(name).upper()
    if kind not in UNIT_TYPES:
        raise ValueError(
            f"unknown unit type {str(name)!r}; expected one of {', '.join(UNIT_TYPES)}"
        )
    return kind
