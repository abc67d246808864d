"""The durable event log: the one source of truth. SQLite by default, PostgreSQL by URL.

Each accepted event is one row with its gap-free ``seq`` (the primary key, which also fences
off a stale sequencer: two writers cannot both append seq N), its (source, id) (unique: a
duplicate can never be recorded twice), the CloudEvents JSON and the borough/BCU derived
when it was validated. Snapshots of the live picture every N events make a restart cheap
and "the picture at seq N" a snapshot plus a short replay.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from stream.events import Recorded, parse_event, to_json
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


class SchemaBehind(RuntimeError):
    """The database lacks tables or columns this Bluelamp uses: it needs an upgrade."""


UPGRADE = (
    "back the database up, then run `bluelamp db upgrade` "
    "(`bluelamp serve` does it at start unless BLUELAMP_AUTO_MIGRATE is off)"
)


class LogConflict(RuntimeError):
    """Another writer appended first (a stale sequencer): this one must step down."""


class EventLog:
    """Append-only, gap-free log of recorded events, with picture snapshots."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, schema)
        self._postgres = self.engine.dialect.name == "postgresql"
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
        now = datetime.now(UTC)
        rows = [
            {
                "seq": r.seq,
                "source": r.event.source,
                "event_id": r.event.id,
                "type": r.event.type.value,
                "time": r.event.time,
                "borough": r.borough,
                "bcu": r.bcu,
                "recorded_at": now,
                "body": body,
                "incident_id": getattr(r.event.data, "incident_id", None),
                "unit_id": getattr(r.event.data, "unit_id", None),
            }
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
                    conn.execute(insert(events), rows)
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


def _copy_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: twice as fast as an executemany INSERT here (56 -> 27 µs a row,
    docs/performance.md), in the same transaction
    (the table is found through the connection's search_path, like every other query)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        for row in rows:
            copy.write_row([row[c] for c in _COLUMNS])


def as_utc(value: datetime) -> datetime:
    """A time read back from the database, aware: SQLite hands back naive datetimes, which
    Bluelamp always writes in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def require_tables(engine: Engine, *schemas: MetaData) -> None:
    """Raise :class:`SchemaBehind` unless the database has every table of ``schemas`` with
    all its columns. Rooms never make their tables: the migrations do (bluelamp.migrations),
    so a database that is new, or older than this Bluelamp, is told to upgrade."""
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    missing: list[str] = []
    for schema in schemas:
        for table in schema.sorted_tables:
            if table.name not in present:
                missing.append(table.name)
                continue
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in columns]
    if missing:
        raise SchemaBehind(f"the database {engine.url!r} lacks {', '.join(missing)}: {UPGRADE}")


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def where(url: str, schema: str | None = None) -> str:
    """A database as a person would name it: the SQLite file's full path, or the
    PostgreSQL URL without its password, and the schema if one is set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ":memory:"
        return name if name == ":memory:" else str(Path(name).resolve())
    shown = parsed.render_as_string(hide_password=True)
    return f"{shown} (schema {schema})" if schema else shown


def make_engine(url: str, schema: str | None = None, wait_s: float = 5.0) -> Engine:
    """A SQLAlchemy engine for a Bluelamp database URL (SQLite file or PostgreSQL), its
    tables in ``schema`` on PostgreSQL if given. The API opens its own tables with it.
    ``wait_s``: how long a SQLite connection waits for another's lock, from its first
    statement on (the migrations wait minutes for another server's upgrade)."""
    parsed = make_url(url)
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": wait_s})
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, wait_s))
    else:
        if schema:
            options["connect_args"] = {"options": f"-csearch_path={schema}"}
        engine = create_engine(url, pool_pre_ping=True, **options)
    return engine


def _sqlite_pragmas(wait_s: float, dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the API, replays) run beside the one writer; NORMAL sync is durable
    # across application crashes, which is what the ingest contract's redelivery covers.
    # The wait first. Switching a new file to WAL needs it to itself: SQLite refuses at once,
    # without waiting, while a connection opened beside it holds a lock (servers starting
    # together on a new file), so that switch is tried again for as long as the wait.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={round(wait_s * 1000)}")
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
