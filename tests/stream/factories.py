"""Factories for test events: CloudEvents dicts with fresh ids and advancing times.

Two styles, both building dicts exactly as a producer would send them:

* ``Events``: a little producer with its own source, id counter and clock (10 s per event),
  placing points in a named BCU (real London points, located with geodata);
* module functions (``incident_created(...)``, ``unit_location(...)`` …) taking explicit
  coordinates, ``source``, ``id`` and ``time`` — defaults: source "test", a fresh id, and a
  shared clock one second per call. ``event(raw)`` makes the ``Event``; ``stub_locate`` is a
  pure, deterministic stand-in for geodata (a grid of BCUs over central London) for tests
  of pure logic; ``stub_validated``/``stub_recorded`` use it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from geodata import London
from stream.events import Event, Recorded, Validated, parse_event, validate

#: A point in each Met BCU, and one in the City of London.
POINTS: dict[str, tuple[float, float]] = {
    "AW": (51.5080, -0.1281),  # Trafalgar Square
    "CN": (51.5415, -0.1466),  # Camden Market
    "CE": (51.5081, -0.0759),  # Tower of London
    "AS": (51.4613, -0.1156),  # Brixton
    "EA": (51.5750, 0.1830),  # Romford
    "NA": (51.6043, -0.0664),  # Tottenham
    "NE": (51.5416, -0.0033),  # Stratford
    "NW": (51.5560, -0.2796),  # Wembley
    "SN": (51.3762, -0.0982),  # Croydon
    "SE": (51.4769, -0.0005),  # Greenwich
    "SW": (51.4123, -0.3007),  # Kingston
    "WA": (51.4700, -0.4543),  # Heathrow
    "CITY": (51.5142, -0.0885),  # Bank of England
}
OUTSIDE = (50.8225, -0.1372)  # Brighton
START = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@cache
def london() -> London:
    return London.load()


class Events:
    """Builds valid CloudEvents dicts; every call gets a new id and a time 10 s later."""

    def __init__(
        self, source: str = "test", start: datetime = START, step: timedelta = timedelta(seconds=10)
    ) -> None:
        self.source = source
        self._ids = itertools.count(1)
        self._time = start
        self._step = step

    def advance(self, seconds: float) -> None:
        """Let time pass before the next event."""
        self._time += timedelta(seconds=seconds)

    def raw(self, type_: str, data: dict[str, Any], **envelope: Any) -> dict[str, Any]:
        n = next(self._ids)
        self._time += self._step
        return {
            "specversion": "1.0",
            "id": f"{self.source}-{n}",
            "source": self.source,
            "type": type_,
            "time": self._time.isoformat().replace("+00:00", "Z"),
            "data": data,
            **envelope,
        }

    def incident_created(
        self,
        incident_id: str,
        grade: str = "I",
        bcu: str = "AW",
        category: str = "violence",
        **envelope: Any,
    ) -> dict[str, Any]:
        lat, lon = POINTS[bcu]
        return self.raw(
            "incident.created",
            {
                "incident_id": incident_id,
                "grade": grade,
                "category": category,
                "lat": lat,
                "lon": lon,
            },
            **envelope,
        )

    def incident_graded(self, incident_id: str, grade: str) -> dict[str, Any]:
        return self.raw("incident.graded", {"incident_id": incident_id, "grade": grade})

    def assigned(self, incident_id: str, unit_id: str) -> dict[str, Any]:
        return self.raw("incident.assigned", {"incident_id": incident_id, "unit_id": unit_id})

    def arrived(self, incident_id: str, unit_id: str) -> dict[str, Any]:
        return self.raw("incident.arrived", {"incident_id": incident_id, "unit_id": unit_id})

    def closed(self, incident_id: str, outcome: str = "resolved") -> dict[str, Any]:
        return self.raw("incident.closed", {"incident_id": incident_id, "outcome": outcome})

    def on_duty(
        self, unit_id: str, bcu: str = "AW", unit_type: str = "IRV", callsign: str | None = None
    ) -> dict[str, Any]:
        lat, lon = POINTS[bcu]
        return self.raw(
            "unit.on_duty",
            {
                "unit_id": unit_id,
                "callsign": callsign or unit_id,
                "unit_type": unit_type,
                "home_bcu": bcu,
                "lat": lat,
                "lon": lon,
            },
        )

    def off_duty(self, unit_id: str) -> dict[str, Any]:
        return self.raw("unit.off_duty", {"unit_id": unit_id})

    def status(self, unit_id: str, status: str) -> dict[str, Any]:
        return self.raw("unit.status", {"unit_id": unit_id, "status": status})

    def location(self, unit_id: str, bcu: str = "AW", jitter: float = 0.0) -> dict[str, Any]:
        lat, lon = POINTS[bcu]
        return self.raw(
            "unit.location", {"unit_id": unit_id, "lat": lat + jitter, "lon": lon + jitter}
        )

    def redeployed(self, unit_id: str, bcu: str, reason: str = "demand") -> dict[str, Any]:
        return self.raw("unit.redeployed", {"unit_id": unit_id, "bcu": bcu, "reason": reason})

    def noted(
        self, incident_id: str, text: str = "caller rang back", by: str = "ann"
    ) -> dict[str, Any]:
        return self.raw("incident.noted", {"incident_id": incident_id, "text": text, "by": by})

    def acknowledged(
        self, kind: str, bcu: str, incident_id: str | None = None, by: str = "ann"
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": kind, "bcu": bcu, "by": by}
        if incident_id is not None:
            data["incident_id"] = incident_id
        return self.raw("alert.acknowledged", data)


def validated(raw: dict[str, Any]) -> Validated:
    return validate(raw, london().locate)


def recorded(seq: int, raw: dict[str, Any]) -> Recorded:
    v = validated(raw)
    return Recorded(seq, v.event, v.borough, v.bcu)


def event(raw: dict[str, Any]) -> Event:
    return parse_event(json.dumps(raw))


# -- module-level factories with explicit coordinates -----------------------------------------

#: The stub's box (well inside London) and a point in the middle of it.
BOX = (51.45, 51.56, -0.25, 0.05)  # lat_min, lat_max, lon_min, lon_max
CENTRE = (51.505, -0.10)
_ids = itertools.count(1)
_ticks = itertools.count(1)

#: The stub's grid: 3 rows (south to north) of 4 BCUs (west to east), each with one borough.
STUB_GRID: tuple[tuple[tuple[str, str], ...], ...] = (
    (("SW", "Wandsworth"), ("AS", "Lambeth"), ("SE", "Lewisham"), ("SN", "Croydon")),
    (("WA", "Ealing"), ("AW", "Westminster"), ("CE", "Tower Hamlets"), ("NE", "Newham")),
    (("NW", "Brent"), ("CN", "Camden"), ("NA", "Haringey"), ("EA", "Redbridge")),
)
#: A small square the stub calls the City of London (no Met BCU).
STUB_CITY = (51.512, 51.518, -0.095, -0.085)


@dataclass(frozen=True, slots=True)
class StubPlace:
    borough: str
    bcu: str | None


def stub_locate(lat: float, lon: float) -> StubPlace | None:
    """Deterministic, pure stand-in for ``London.locate``: None outside ``BOX``."""
    lat_min, lat_max, lon_min, lon_max = BOX
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        return None
    c_lat_min, c_lat_max, c_lon_min, c_lon_max = STUB_CITY
    if c_lat_min <= lat <= c_lat_max and c_lon_min <= lon <= c_lon_max:
        return StubPlace("City of London", None)
    row = min(int((lat - lat_min) / (lat_max - lat_min) * 3), 2)
    col = min(int((lon - lon_min) / (lon_max - lon_min) * 4), 3)
    bcu, borough = STUB_GRID[row][col]
    return StubPlace(borough, bcu)


def stub_point(bcu: str) -> tuple[float, float]:
    """The centre of ``bcu``'s cell in the stub grid."""
    lat_min, lat_max, lon_min, lon_max = BOX
    for row, cells in enumerate(STUB_GRID):
        for col, (code, _) in enumerate(cells):
            if code == bcu:
                return (
                    round(lat_min + (row + 0.5) * (lat_max - lat_min) / 3, 5),
                    round(lon_min + (col + 0.5) * (lon_max - lon_min) / 4, 5),
                )
    raise KeyError(bcu)


def envelope(
    type_: str,
    data: dict[str, Any],
    source: str = "test",
    id: str | None = None,  # the CloudEvents attribute's name
    time: datetime | str | None = None,
) -> dict[str, Any]:
    """A CloudEvents dict; a fresh id and the next tick of the shared clock by default."""
    if time is None:
        time = START + timedelta(seconds=next(_ticks))
    if isinstance(time, datetime):
        time = time.isoformat().replace("+00:00", "Z")
    return {
        "specversion": "1.0",
        "id": id if id is not None else f"f{next(_ids)}",
        "source": source,
        "type": type_,
        "time": time,
        "data": data,
    }


def incident_created(
    incident_id: str,
    grade: str = "I",
    lat: float = CENTRE[0],
    lon: float = CENTRE[1],
    category: str = "violence",
    summary: str | None = None,
    reference: str | None = None,
    address: str | None = None,
    **env: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "incident_id": incident_id,
        "grade": grade,
        "category": category,
        "lat": lat,
        "lon": lon,
    }
    for name, value in (("summary", summary), ("reference", reference), ("address", address)):
        if value is not None:
            data[name] = value
    return envelope("incident.created", data, **env)


def incident_noted(
    incident_id: str, text: str = "caller rang back", by: str = "ann", **env: Any
) -> dict[str, Any]:
    return envelope("incident.noted", {"incident_id": incident_id, "text": text, "by": by}, **env)


def alert_acknowledged(
    kind: str, bcu: str, incident_id: str | None = None, by: str = "ann", **env: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": kind, "bcu": bcu, "by": by}
    if incident_id is not None:
        data["incident_id"] = incident_id
    return envelope("alert.acknowledged", data, **env)


def incident_graded(incident_id: str, grade: str, **env: Any) -> dict[str, Any]:
    return envelope("incident.graded", {"incident_id": incident_id, "grade": grade}, **env)


def incident_assigned(incident_id: str, unit_id: str, **env: Any) -> dict[str, Any]:
    return envelope("incident.assigned", {"incident_id": incident_id, "unit_id": unit_id}, **env)


def incident_arrived(incident_id: str, unit_id: str, **env: Any) -> dict[str, Any]:
    return envelope("incident.arrived", {"incident_id": incident_id, "unit_id": unit_id}, **env)


def incident_closed(incident_id: str, outcome: str = "resolved", **env: Any) -> dict[str, Any]:
    return envelope("incident.closed", {"incident_id": incident_id, "outcome": outcome}, **env)


def unit_on_duty(
    unit_id: str,
    home_bcu: str = "AW",
    unit_type: str = "IRV",
    lat: float = CENTRE[0],
    lon: float = CENTRE[1],
    callsign: str | None = None,
    **env: Any,
) -> dict[str, Any]:
    data = {
        "unit_id": unit_id,
        "callsign": callsign or unit_id,
        "unit_type": unit_type,
        "home_bcu": home_bcu,
        "lat": lat,
        "lon": lon,
    }
    return envelope("unit.on_duty", data, **env)


def unit_off_duty(unit_id: str, **env: Any) -> dict[str, Any]:
    return envelope("unit.off_duty", {"unit_id": unit_id}, **env)


def unit_status(unit_id: str, status: str, **env: Any) -> dict[str, Any]:
    return envelope("unit.status", {"unit_id": unit_id, "status": status}, **env)


def unit_location(
    unit_id: str, lat: float = CENTRE[0], lon: float = CENTRE[1], **env: Any
) -> dict[str, Any]:
    return envelope("unit.location", {"unit_id": unit_id, "lat": lat, "lon": lon}, **env)


def unit_redeployed(unit_id: str, bcu: str, reason: str = "demand", **env: Any) -> dict[str, Any]:
    return envelope("unit.redeployed", {"unit_id": unit_id, "bcu": bcu, "reason": reason}, **env)


def stub_validated(raw: dict[str, Any]) -> Validated:
    """``validate`` with the stub grid instead of geodata."""
    return validate(raw, stub_locate)


def stub_recorded(seq: int, raw: dict[str, Any]) -> Recorded:
    v = stub_validated(raw)
    return Recorded(seq, v.event, v.borough, v.bcu)
