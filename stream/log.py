"""The durable event log: the one source of truth. SQLite by default, PostgreSQL by URL.

Each accepted event is one row with its gap-free ``seq`` (the primary key, which also fences
off a stale sequencer: two writers cannot both append seq N), its (source, id) (unique: a
duplicate can never be recorded twice), the CloudEvents JSON and the borough/BCU derived
when it was validated. Snapshots of the live picture every N events make a restart cheap
and "the picture at seq N" a snapshot plus a short replay.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from stream.engines import make_engine, require_tables
from stream.events import Recorded, parse_event, to_json
from stream.payloads import subjects
from stream.picture import Picture, fold
from stream.picture.snapshot import gc_paused

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("source", String(200), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("borough", String(40)),
    Column("bcu", String(4)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
    # What the event is about, so an incident's or a unit's history is an index lookup.
    Column("incident_id", String(64)),
    Column("unit_id", String(64)),
    UniqueConstraint("source", "event_id", name="uq_events_source_id"),
    Index("ix_events_time", "time"),
    Index("ix_events_incident", "incident_id", "seq"),
    Index("ix_events_unit", "unit_id", "seq"),
    # A past moment by the clock ("the picture at 02:00"): the last record taken by then.
    Index("ix_events_recorded", "recorded_at", "seq"),
)

snapshots_table = Table(
    "snapshots",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("picture", Text, nullable=False),
)


class LogConflict(RuntimeError):
    """Another writer appended first (a stale sequencer): this one must step down."""


class EventLog:
    """Append-only, gap-free log of recorded events, with picture snapshots."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, schema)
        self._postgres = self.engine.dialect.name == "postgresql"
        dialect = self.engine.dialect
        # SQLite stores times as text: written as SQLAlchemy's own INSERT writes them, by its
        # bind processor; PostgreSQL's COPY takes datetimes as they are.
        self._time: Callable[[datetime], Any] = (
            events.c.time.type.dialect_impl(dialect).bind_processor(dialect) or _as_is
        )
        try:
            require_tables(self.engine, metadata)
        except Exception:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ------------------------------------------------------------------------

    def append(
        self,
        records: Sequence[Recorded],
        snapshots: Sequence[dict[str, Any]] = (),
        bodies: Sequence[str] | None = None,
    ) -> None:
        """Append records (consecutive seqs after the last one) and snapshots of the picture
        taken among them, in one transaction. Raises :class:`LogConflict` if any seq or
        (source, id) is there already: the log never forks and never holds a repeat.
        ``bodies``: each record's event JSON (``to_json``), if the caller has made it."""
        if not records:
            return
        if bodies is None:
            bodies = [to_json(r.event) for r in records]
        when = self._time
        now = datetime.now(UTC)
        recorded_at = when(now)
        rows = [
            (
                r.seq,
                r.event.source,
                r.event.id,
                r.event.type.value,
                when(r.event.time),
                r.borough,
                r.bcu,
                recorded_at,
                body,
                *subjects(r.event.data),
            )
            for r, body in zip(records, bodies, strict=True)
        ]
        shots = [
            {"seq": shot["seq"], "taken_at": now, "picture": _compact(shot)} for shot in snapshots
        ]
        try:
            with self.engine.begin() as conn:
                if self._postgres:
                    _copy_rows(conn, rows)
                else:
                    # One executemany on the driver, without compiling an INSERT per batch
                    # (append 38 -> 29 µs a row, docs/performance.md).
                    conn.exec_driver_sql(_INSERT, rows)
                if shots:
                    conn.execute(insert(snapshots_table), shots)
        except IntegrityError as exc:
            raise LogConflict(f"could not append seq {records[0].seq}: {exc.orig}") from exc
        except psycopg.errors.IntegrityError as exc:
            raise LogConflict(f"could not append seq {records[0].seq}: {exc}") from exc

    def check_writable(self) -> None:
        """Commit a transaction that writes (a snapshot row at seq -1, deleted again before
        the commit, so no reader ever sees it), or raise: the database is down, refusing
        writes, or out of disk. The sequencer asks this to tell an event the log cannot take
        from a log that can take nothing."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(snapshots_table).values(seq=-1, taken_at=datetime.now(UTC), picture="")
            )
            conn.execute(snapshots_table.delete().where(snapshots_table.c.seq == -1))

    def save_snapshot(self, picture: Picture) -> None:
        """Keep a snapshot of ``picture`` (which must reflect this log up to its seq)."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(snapshots_table).values(
                    seq=picture.seq,
                    taken_at=datetime.now(UTC),
                    picture=_compact(picture.to_snapshot()),
                )
            )

    # -- reading ------------------------------------------------------------------------

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(events.c.seq), 0))).scalar_one())

    def read(
        self, after: int = 0, limit: int | None = None, upto: int | None = None
    ) -> list[Recorded]:
        """Records with seq > ``after`` (and ≤ ``upto``), in seq order."""
        query = (
            select(events.c.seq, events.c.body, events.c.borough, events.c.bcu)
            .where(events.c.seq > after)
            .order_by(events.c.seq)
        )
        if upto is not None:
            query = query.where(events.c.seq <= upto)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [
                Recorded(seq, parse_event(body), borough, bcu)
                for seq, body, borough, bcu in conn.execute(query)
            ]

    def iter(
        self, after: int = 0, page: int = 10_000, upto: int | None = None
    ) -> Iterator[Recorded]:
        """Every record after ``after`` (to ``upto``), a page at a time (for replays of any
        length)."""
        while batch := self.read(after, page, upto):
            yield from batch
            after = batch[-1].seq

    def history(
        self, *, incident_id: str | None = None, unit_id: str | None = None, limit: int = 500
    ) -> list[Recorded]:
        """The latest ``limit`` records about one incident or one unit, in seq order."""
        if (incident_id is None) == (unit_id is None):
            raise ValueError("give exactly one of incident_id and unit_id")
        column = events.c.incident_id if incident_id is not None else events.c.unit_id
        query = (
            select(events.c.seq, events.c.body, events.c.borough, events.c.bcu)
            .where(column == (incident_id if incident_id is not None else unit_id))
            .order_by(events.c.seq.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
        return [Recorded(seq, parse_event(body), b, c) for seq, body, b, c in reversed(rows)]

    def seqs_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The seq of each (source, id) already in the log."""
        by_source: dict[str, set[str]] = defaultdict(set)
        for source, event_id in keys:
            by_source[source].add(event_id)
        found: dict[tuple[str, str], int] = {}
        with self.engine.connect() as conn:
            # One query per source (a batch has few) matches the unique index's column order;
            # a row-value IN over (source, id) pairs is ten times slower on PostgreSQL.
            for source, wanted in by_source.items():
                ids = sorted(wanted)
                for start in range(0, len(ids), 1_000):
                    query = select(events.c.event_id, events.c.seq).where(
                        events.c.source == source,
                        events.c.event_id.in_(ids[start : start + 1_000]),
                    )
                    found.update({(source, i): q for i, q in conn.execute(query)})
        return found

    def seq_at(self, when: datetime) -> int | None:
        """The seq of the last record the log had taken at ``when`` (recorded at or before
        it), or None if it had taken none by then. Records are taken in seq order; should
        two servers' clocks have disagreed at a handover, the latest taken by ``when``."""
        query = (
            select(events.c.seq)
            .where(events.c.recorded_at <= when.astimezone(UTC))
            .order_by(events.c.recorded_at.desc(), events.c.seq.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def recorded_at(self, seq: int) -> datetime | None:
        """When the log took record ``seq`` (None: it holds no such record)."""
        query = select(events.c.recorded_at).where(events.c.seq == seq)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return None if found is None else as_utc(found)

    def first_recorded_at(self) -> datetime | None:
        """When the log took its first record (None: it is empty)."""
        query = select(events.c.recorded_at).order_by(events.c.seq).limit(1)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return None if found is None else as_utc(found)

    def came_on_duty(self, upto: int) -> dict[str, datetime]:
        """When each unit last came on duty by record ``upto``: its shift's start."""
        query = select(events.c.unit_id, func.max(events.c.time)).where(
            events.c.type == "unit.on_duty", events.c.seq <= upto
        )
        with self.engine.connect() as conn:
            found = conn.execute(query.group_by(events.c.unit_id))
            return {unit: as_utc(when) for unit, when in found}

    def latest_snapshot(self, at_or_before: int | None = None) -> Picture | None:
        query = select(snapshots_table.c.picture).order_by(snapshots_table.c.seq.desc()).limit(1)
        if at_or_before is not None:
            query = query.where(snapshots_table.c.seq <= at_or_before)
        with self.engine.connect() as conn:
            text = conn.execute(query).scalar_one_or_none()
        return None if text is None else Picture.from_json(text)

    def picture(self, at: int | None = None) -> Picture:
        """The picture at seq ``at`` (default: now): the nearest snapshot plus the replay."""
        start = self.latest_snapshot(at) or Picture()
        with gc_paused():
            return fold(self.iter(start.seq, upto=at), start)


_COLUMNS = [c.name for c in events.columns]
_COPY = f"COPY events ({', '.join(_COLUMNS)}) FROM STDIN"
_INSERT = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _as_is(value: datetime) -> datetime:
    return value


def _copy_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY: twice as fast as an executemany INSERT here (56 -> 27 µs a row,
    docs/performance.md), in the same transaction
    (the table is found through the connection's search_path, like every other query)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        for row in rows:
            copy.write_row(row)


def as_utc(value: datetime) -> datetime:
    """A time read back from the database, aware: SQLite hands back naive datetimes, which
    Bluelamp always writes in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))
