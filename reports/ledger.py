"""The ledger of advice: every recommendation the recommender recorded (``advice.offered``)
and what became of it, folded from the log into ``report_advice``, a page at a time.

- advice on a call's unit (a waiting call's, or a back-up beside a unit running late) is
  **accepted** when the call's next assignment sends that unit, **overridden** when it sends
  another (``chosen_unit_id``), **expired** when newer advice for the same call replaces it,
  a unit arrives first (a back-up's reason has gone) or the call closes first;
- a move-up is **accepted** or **dismissed** (with the reason) by a person; accepting one
  settles its unit's other open move-ups (expired), and a move-up expires an hour after it
  was offered or when its unit goes off duty.

``outcome_by`` is who decided: the user for the API's commands (``bluelamp-api/<user>``),
otherwise the feed's source (a CAD that assigned the unit itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from reports.tables import report_advice
from stream.events import (
    FOR_A_CALL,
    AdviceAccepted,
    AdviceDismissed,
    AdviceOffered,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    Recorded,
    UnitOffDuty,
)
from stream.log import as_utc
from stream.trust import RESERVED_PREFIX

CALL_KINDS = frozenset(k.value for k in FOR_A_CALL)
MOVE_OPEN = timedelta(hours=1)  # as the picture keeps a move-up (stream.picture.advice_rules)


def who(record: Recorded) -> str:
    source = record.event.source
    return source.removeprefix(RESERVED_PREFIX) if source.startswith(RESERVED_PREFIX) else source


@dataclass
class AdviceLedger:
    """One page of the ledger: the open advice loaded, the page's records folded, written."""

    open: dict[str, dict[str, Any]] = field(default_factory=dict)  # advice_id -> row
    new: set[str] = field(default_factory=set)  # offered in this page
    changed: set[str] = field(default_factory=set)  # decided in this page
    _checked: datetime | None = None  # when open move-ups were last checked for expiry

    @classmethod
    def load(cls, conn: Connection) -> AdviceLedger:
        rows = conn.execute(select(report_advice).where(report_advice.c.outcome.is_(None)))
        found = {row.advice_id: dict(row._mapping) for row in rows}
        for row in found.values():  # SQLite gives times back without their zone
            row["offered_at"] = as_utc(row["offered_at"])
        return cls(found)

    def apply(self, record: Recorded) -> None:
        data = record.event.data
        self._expire_moves(record.event.time)
        if isinstance(data, AdviceOffered):
            self._offered(record, data)
        elif isinstance(data, IncidentAssigned):
            for row in self._open_calls(data.incident_id):
                taken = row["unit_id"] == data.unit_id
                self._decide(
                    row,
                    "accepted" if taken else "overridden",
                    record,
                    chosen_unit_id=None if taken else data.unit_id,
                )
        elif isinstance(data, IncidentClosed | IncidentArrived):
            for row in self._open_calls(data.incident_id):
                self._decide(row, "expired", record, by=False)
        elif isinstance(data, AdviceAccepted | AdviceDismissed):
            self._decided(record, data)
        elif isinstance(data, UnitOffDuty):
            for row in self._open_moves(data.unit_id):
                self._decide(row, "expired", record, by=False)

    def _offered(self, record: Recorded, data: AdviceOffered) -> None:
        if data.advice_id in self.open or data.advice_id in self.new:
            return
        if data.kind in FOR_A_CALL and data.incident_id is not None:
            for row in self._open_calls(data.incident_id):  # newer advice replaces it
                self._decide(row, "expired", record, by=False)
        self.open[data.advice_id] = {
            "advice_id": data.advice_id,
            "kind": data.kind.value,
            "offered_at": record.event.time,
            "unit_id": data.unit_id,
            "incident_id": data.incident_id,
            "bcu": data.bcu,
            "eta_s": data.eta_s,
            "gain": data.gain,
            "reason": data.reason,
            "outcome": None,
            "outcome_at": None,
            "outcome_by": None,
            "chosen_unit_id": None,
            "dismiss_reason": None,
        }
        self.new.add(data.advice_id)

    def _decided(self, record: Recorded, data: AdviceAccepted | AdviceDismissed) -> None:
        row = self.open.get(data.advice_id)
        if row is None:
            return
        if isinstance(data, AdviceDismissed):
            self._decide(row, "dismissed", record, dismiss_reason=data.reason)
            return
        self._decide(row, "accepted", record)
        for other in self._open_moves(data.unit_id):
            self._decide(other, "expired", record, by=False)

    def _open_calls(self, incident_id: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.open.values()
            if r["kind"] in CALL_KINDS and r["incident_id"] == incident_id and r["outcome"] is None
        ]

    def _open_moves(self, unit_id: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.open.values()
            if r["kind"] == "move" and r["unit_id"] == unit_id and r["outcome"] is None
        ]

    def _expire_moves(self, now: datetime) -> None:
        # Once a minute of event time is enough: an hour's expiry needs no finer clock.
        if self._checked is not None and now - self._checked < timedelta(minutes=1):
            return
        self._checked = now
        for row in list(self.open.values()):
            if (
                row["kind"] == "move"
                and row["outcome"] is None
                and row["offered_at"] + MOVE_OPEN < now
            ):
                row.update(outcome="expired", outcome_at=row["offered_at"] + MOVE_OPEN)
                self.changed.add(row["advice_id"])

    def _decide(
        self, row: dict[str, Any], outcome: str, record: Recorded, by: bool = True, **more: Any
    ) -> None:
        row.update(
            outcome=outcome,
            outcome_at=record.event.time,
            outcome_by=who(record) if by else None,
            **more,
        )
        self.changed.add(row["advice_id"])

    def write(self, conn: Connection) -> None:
        fresh = [self.open[a] for a in sorted(self.new)]
        if fresh:
            conn.execute(insert(report_advice), fresh)
        for advice_id in sorted(self.changed - self.new):
            row = self.open[advice_id]
            values = {
                k: row[k]
                for k in ("outcome", "outcome_at", "outcome_by", "chosen_unit_id", "dismiss_reason")
            }
            conn.execute(
                update(report_advice).where(report_advice.c.advice_id == advice_id).values(**values)
            )


def entries(
    conn: Connection,
    since: datetime,
    until: datetime,
    bcu: str | None = None,
    outcome: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """The ledger's rows offered in [since, until), newest first (``outcome`` ``open`` for
    those not settled yet), JSON-able."""
    t = report_advice.c
    query = select(report_advice).where(t.offered_at >= since, t.offered_at < until)
    if bcu:
        query = query.where(t.bcu == bcu)
    if outcome == "open":
        query = query.where(t.outcome.is_(None))
    elif outcome:
        query = query.where(t.outcome == outcome)
    rows = conn.execute(query.order_by(t.offered_at.desc(), t.advice_id).limit(limit))
    found = []
    for row in rows:
        entry = dict(row._mapping)
        entry["outcome"] = entry["outcome"] or "open"
        for key in ("offered_at", "outcome_at"):
            if entry[key] is not None:
                entry[key] = as_utc(entry[key]).isoformat()
        found.append(entry)
    return found
