"""The recommender in the server: recomputed off the event loop every few seconds while the
picture moves, carried in the live feed's advice, and asked directly by the decision routes.

The recommender (stream.recommend) costs ~100 ms at London scale (docs/performance.md): run
on the event loop it would hold up every socket's frames, so the situation is read from the
picture on the loop (consistent: nothing else runs meanwhile) and the computation runs in a
worker thread on that frozen copy.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from geodata import London
from geodata.travel import TravelTimeModel
from stream.advice import Advisor
from stream.picture import Incident, IncidentStatus, Picture
from stream.recommend.advise import Context, for_call, recommend, what_if
from stream.recommend.grid import CoverGrid
from stream.recommend.situation import Call, Situation, of_picture
from stream.sim.prior import calibrated_prior

logger = logging.getLogger(__name__)
EVERY_S = 2.0


def context_for(london: London, travel: TravelTimeModel) -> Context:
    """London's demand grid, the travel model and, until the log can be forecast from, the
    simulator's calibrated prior."""
    grid = CoverGrid.of(london)
    return Context(grid, travel, calibrated_prior(london, grid))


@dataclass
class Recommending:
    context: Context
    advisor: Advisor
    every_s: float = EVERY_S
    latest: dict[str, Any] | None = None
    _seq: int = -1
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, picture_of: Any) -> None:
        """Recompute while the picture moves (``picture_of()`` gives the current one)."""
        while True:
            await asyncio.sleep(self.every_s)
            try:
                await self.refresh(picture_of())
            except Exception:  # one bad moment must not end advice for the process
                logger.exception("the recommender failed; trying again in %s s", self.every_s)

    async def refresh(self, picture: Picture) -> dict[str, Any] | None:
        """The recommendations for ``picture`` (recomputed if it moved on since the last)."""
        async with self._lock:
            if picture.seq != self._seq:
                situation = of_picture(picture)
                if situation is None:
                    return None
                seq = picture.seq
                result = await asyncio.to_thread(recommend, self.context, situation)
                self.latest, self._seq = result | {"seq": seq}, seq
                self.advisor.attach(self.latest)
            return self.latest

    async def for_incident(self, picture: Picture, incident: Incident) -> dict[str, Any]:
        situation = of_picture(picture)
        assert situation is not None and incident.target_at is not None
        call = Call(
            incident.incident_id,
            incident.reference,
            incident.grade.value,
            incident.category,
            incident.lat,
            incident.lon,
            incident.bcu,
            incident.created_at,
            incident.target_at,
        )
        answer = await asyncio.to_thread(for_call, self.context, situation, call)
        return answer | {"seq": picture.seq, "as_of": situation.now.isoformat()}

    async def what_if(self, situation: Situation, unit_id: str, **change: Any) -> dict[str, Any]:
        return await asyncio.to_thread(what_if, self.context, situation, unit_id, **change)


def open_call(picture: Picture, incident_id: str) -> Incident | str:
    """The incident if the recommender can rank units for it, else why not."""
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return f"no incident {incident_id!r} in the live picture"
    if incident.status is IncidentStatus.CLOSED:
        return f"incident {incident.reference or incident_id} is closed"
    if incident.target_at is None:
        return f"a grade {incident.grade.value} incident has no attendance target to rank units by"
    return incident
