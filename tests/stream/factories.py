"""Factories for test events: CloudEvents dicts with fresh ids and advancing times.

Two styles, both building dicts exactly as a producer would send them:

* ``Events``: a little producer with its own source, id counter and clock (10 s per event),
  placing points in a named BCU (real London points, located with geodata);
* module functions (``incident_created(...)``, ``unit_location(...)`` …) taking explicit
  coordinates, ``source``, ``id`` and ``time`` — defaults: source "test", a fresh id, and a
  shared clock one second per call. ``event(raw)`` makes the ``Event``; ``stub_locate`` is a
  pure, deterministic stand-in for geodata (a grid of BCUs over central London) for tests
  of pure logic; ``stub_validated``/``stub_recorded`` use it. These live in
  benchmarks.events (the benchmarks use them too) and are re-exported here.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from benchmarks.events import (  # noqa: F401 - re-exported: the tests import them from here
    BOX,
    CENTRE,
    START,
    STUB_CITY,
    STUB_GRID,
    StubPlace,
    alert_acknowledged,
    envelope,
    incident_arrived,
    incident_assigned,
    incident_closed,
    incident_created,
    incident_graded,
    incident_noted,
    stub_locate,
    stub_point,
    stub_recorded,
    stub_validated,
    unit_location,
    unit_off_duty,
    unit_on_duty,
    unit_redeployed,
    unit_status,
)
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

    def raw(self, type_: str, data: dict[str, Any], **attributes: Any) -> dict[str, Any]:
        n = next(self._ids)
        self._time += self._step
        return {
            "specversion": "1.0",
            "id": f"{self.source}-{n}",
            "source": self.source,
            "type": type_,
            "time": self._time.isoformat().replace("+00:00", "Z"),
            "data": data,
            **attributes,
        }

    def incident_created(
        self,
        incident_id: str,
        grade: str = "I",
        bcu: str = "AW",
        category: str = "violence",
        **attributes: Any,
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
            **attributes,
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

    def marker_set(
        self,
        marker_id: str,
        marker_type: str = "firearms",
        bcu: str = "AW",
        text: str = "Firearms believed at address (intel 2026)",
        review_date: str = "2027-06-30",
        offset_m: float = 0.0,
    ) -> dict[str, Any]:
        """A marker ``offset_m`` north of the BCU's point (where incident_created puts calls)."""
        lat, lon = POINTS[bcu]
        data = {"marker_id": marker_id, "lat": lat + offset_m / 111_195, "lon": lon}
        data |= {"marker_type": marker_type, "text": text, "review_date": review_date}
        return self.raw("location.marker_set", data | {"address": "1 Test Street"})

    def marker_cleared(self, marker_id: str) -> dict[str, Any]:
        return self.raw("location.marker_cleared", {"marker_id": marker_id})

    def person_linked(
        self,
        incident_id: str,
        role: str = "victim",
        name: str = "Alex Testperson",
        born: str = "1990-04-01",
        notes: str | None = "Lives alone",
    ) -> dict[str, Any]:
        data = {"incident_id": incident_id, "role": role, "name": name, "date_of_birth": born}
        return self.raw("incident.person_linked", data | ({"notes": notes} if notes else {}))

    def person_unlinked(
        self,
        incident_id: str,
        role: str = "victim",
        name: str = "Alex Testperson",
        born: str = "1990-04-01",
    ) -> dict[str, Any]:
        data = {"incident_id": incident_id, "role": role, "name": name, "date_of_birth": born}
        return self.raw("incident.person_unlinked", data)

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


def numbered(raws: Iterable[dict[str, Any]], first: int = 1) -> list[Recorded]:
    """Each event validated on real London, as the log holds them from seq ``first`` on."""
    return [recorded(seq, raw) for seq, raw in enumerate(raws, first)]


def event(raw: dict[str, Any]) -> Event:
    return parse_event(json.dumps(raw))
