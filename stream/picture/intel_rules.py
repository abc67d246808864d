"""Warning markers and linked people in the live picture (stream.intel): each event type's
check and apply, registered with the picture's rules as every other type's are
(``stream.picture.rules``; advice's in ``advice_rules``).

A marker set or cleared changes the warnings of the open calls near it, which are not the
record's own subject: they go in the picture's side effects, so a screen that upserts what
each record touched shows the icon come and go.
"""

from __future__ import annotations

from stream.events import (
    IncidentPersonLinked,
    IncidentPersonUnlinked,
    LocationMarkerCleared,
    LocationMarkerSet,
    Recorded,
    Validated,
)
from stream.intel import Marker, PersonLink
from stream.objection import Objection, conflict, unknown
from stream.picture.advice_rules import APPLIES, CHECKS
from stream.picture.state import PictureState

#: The rules' registries, intelligence's added: what the fold dispatches to.
__all__ = ["APPLIES", "CHECKS"]


@CHECKS.register(LocationMarkerSet)
def _check_marker_set(
    picture: PictureState, v: Validated, data: LocationMarkerSet
) -> Objection | None:
    return None  # a force system's marker, set or renewed: always taken


@APPLIES.register(LocationMarkerSet)
def _apply_marker_set(picture: PictureState, r: Recorded, data: LocationMarkerSet) -> None:
    old = picture.markers.get(data.marker_id)
    marker = Marker(
        data.marker_id,
        data.marker_type.value,
        data.lat,
        data.lon,
        data.address,
        data.text,
        data.review_date,
        r.bcu,
        r.event.time,
        r.seq,
    )
    picture.set_marker(marker)
    picture.warnings_changed(marker, old)


@CHECKS.register(LocationMarkerCleared)
def _check_marker_cleared(
    picture: PictureState, v: Validated, data: LocationMarkerCleared
) -> Objection | None:
    if data.marker_id not in picture.markers:
        return unknown(f"no marker {data.marker_id} (cleared already, or never set)")
    return None


@APPLIES.register(LocationMarkerCleared)
def _apply_marker_cleared(picture: PictureState, r: Recorded, data: LocationMarkerCleared) -> None:
    old = picture.markers.get(data.marker_id)
    picture.drop_marker(data.marker_id)
    if old is not None:
        picture.warnings_changed(old)


@CHECKS.register(IncidentPersonLinked)
def _check_linked(
    picture: PictureState, v: Validated, data: IncidentPersonLinked
) -> Objection | None:
    if data.incident_id not in picture.incidents:
        return unknown(f"unknown incident {data.incident_id}")
    if _link_of(picture, data) is not None:
        return conflict(f"that {data.role.value} is linked to {data.incident_id} already")
    return None


@APPLIES.register(IncidentPersonLinked)
def _apply_linked(picture: PictureState, r: Recorded, data: IncidentPersonLinked) -> None:
    if data.incident_id not in picture.incidents or _link_of(picture, data) is not None:
        return
    link = PersonLink(
        data.role.value,
        data.name,
        data.date_of_birth,
        data.notes,
        data.pseudonym,
        r.event.time,
        r.seq,
    )
    picture.people.setdefault(data.incident_id, []).append(link)


@CHECKS.register(IncidentPersonUnlinked)
def _check_unlinked(
    picture: PictureState, v: Validated, data: IncidentPersonUnlinked
) -> Objection | None:
    if data.incident_id not in picture.incidents:
        return unknown(f"unknown incident {data.incident_id}")
    if _link_of(picture, data) is None:
        return unknown(f"no {data.role.value} of that name and date of birth on {data.incident_id}")
    return None


@APPLIES.register(IncidentPersonUnlinked)
def _apply_unlinked(picture: PictureState, r: Recorded, data: IncidentPersonUnlinked) -> None:
    link = _link_of(picture, data)
    if link is not None:
        links = picture.people[data.incident_id]
        links.remove(link)
        if not links:
            del picture.people[data.incident_id]


def _link_of(
    picture: PictureState, data: IncidentPersonLinked | IncidentPersonUnlinked
) -> PersonLink | None:
    for link in picture.people.get(data.incident_id, ()):
        if link.is_person(data.role.value, data.name, data.date_of_birth, data.pseudonym):
            return link
    return None
