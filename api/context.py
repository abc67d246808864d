"""An incident's context (``GET /api/incidents/{id}/context``) as the asker may see it: the
calls at the place before (reports.history), the markers near it and the people linked to
it (the live picture), cut by stream.privacy's sight. Pure: the route reads and audits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reports.history import EarlierCall, Nearby
from stream.intel import Marker, PersonLink
from stream.picture import Incident, Picture
from stream.privacy import Sight


@dataclass(frozen=True, slots=True)
class Found:
    """What there is, before any cut."""

    calls: Nearby  # how many, and the newest
    markers: list[tuple[float, Marker]]
    people: list[PersonLink]

    @property
    def personal(self) -> dict[str, Any]:
        """What of it is personal (people, a marker's text): what a view shows or withholds,
        for the audit (counts and ids, never the data itself)."""
        found: dict[str, Any] = {}
        if self.people:
            found["people"] = len(self.people)
        if self.markers:
            found["markers"] = sorted(m.marker_id for _, m in self.markers)
        return found


def found_for(picture: Picture, incident: Incident, calls: Nearby, radius_m: int) -> Found:
    markers = picture.markers_near(incident.lat, incident.lon, radius_m)
    return Found(calls, markers, list(picture.people.get(incident.incident_id, ())))


def context_view(
    incident: Incident, seq: int, found: Found, radius_m: int, since: datetime, sight: Sight
) -> dict[str, Any]:
    full, listed = sight is Sight.FULL, sight in (Sight.FULL, Sight.WARNINGS)
    return {
        "incident_id": incident.incident_id,
        "seq": seq,
        "sight": sight.value,
        "radius_m": radius_m,
        "since": since.isoformat(),
        "calls": [_call(c) for c in found.calls.calls] if listed else [],
        "markers": [_marker(d, m, full) for d, m in found.markers] if listed else [],
        "people": [_person(p, full) for p in found.people] if listed else [],
        "counts": {
            "calls": found.calls.total,
            "markers": len(found.markers),
            "people": len(found.people),
        },
    }


def _call(call: EarlierCall) -> dict[str, Any]:
    return {
        "incident_id": call.incident_id,
        "reference": call.reference,
        "created_at": call.created_at.isoformat(),
        "grade": call.grade,
        "category": call.category,
        "outcome": call.outcome,
        "distance_m": call.distance_m,
    }


def _marker(distance: float, marker: Marker, full: bool) -> dict[str, Any]:
    return {
        "marker_id": marker.marker_id,
        "marker_type": marker.marker_type,
        "distance_m": round(distance, 1),
        "review_date": marker.review_date.isoformat(),
        "set_at": marker.set_at.isoformat(),
        "text": marker.text if full else None,
        "address": marker.address if full else None,
    }


def _person(link: PersonLink, full: bool) -> dict[str, Any]:
    born = link.date_of_birth
    return {
        "role": link.role,
        "linked_at": link.linked_at.isoformat(),
        "name": link.name if full else None,
        "date_of_birth": None if born is None or not full else born.isoformat(),
        "notes": link.notes if full else None,
    }
