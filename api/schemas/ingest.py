"""Event ingest's answers (``POST /api/events``): one outcome per event, and the batch's
counts; a rejection leads with the ``detail`` sentence every 4xx carries."""

from __future__ import annotations

from pydantic import Field, RootModel

from api.schemas.closed import Closed
from api.schemas.problems import Invalid
from stream.outcome import Verdict


class EventOutcome(Closed):
    """What became of one event (stream.outcome): ``seq`` for accepted and duplicate (the
    first one's), ``reason`` for rejected."""

    verdict: Verdict
    source: str | None
    id: str | None
    seq: int | None
    reason: str | None


class Counts(Closed):
    accepted: int
    duplicate: int
    rejected: int


class Batch(Closed):
    counts: Counts
    results: list[EventOutcome] = Field(description="one per event, in order")


class Ingested(RootModel[EventOutcome | Batch]):
    """One event's outcome, or an array's counts and outcomes."""


class RejectedEvent(EventOutcome):
    detail: str = Field(description="the reason")


class RejectedBatch(Batch):
    detail: str = Field(description="how many were rejected, and the first one's reason")


class Rejected(RootModel[RejectedEvent | RejectedBatch | Invalid]):
    """The 422 of a rejected event (its outcome), or of an array with any rejected (all the
    outcomes); a body that is no event at all gets only ``detail``."""
