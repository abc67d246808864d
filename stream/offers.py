"""Move-ups offered and not yet decided: the picture keeps each until a person accepts or
dismisses it (accepting one settles the unit's others), an hour passes, or the unit goes
off duty.

The recommender records what it advises as ``advice.offered`` (stream.recommend; the API
writes it); a move-up waits here for ``advice.accepted`` or ``advice.dismissed``, so two
people cannot both decide one. Advice on assignments is taken by assigning a unit and needs
no answer: the ledger (reports) reads what became of it from the log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Offer:
    """A move-up waiting for a person's decision."""

    advice_id: str
    unit_id: str
    bcu: str  # where the unit would go
    lat: float
    lon: float
    reason: str
    offered_at: datetime
    seq: int

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["offered_at"] = self.offered_at.isoformat()
        return found

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Offer:
        return cls(**(data | {"offered_at": datetime.fromisoformat(data["offered_at"])}))
