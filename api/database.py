"""The API's own tables, beside the event log in the same database: users, the audit log
and signed-out sessions (kept in the database so any worker can answer for them), used with
the reports' job table (``reports.jobs``). The migrations make them (bluelamp.migrations).

The audit table is append-only in the database itself, not only by convention: a trigger
(made by the migrations too) refuses UPDATE and DELETE on SQLite and PostgreSQL alike, so
not even a bug in this code can rewrite history.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from reports.jobs import metadata as jobs_metadata
from stream.engines import make_engine, require_tables

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("bcu", String(4)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200)),  # user name, or None for a failed sign-in of no one
    Column("role", String(16)),
    Column("action", String(64), nullable=False),  # e.g. "unit.assign", "signin", "export"
    Column("target", String(200)),
    Column("client", String(64)),  # the client's address
    Column("outcome", String(16), nullable=False),  # ok | conflict | denied | invalid | failed
    Column("status", Integer),  # the HTTP status answered
    Column("detail", JSON),  # the request and the reason / seq, as it was answered
    Index("ix_audit_at", "at"),
    Index("ix_audit_actor_at", "actor", "at"),
)

# Signed-out sessions: a token whose jti is here is refused by every worker until it would
# have expired anyway (rows past expires_at are purged as new ones are written).
revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
    Index("ix_revoked_tokens_expires_at", "expires_at"),
)


def open_database(url: str, schema: str | None = None) -> Engine:
    """An engine on the Bluelamp database, whose API and report-job tables must be there
    (:class:`stream.engines.SchemaBehind` otherwise)."""
    engine = make_engine(url, schema)
    try:
        require_tables(engine, metadata, jobs_metadata)
    except Exception:
        engine.dispose()
        raise
    return engine
