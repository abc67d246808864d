"""Decision support's answers (stream.recommend): units ranked for a call, the queue's
outlooks, move-ups, expected breaches, cover, and what-if.

``Suggestion``, ``Outlook`` and ``Move`` are the recommender's records as their ``to_dict``
writes them, then what the server adds: :func:`api.schemas.mirror.mirror` holds each to its
record when this module is imported, so a field the recommender gains and this misses stops
the server at start instead of going missing from /openapi.json.
"""

from __future__ import annotations

from dataclasses import fields

from pydantic import Field, model_validator

from api.schemas.closed import Closed
from api.schemas.mirror import mirror
from stream.events import BCU_CODES, Grade, UnitType
from stream.recommend import assign, backup, breach, moves


class Suggestion(Closed):
    """A unit for a call, with why."""

    unit_id: str
    callsign: str
    unit_type: UnitType
    bcu: str = Field(description="where the unit is deployed now")
    eta_s: int = Field(description="seconds to arrive once sent")
    margin_s: int = Field(description="target minus arrival; negative: late by that much")
    cover_cost: float = Field(
        description="expected I-grade calls an hour its going leaves out of reach"
    )
    cover_before: float = Field(description="its BCU's covered share of I-grade demand now, 0-1")
    cover_after: float = Field(description="and once it has gone")
    diverted_from: str | None = Field(
        description="the lower-grade incident it would leave (on its way to, or at an E/R one)"
    )
    reasons: list[str] = Field(description="why, in words")
    cost: float = Field(description="the ranking's score, lower is better")
    advice_id: str | None = Field(
        default=None, description="the best unit's: the advice recorded (advice.offered)"
    )


class Outlook(Closed):
    incident_id: str
    grade: Grade
    bcu: str
    seconds_left: int = Field(description="until the attendance target")
    best_eta_s: int | None = Field(description="the quickest free unit; null: none free")
    send_within_s: int | None = Field(description="seconds left minus best ETA")
    breaching: bool
    words: str = Field(description='e.g. "breaches unless a unit is sent within 4 min"')


class CallAdvice(Outlook):
    suggestions: list[Suggestion]


class IncidentRecommendations(CallAdvice):
    seq: int
    as_of: str


class Move(Closed):
    """A move-up: an available unit to a standby point."""

    unit_id: str
    callsign: str
    from_bcu: str
    to_bcu: str
    lat: float
    lon: float
    cell: str = Field(description="the standby point's H3 cell (resolution 7)")
    borough: str = Field(description="the borough the standby point is in")
    gain: float = Field(description="expected I-grade calls an hour newly reached in time")
    drive_s: int
    cover_before: float = Field(description="the destination BCU's covered share, before")
    cover_after: float
    reason: str
    advice_id: str | None = Field(
        default=None, description="what accepting or dismissing it names (advice.offered)"
    )


class RunningLate(Closed):
    """The first unit on its way to an I-grade call to arrive, by its progress so far."""

    unit_id: str
    callsign: str
    pace: float = Field(
        description="its seconds driving over the travel model's for the ground it covered"
    )
    arrives_in_s: float = Field(description="seconds from now, at that pace")
    margin_s: float = Field(description="target minus predicted arrival; negative: late")


class BackupAdvice(Closed):
    """A unit to send beside the units running late to an I-grade call."""

    incident_id: str
    reference: str | None = Field(description="the CAD reference, if the feed gave one")
    bcu: str
    running_late: RunningLate
    suggestion: Suggestion = Field(description="the unit to send as well")
    reasons: list[str] = Field(description="why a back-up, in words")
    advice_id: str | None = Field(
        default=None, description="the advice recorded (advice.offered, kind backup)"
    )


def _names(record: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


mirror(Suggestion, assign.Suggestion, _names(assign.Suggestion), ("advice_id",))
mirror(Outlook, breach.Outlook, _names(breach.Outlook), ("breaching", "words"))
mirror(Move, moves.Move, _names(moves.Move), ("advice_id",))
mirror(RunningLate, backup.Lateness, _names(backup.Lateness))


class Recommendations(Closed):
    """Everything the recommender says about the picture at ``seq``."""

    seq: int
    as_of: str
    busy_share: float = Field(description="the share of units on duty that cannot be sent now")
    calls: list[CallAdvice] = Field(description="waiting I/S calls in order of time to breach")
    moves: list[Move]
    backups: list[BackupAdvice] = Field(
        description="I-grade calls whose units all run late by their progress (AVL), and "
        "the unit to send beside them"
    )
    expected_breaches: dict[str, float] = Field(description="per BCU, in the next 30 minutes")
    cover: dict[str, float] = Field(description="per BCU, the covered share of I-grade demand")


class WhatIf(Closed):
    """A change to preview: the unit sent to an incident, or moved to a BCU or a point."""

    unit_id: str = Field(min_length=1, max_length=64)
    incident_id: str | None = Field(default=None, min_length=1, max_length=64)
    bcu: str | None = Field(default=None, description="move to this BCU's busiest standby point")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def one_change(self) -> WhatIf:
        moves = self.bcu is not None or self.lat is not None or self.lon is not None
        if (self.incident_id is not None) == moves:
            raise ValueError(
                "say either incident_id, or where the unit moves (bcu, or lat and lon)"
            )
        if (self.lat is None) != (self.lon is None):
            raise ValueError("a point needs both lat and lon")
        if self.bcu is not None and self.bcu.upper() not in BCU_CODES:
            raise ValueError(f"unknown BCU {self.bcu}; one of {', '.join(sorted(BCU_CODES))}")
        return self


class Shares(Closed):
    before: float
    after: float


class WhatIfAnswer(Closed):
    unit_id: str
    bcus: dict[str, Shares] = Field(description="the covered share of each BCU the change touches")
    london: Shares = Field(description="expected I-grade calls an hour reached in time, London")
    seq: int


class LedgerEntry(Closed):
    """One piece of advice and what became of it (reports/ledger.py)."""

    advice_id: str
    kind: str = Field(
        description="assignment (a unit for a call), backup (a unit beside one running late) "
        "or move (a move-up)"
    )
    offered_at: str
    unit_id: str
    incident_id: str | None
    bcu: str = Field(description="the call's BCU, or where the move goes")
    eta_s: int | None
    gain: float | None
    reason: str | None
    outcome: str = Field(description="accepted, overridden, dismissed, expired or open")
    outcome_at: str | None
    outcome_by: str | None = Field(description="who decided: a user, or the feed's source")
    chosen_unit_id: str | None = Field(description="overridden: the unit sent instead")
    dismiss_reason: str | None


class Ledger(Closed):
    since: str
    until: str
    entries: list[LedgerEntry] = Field(description="newest first")
