"""CloudEvents dicts for benchmarks and tests: builders with explicit coordinates, and a
pure stand-in for geodata's ``locate``.

Each builder (``incident_created(...)``, ``unit_location(...)`` ...) makes a dict exactly as
a producer would send it; defaults: source "test", a fresh id, and a shared clock one
second per call from ``START``. ``stub_locate`` is a deterministic grid of BCUs over central
London, so a benchmark or a test of pure logic needs no boundary files; ``stub_validated``
and ``stub_recorded`` validate with it. tests.stream.factories re-exports all of these.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from stream.events import Recorded, Validated, validate

START = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)

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
