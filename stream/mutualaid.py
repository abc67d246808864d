"""Mutual aid: an inspector asks for a unit of another BCU, a commander decides.

An inspector may command only units deployed to their own BCU, yet the nearest unit to an
incident on a border is often the neighbour's. Asking for it is recorded as
``mutual_aid.requested``; a commander answers with ``mutual_aid.granted`` (after assigning
the unit, whose assignment seq the grant names) or ``mutual_aid.declined``. The picture
keeps the requests still waiting for an answer (:class:`MutualAid`), which the screens show.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class MutualAid:
    """A request waiting for a commander's answer."""

    request_id: str
    incident_id: str
    unit_id: str
    from_bcu: str  # where the unit is deployed
    to_bcu: str  # the incident's BCU, the requester's
    reason: str
    by: str  # the inspector who asked
    requested_at: datetime
    seq: int

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["requested_at"] = self.requested_at.isoformat()
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MutualAid:
        return cls(**(data | {"requested_at": datetime.fromisoformat(data["requested_at"])}))
