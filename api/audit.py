"""The audit log: every command, export, sign-in and denial, append-only (api.database).

Who, in which role, did what to which target, when, from which address, and how it ended.
A command's effect is an event the sequencer writes to the event log; that event names the
actor in its ``source`` (``bluelamp-api/<user>``), so the log itself records who made every
change in the same transaction as the change, and the audit row (written once the outcome
is known) adds the role, the address and the answer given.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, insert, select

from api.database import audit
from reports.csvsafe import SafeWriter
from stream.log import as_utc


class AuditOutcome(StrEnum):
    OK = "ok"
    CONFLICT = "conflict"  # 409: the sequencer refused it
    DENIED = "denied"  # 401/403: no credential, wrong role, another BCU
    INVALID = "invalid"  # 422: bad input
    FAILED = "failed"  # sign-in failed, or the server could not do it


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    outcome: AuditOutcome
    actor: str | None = None
    role: str | None = None
    target: str | None = None
    client: str | None = None
    status: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class AuditQuery:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    outcome: AuditOutcome | None = None
    limit: int = 500
    kind: str | None = None  # the action's first word: "view" matches view.context


COLUMNS = ("id", "at", "actor", "role", "action", "target", "client", "outcome", "status")


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, entry: AuditEntry) -> int:
        """Append one entry; its id."""
        values = asdict(entry)
        values["outcome"] = entry.outcome.value
        for name in ("actor", "role", "target", "client", "action"):
            if isinstance(values[name], str):  # as a client sent it, but storable
                values[name] = _printable(values[name])[:200]
        with self.engine.begin() as conn:
            result = conn.execute(insert(audit).values(**values))
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

    def query(self, q: AuditQuery) -> list[dict[str, Any]]:
        """Newest first."""
        rows = []
        for row in self._select(q, q.limit):
            rows.append(_row(row))
        return rows

    def csv(self, q: AuditQuery) -> Iterator[str]:
        """The matching entries as CSV text, a chunk at a time, oldest first."""
        buffer = io.StringIO()
        writer = SafeWriter(buffer)  # a failed sign-in's user name is anyone's text
        writer.writerow([*COLUMNS, "detail"])
        for row in reversed(self._select(q, q.limit)):
            entry = _row(row)
            writer.writerow(
                [entry[c] for c in COLUMNS] + [json.dumps(entry["detail"], sort_keys=True)]
            )
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def view_counts(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Looks at linked people and markers' text (``view.*``) from ``since`` to before
        ``until``, counted by the viewer's role, the call's BCU and whether they were shown
        or withheld: no one who looked and no one looked at."""
        query = select(audit.c.role, audit.c.outcome, audit.c.detail).where(
            audit.c.action.startswith("view.", autoescape=True),
            audit.c.at >= since,
            audit.c.at < until,
        )
        counts: dict[tuple[str, str, str], int] = {}
        with self.engine.connect() as conn:
            for role, outcome, detail in conn.execute(query):
                bcu = (detail or {}).get("bcu") or "-"
                key = (
                    role or "-",
                    bcu,
                    "shown" if outcome == AuditOutcome.OK.value else "withheld",
                )
                counts[key] = counts.get(key, 0) + 1
        return [
            {"role": role, "bcu": bcu, "views": views, "outcome": outcome}
            for (role, bcu, outcome), views in sorted(counts.items())
        ]

    def _select(self, q: AuditQuery, limit: int) -> list[Any]:
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        if q.since is not None:
            query = query.where(audit.c.at >= q.since)
        if q.until is not None:
            query = query.where(audit.c.at < q.until)
        if q.actor is not None:
            query = query.where(audit.c.actor == q.actor)
        if q.action is not None:
            query = query.where(audit.c.action == q.action)
        if q.outcome is not None:
            query = query.where(audit.c.outcome == q.outcome.value)
        if q.kind is not None:
            query = query.where(audit.c.action.startswith(f"{q.kind}.", autoescape=True))
        with self.engine.connect() as conn:
            return list(conn.execute(query))


def _row(row: Any) -> dict[str, Any]:
    r = dict(row._mapping)
    r["at"] = as_utc(r["at"]).isoformat().replace("+00:00", "Z")
    return r


def _printable(text: str) -> str:
    """Control characters escaped: PostgreSQL text cannot hold a NUL, and a log reader
    should see what was sent, not have their terminal driven by it."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
