"""Opening a Bluelamp database: the engine for a URL (SQLite file or PostgreSQL), SQLite's
pragmas, and the check that the tables this Bluelamp uses are there."""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, inspect
from sqlalchemy.engine import make_url


class SchemaBehind(RuntimeError):
    """The database lacks tables or columns this Bluelamp uses: it needs an upgrade."""


UPGRADE = (
    "back the database up, then run `bluelamp db upgrade` "
    "(`bluelamp serve` does it at start unless BLUELAMP_AUTO_MIGRATE is off)"
)


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
