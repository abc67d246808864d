"""Who sees what of the intelligence (stream.intel), decided here and nowhere else.

Personal data — a linked person's name, date of birth and notes, a marker's free text and
address — reaches a person only through an answer that asked :func:`sight_of` and was
audited (the API's ``GET /api/incidents/{id}/context``). Everything else that carries
records out of the server (the live feed, an incident's timeline, a replay, reports and
exports) carries them as :func:`shareable` makes them: the personal fields taken out, what
was taken named in ``withheld``. So a wall, a planner or another BCU's inspector sees that
a victim was linked, or that a firearms marker is set near a call, and never who or why.

| role | sees |
|---|---|
| commander | everything, every BCU |
| inspector | everything for calls and markers in their own BCU; elsewhere as the wall |
| wall | marker kinds (icons) and where; people by role only |
| planner | counts only |
| feed and anyone else | nothing |

Past retention the log keeps a person as a :func:`pseudonym` (a keyed hash of name and date
of birth): the same person gets the same one, so repeat victims still link, without names.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from enum import StrEnum
from typing import Any


class Sight(StrEnum):
    FULL = "full"  # names, dates of birth, notes, a marker's text and address
    WARNINGS = "warnings"  # marker kinds and places, people by role: no one named
    COUNTS = "counts"  # how many, nothing more
    NONE = "none"


#: The personal fields of each event type's data: never in a shareable record.
PERSONAL: dict[str, tuple[str, ...]] = {
    "incident.person_linked": ("name", "date_of_birth", "notes", "pseudonym"),
    "incident.person_unlinked": ("name", "date_of_birth", "pseudonym"),
    "location.marker_set": ("text", "address"),
}


def sight_of(role: str, own_bcu: str | None, bcu: str | None) -> Sight:
    """What a person in ``role`` (an inspector's ``own_bcu``) may see of intelligence about
    a call or a place in ``bcu``."""
    if role == "commander":
        return Sight.FULL
    if role == "inspector":
        return Sight.FULL if own_bcu is not None and own_bcu == bcu else Sight.WARNINGS
    if role == "wall":
        return Sight.WARNINGS
    if role == "planner":
        return Sight.COUNTS
    return Sight.NONE


def shareable(live: dict[str, Any]) -> dict[str, Any]:
    """A live record (``{"seq", "event", "borough", "bcu"}``) as any screen may have it: an
    event of a type in :data:`PERSONAL` without those fields, which ``data.withheld`` names;
    any other record as it is."""
    event = live["event"]
    fields = PERSONAL.get(event["type"])
    if fields is None:
        return live
    data = event["data"]
    withheld = [f for f in fields if f in data]
    kept = {k: v for k, v in data.items() if k not in fields}
    return live | {"event": event | {"data": kept | {"withheld": withheld}}}


def folded(name: str) -> str:
    """A name as compared: case and spacing aside ("alex  TESTPERSON" is Alex Testperson)."""
    return " ".join(name.casefold().split())


def pseudonym(key: bytes, name: str, born: date) -> str:
    """The keyed hash a person is known by once their name is gone: 32 hex digits of
    HMAC-SHA256 over the name (:func:`folded`) and date of birth."""
    digest = hmac.new(key, f"{folded(name)}|{born.isoformat()}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
