"""Estimated blue-light travel times across London.

No road network ships with Bluelamp, so the model works from great-circle distance:

    time = turnout(unit type) + distance × circuity / (speed(zone) × hour factor × type factor)

- **Circuity** 1.35: London road distance over straight-line distance (typical urban
  detour ratios are 1.3–1.4).
- **Speed by zone**, for a vehicle on blue lights: central London (within 4 km of Charing
  Cross) 28 km/h, the rest of Inner London (within 9.5 km, roughly the ONS Inner London
  boundary) 34 km/h, Outer London 45 km/h. The zone is taken at the journey's midpoint.
- **Hour of day** (Europe/London): night 0–6 h is 25% quicker, the morning (7–9 h) and
  evening (16–18 h) peaks 20% slower, the working day 10% slower.
- **Unit type**: ARV and traffic cars are 10% quicker, a TSG carrier 15% slower; foot and
  cycle patrols move at 5 and 15 km/h whatever the traffic.
- **Turnout**: from dispatch to moving (60 s for cars, 90 s dogs, 120 s TSG, 20 s on foot
  or cycle).

docs/geodata.md shows how this compares with the Met's published response times. The
:class:`TravelTimeModel` protocol is what a road-network router would implement instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8
CHARING_CROSS = (51.5073, -0.1276)
LONDON = ZoneInfo("Europe/London")
FloatArray = NDArray[np.float64]


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
        from_lats: FloatArray,
        from_lons: FloatArray,
        to_lat: float,
        to_lon: float,
        unit_types: NDArray[Any] | str,
        when: datetime,
    ) -> FloatArray: ...


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


@dataclass(frozen=True)
class CrowFliesModel:
    """The default :class:`TravelTimeModel`: straight-line distance, circuity, zone speeds."""

    circuity: float = 1.35
    central_radius_m: float = 4_000.0
    zone_kmh: tuple[float, float, float] = (28.0, 34.0, 45.0)  # central, inner, outer
    inner_radius_m: float = 9_500.0  # beyond this from Charing Cross counts as outer London
    hour_factor: tuple[float, ...] = field(default_factory=_hour_factors)
    type_factor: dict[str, float] = field(
        default_factory=lambda: {"ARV": 1.1, "TRAFFIC": 1.1, "TSG": 0.85}
    )
    fixed_kmh: dict[str, float] = field(default_factory=lambda: {"FOOT": 5.0, "CYCLE": 15.0})
    turnout_s: dict[str, float] = field(
        default_factory=lambda: {"DOG": 90.0, "TSG": 120.0, "FOOT": 20.0, "CYCLE": 20.0}
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
        result = self.seconds_many(
            np.array([from_lat]), np.array([from_lon]), to_lat, to_lon, unit_type, when
        )
        return float(result[0])

    def seconds_many(
        self,
        from_lats: FloatArray,
        from_lons: FloatArray,
        to_lat: float,
        to_lon: float,
        unit_types: NDArray[Any] | str,
        when: datetime,
    ) -> FloatArray:
        from_lats = np.asarray(from_lats, dtype=float)
        from_lons = np.asarray(from_lons, dtype=float)
        types = np.broadcast_to(np.asarray(unit_types, dtype=object), from_lats.shape)
        road_m = haversine_m(from_lats, from_lons, to_lat, to_lon) * self.circuity
        speed = self.speed_kmh_many((from_lats + to_lat) / 2, (from_lons + to_lon) / 2, types, when)
        turnout = np.array([self.turnout_s.get(t, self.default_turnout_s) for t in types.ravel()])
        moving = road_m / (speed / 3.6)
        return np.asarray(turnout.reshape(types.shape) + moving, dtype=float)

    def speed_kmh_many(
        self, lats: FloatArray, lons: FloatArray, types: NDArray[Any], when: datetime
    ) -> FloatArray:
        """Average moving speed (km/h) for units of these types at these points."""
        from_centre = haversine_m(lats, lons, *CHARING_CROSS)
        central, inner, outer = self.zone_kmh
        zone = np.where(
            from_centre <= self.central_radius_m,
            central,
            np.where(from_centre <= self.inner_radius_m, inner, outer),
        )
        hour = when.astimezone(LONDON).hour
        by_type = np.array([self.type_factor.get(t, 1.0) for t in types.ravel()])
        speed = zone * self.hour_factor[hour] * by_type.reshape(types.shape)
        fixed = np.array([self.fixed_kmh.get(t, np.nan) for t in types.ravel()])
        return np.asarray(np.where(np.isnan(fixed), speed, fixed.reshape(types.shape)), float)

    def max_speed_mps(self, unit_type: str) -> float:
        """The fastest this model ever moves a unit of this type (for sanity checks)."""
        if unit_type in self.fixed_kmh:
            return self.fixed_kmh[unit_type] / 3.6
        fastest = max(self.zone_kmh) * max(self.hour_factor)
        return fastest * self.type_factor.get(unit_type, 1.0) / 3.6
