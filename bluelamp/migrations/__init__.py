"""Schema migrations (Alembic) for every room's tables in the one Bluelamp database.

The rooms declare their tables (``stream.log``, ``api.database``, ``reports.jobs``,
``reports.tables``) and never create them; this package, in the composition root because it
needs all of them, moves a database to the schema this Bluelamp expects: ``upgrade`` (run by
``bluelamp db upgrade``, and by ``serve``/``demo`` unless BLUELAMP_AUTO_MIGRATE is off).
Alembic is configured here, in code: no alembic.ini.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text

from api.database import metadata as api_metadata
from reports.jobs import metadata as jobs_metadata
from reports.tables import metadata as read_model_metadata
from stream.engines import SchemaBehind, make_engine, where
from stream.log import metadata as log_metadata

#: Every room's tables: what the head revision must create.
METADATA: tuple[MetaData, ...] = (log_metadata, api_metadata, jobs_metadata, read_model_metadata)
#: How long a server starting beside another's migration waits for it (SQLite), from its
#: first statement on: also where it stands, read while another upgrades.
MIGRATION_WAIT_MS = 10 * 60 * 1000
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Standing:
    """Where a database stands: its revision (None: made before migrations, or empty) and
    the revision this Bluelamp needs."""

    database: str
    current: str | None
    head: str

    @property
    def behind(self) -> bool:
        return self.current != self.head

    def describe(self) -> str:
        at = self.current or "no revision (empty, or made before migrations)"
        return f"the database {self.database} is at {at}; this Bluelamp needs {self.head}"


class SchemaUnknown(RuntimeError):
    """The database is at a revision this Bluelamp does not have: a newer one upgraded it."""


def ready(url: str, schema: str | None, *, migrate: bool) -> Standing:
    """Before serving: upgrade the database (``migrate``), or check that someone has."""
    if migrate:
        return upgrade(url, schema)
    now = standing(url, schema)
    if now.behind:
        raise SchemaBehind(
            f"{now.describe()}, and BLUELAMP_AUTO_MIGRATE is off: back it up, run "
            "`bluelamp db upgrade`, then start again"
        )
    return now


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for this package (migrations on ``connection`` if given)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = list(METADATA)
    return config


@cache
def head() -> str:
    """The newest revision (read once: the revisions ship with this Bluelamp)."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "bluelamp/migrations/versions holds no revision"
    return revision


def standing(url: str, schema: str | None = None) -> Standing:
    """Where the database stands (:class:`SchemaUnknown` if a newer Bluelamp upgraded it)."""
    engine = make_engine(url, schema, MIGRATION_WAIT_MS / 1000)
    try:
        with engine.connect() as conn:
            current = _current(conn)
    finally:
        engine.dispose()
    return Standing(where(url, schema), current, head())


def upgrade(url: str, schema: str | None = None, revision: str = "head") -> Standing:
    """Move the database to ``revision``; a database made before migrations is adopted
    (the baseline makes only what it lacks). One process at a time."""
    engine = make_engine(url, schema, MIGRATION_WAIT_MS / 1000)
    try:
        with engine.connect() as conn, _one_at_a_time(conn, schema):
            _current(conn)
            command.upgrade(alembic_config(conn), revision)
            conn.commit()
    finally:
        engine.dispose()
    return standing(url, schema)


def _current(conn: Connection) -> str | None:
    current = MigrationContext.configure(conn).get_current_revision()
    if current is not None and current not in _revisions():
        raise SchemaUnknown(
            f"the database {where(str(conn.engine.url))} is at revision {current}, which this "
            "Bluelamp does not have: a newer Bluelamp upgraded it. Run that version, or "
            "restore the backup taken before the upgrade"
        )
    return current


@cache
def _revisions() -> frozenset[str]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return frozenset(s.revision for s in scripts.walk_revisions())


def history() -> list[str]:
    """Each revision, oldest first, as ``id: message``."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [f"{s.revision}: {s.doc}" for s in reversed(list(scripts.walk_revisions()))]


@contextmanager
def _one_at_a_time(conn: Connection, schema: str | None) -> Iterator[None]:
    """Two servers starting together on one database: the second waits for the first's
    migration, then finds nothing left to do."""
    if conn.dialect.name != "postgresql":
        # SQLite: the whole upgrade in one exclusive transaction (DDL included: the driver
        # begins none by itself before DDL); the other waits on the file's lock, as long as
        # the first's backfill takes (the log's usual 5 s gave up under load: CI saw it).
        conn.exec_driver_sql("BEGIN EXCLUSIVE")  # waits MIGRATION_WAIT_MS (make_engine)
        yield
        return
    key = zlib.crc32(f"bluelamp migrations {schema or ''}".encode())
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
    conn.commit()  # the lock is the session's: it outlives this transaction
    try:
        yield
    finally:
        conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        conn.commit()
