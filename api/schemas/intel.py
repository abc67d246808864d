"""What ``GET /api/incidents/{id}/context`` answers (api.routes.intel): the calls at the
place before, the warning markers near it and the people linked to the call, each cut to
what the asker may see (``sight``: stream.privacy)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.closed import Closed
from stream.events import Grade, MarkerType, PersonRole
from stream.privacy import Sight


class EarlierCall(Closed):
    incident_id: str
    reference: str | None = Field(description="the CAD's reference")
    created_at: str
    grade: Grade = Field(description="at creation")
    category: str
    outcome: str | None = Field(description="null: not closed")
    distance_m: float


class NearbyMarker(Closed):
    marker_id: str
    marker_type: MarkerType
    distance_m: float
    review_date: str = Field(description="YYYY-MM-DD: active to the end of that day")
    set_at: str
    text: str | None = Field(description="full sight only")
    address: str | None = Field(description="full sight only")


class LinkedPerson(Closed):
    role: PersonRole
    linked_at: str
    name: str | None = Field(description="full sight only")
    date_of_birth: str | None = Field(description="full sight only (YYYY-MM-DD)")
    notes: str | None = Field(description="full sight only")


class Context(Closed):
    """What the force knows of the call's place and people, as the asker may see it:
    ``full`` everything, ``warnings`` no one named and no free text, ``counts`` only the
    counts (the lists empty)."""

    incident_id: str
    seq: int
    sight: Sight
    radius_m: int
    since: str = Field(description="the earliest call's creation considered (RFC 3339)")
    calls: list[EarlierCall] = Field(
        description="earlier calls within the radius, the newest 50, newest first"
    )
    markers: list[NearbyMarker] = Field(description="active markers within the radius")
    people: list[LinkedPerson]
    counts: dict[str, int] = Field(description="calls, markers, people: however many there are")


class ViewCount(Closed):
    role: str = Field(description="the viewer's role")
    bcu: str = Field(description="the call's BCU")
    outcome: Literal["shown", "withheld"]
    views: int


class ViewCounts(Closed):
    """Looks at linked people and markers' text in a period, by role and BCU: nobody named,
    neither who looked nor who was looked at."""

    since: str
    until: str
    rows: list[ViewCount]
