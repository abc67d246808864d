"""Baseline: every table as Bluelamp 0.1 made them, adopting a database it made.

A database made before migrations (its tables created by each room at start, no
alembic_version) comes here too: the tables it has are kept with their rows, the ones it
lacks are made, and the columns older versions lacked are added (the log's incident and unit
ids read back from each event's body, so an older log upgrades in place).

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
#: The schema as 0.1 made it, frozen here: later revisions change it, never this.
SCHEMA = sa.MetaData()
READ_MODEL = (
    "report_incidents",
    "report_unit_hours",
    "report_redeployments",
    "report_unit_state",
    "report_cursor",
)


def upgrade() -> None:
    bind = op.get_bind()
    _adopt_older_columns()
    present = set(sa.inspect(bind).get_table_names())
    SCHEMA.create_all(bind, checkfirst=True)
    if "report_cursor" not in present:
        op.bulk_insert(SCHEMA.tables["report_cursor"], [{"id": 1, "seq": 0}])
    _audit_append_only()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_append_only ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
    SCHEMA.drop_all(bind)


# -- the tables --------------------------------------------------------------------------

sa.Table(
    "events",
    SCHEMA,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("time", TZ, nullable=False),
    sa.Column("borough", sa.String(40)),
    sa.Column("bcu", sa.String(4)),
    sa.Column("recorded_at", TZ, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("incident_id", sa.String(64)),
    sa.Column("unit_id", sa.String(64)),
    sa.UniqueConstraint("source", "event_id", name="uq_events_source_id"),
    sa.Index("ix_events_time", "time"),
    sa.Index("ix_events_incident", "incident_id", "seq"),
    sa.Index("ix_events_unit", "unit_id", "seq"),
)
sa.Table(
    "snapshots",
    SCHEMA,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("taken_at", TZ, nullable=False),
    sa.Column("picture", sa.Text, nullable=False),
)
sa.Table(
    "users",
    SCHEMA,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("bcu", sa.String(4)),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)
sa.Table(
    "audit",
    SCHEMA,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("at", TZ, nullable=False),
    sa.Column("actor", sa.String(200)),
    sa.Column("role", sa.String(16)),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(200)),
    sa.Column("client", sa.String(64)),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("detail", sa.JSON),
    sa.Index("ix_audit_at", "at"),
    sa.Index("ix_audit_actor_at", "actor", "at"),
)
sa.Table(
    "revoked_tokens",
    SCHEMA,
    sa.Column("jti", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("expires_at", TZ, nullable=False),
    sa.Column("revoked_at", TZ, nullable=False),
    sa.Index("ix_revoked_tokens_expires_at", "expires_at"),
)
sa.Table(
    "report_jobs",
    SCHEMA,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("progress", sa.Float, nullable=False),
    sa.Column("step", sa.String(200)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("finished_at", TZ),
    sa.Column("media_type", sa.String(100)),
    sa.Column("filename", sa.String(200)),
    sa.Column("body", sa.LargeBinary),
    sa.Column("error", sa.Text),
    sa.Column("heartbeat_at", TZ),
)
sa.Table(
    "report_incidents",
    SCHEMA,
    sa.Column("incident_id", sa.String(64), primary_key=True),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("initial_grade", sa.String(1), nullable=False),
    sa.Column("grade", sa.String(1), nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("borough", sa.String(40)),
    sa.Column("bcu", sa.String(4)),
    sa.Column("assigned_at", TZ),
    sa.Column("arrived_at", TZ),
    sa.Column("closed_at", TZ),
    sa.Column("first_unit", sa.String(64)),
    sa.Column("first_unit_home_bcu", sa.String(4)),
    sa.Column("outcome", sa.String(200)),
    sa.Column("reference", sa.String(200)),
    sa.Column("address", sa.String(200)),
    sa.Index("ix_report_incidents_created", "created_at"),
)
sa.Table(
    "report_unit_hours",
    SCHEMA,
    sa.Column("hour", TZ, primary_key=True),
    sa.Column("unit_id", sa.String(64), primary_key=True),
    sa.Column("bcu", sa.String(4), primary_key=True),
    sa.Column("status", sa.String(16), primary_key=True),
    sa.Column("home_bcu", sa.String(4), nullable=False),
    sa.Column("unit_type", sa.String(16), nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)
sa.Table(
    "report_redeployments",
    SCHEMA,
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("at", TZ, nullable=False),
    sa.Column("unit_id", sa.String(64), nullable=False),
    sa.Column("home_bcu", sa.String(4), nullable=False),
    sa.Column("from_bcu", sa.String(4), nullable=False),
    sa.Column("to_bcu", sa.String(4), nullable=False),
    sa.Column("reason", sa.String(200)),
    sa.Index("ix_report_redeployments_at", "at"),
)
sa.Table(
    "report_unit_state",
    SCHEMA,
    sa.Column("unit_id", sa.String(64), primary_key=True),
    sa.Column("unit_type", sa.String(16), nullable=False),
    sa.Column("home_bcu", sa.String(4), nullable=False),
    sa.Column("bcu", sa.String(4), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("since", TZ, nullable=False),
    sa.Column("incident_id", sa.String(64)),
)
sa.Table(
    "report_cursor",
    SCHEMA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
)


# -- a database made before migrations -------------------------------------------------


def _adopt_older_columns() -> None:
    """Columns that Bluelamp versions before 0.1 did not have yet."""
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in present}
    if "events" in present and not {"incident_id", "unit_id"} <= columns["events"]:
        _add_event_subjects()
    if "report_jobs" in present and "heartbeat_at" not in columns["report_jobs"]:
        op.add_column("report_jobs", sa.Column("heartbeat_at", TZ))
    if any(set(SCHEMA.tables[t].columns.keys()) - columns[t] for t in READ_MODEL if t in present):
        # Derived from the log: dropped here, made again, rebuilt by the next catch-up.
        for name in READ_MODEL:
            if name in present:
                op.drop_table(name)


def _add_event_subjects() -> None:
    """What each event is about, read from its body (CloudEvents JSON, ``data.*_id``)."""
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("incident_id", sa.String(64)))
        batch.add_column(sa.Column("unit_id", sa.String(64)))
    if op.get_bind().dialect.name == "postgresql":
        read = "CAST(body AS json) -> 'data' ->> '{}'"
    else:
        read = "json_extract(body, '$.data.{}')"
    op.execute(
        f"UPDATE events SET incident_id = {read.format('incident_id')}, "
        f"unit_id = {read.format('unit_id')}"
    )
    for index in SCHEMA.tables["events"].indexes:
        if index.name in ("ix_events_incident", "ix_events_unit"):
            index.create(op.get_bind())


def _audit_append_only() -> None:
    """The audit log refuses UPDATE and DELETE in the database itself (api.database)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS audit_no_{verb} BEFORE {verb.upper()} ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
        return
    op.execute(
        """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql"""
    )
    op.execute("DROP TRIGGER IF EXISTS audit_append_only ON audit")
    op.execute(
        """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
           FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"""
    )
