"""What the force knows beyond the call: warning markers on places and the people linked to
incidents, as the live picture holds them (rules in stream.picture.intel_rules), and the
grid that finds the markers near a point without looking at them all.

This is the most sensitive data Bluelamp holds. What each role may see of it is decided in
one place, stream.privacy; the live feed and every record the API hands out carry it only
through there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from geodata.travel import EARTH_RADIUS_M
from stream.privacy import folded

#: A marker warns of a call this close to it: the address and its doorstep, not the street.
MARKER_REACH_M = 50.0
#: The grid's cell, in degrees: about 111 m north-south and 69 m east-west in London.
_CELL = 0.001


@dataclass(slots=True)
class Marker:
    """A warning marker on a place, active until cleared or past its review date."""

    marker_id: str
    marker_type: str
    lat: float
    lon: float
    address: str | None
    text: str
    review_date: date
    bcu: str | None  # where it is (the log's place for the record)
    set_at: datetime
    seq: int

    def active_on(self, day: date) -> bool:
        return day <= self.review_date

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["review_date"] = self.review_date.isoformat()
        found["set_at"] = self.set_at.isoformat()
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Marker:
        return cls(
            **data
            | {
                "review_date": date.fromisoformat(data["review_date"]),
                "set_at": datetime.fromisoformat(data["set_at"]),
            }
        )


@dataclass(frozen=True, slots=True)
class PersonLink:
    """A person linked to an incident in a role: by name and date of birth, or, past
    retention, by pseudonym only (stream.privacy)."""

    role: str
    name: str | None
    date_of_birth: date | None
    notes: str | None
    pseudonym: str | None
    linked_at: datetime
    seq: int

    def is_person(
        self, role: str, name: str | None, born: date | None, pseudonym: str | None
    ) -> bool:
        """Whether this link is of that person in that role (names compared as people
        write them: case and spacing aside)."""
        if self.role != role:
            return False
        if pseudonym is not None:
            return self.pseudonym == pseudonym
        same = self.name is not None and name is not None and folded(self.name) == folded(name)
        return same and self.date_of_birth == born

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["date_of_birth"] = _iso(self.date_of_birth)
        found["linked_at"] = self.linked_at.isoformat()
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonLink:
        born = data.get("date_of_birth")
        return cls(
            **data
            | {
                "date_of_birth": None if born is None else date.fromisoformat(born),
                "linked_at": datetime.fromisoformat(data["linked_at"]),
            }
        )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


class MarkerGrid:
    """Marker ids by grid cell: the markers within a radius are looked for in the few
    cells around the point, then measured."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], set[str]] = {}

    def add(self, marker: Marker) -> None:
        self._cells.setdefault(_cell(marker.lat, marker.lon), set()).add(marker.marker_id)

    def remove(self, marker: Marker) -> None:
        cell = _cell(marker.lat, marker.lon)
        ids = self._cells.get(cell)
        if ids is not None:
            ids.discard(marker.marker_id)
            if not ids:
                del self._cells[cell]

    def candidates(self, lat: float, lon: float, radius_m: float) -> Iterator[str]:
        """The ids of markers in the cells a circle of ``radius_m`` about the point touches
        (a superset of those within it)."""
        if not self._cells:
            return
        row, col = _cell(lat, lon)
        rows = math.ceil(radius_m / 111_000 / _CELL)
        cols = math.ceil(radius_m / (111_000 * math.cos(math.radians(lat))) / _CELL)
        for r in range(row - rows, row + rows + 1):
            for c in range(col - cols, col + cols + 1):
                yield from self._cells.get((r, c), ())


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _CELL), math.floor(lon / _CELL)


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (geodata.travel.haversine_m's, without numpy's per-call cost:
    the picture measures one pair at a time)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
