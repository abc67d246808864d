"""Incident cells: report_incidents gains ``cell``, the H3 cell (resolution 10) of each
call's point, indexed with ``created_at`` and the point (so the index alone decides which
calls are near), so a place's history (GET /api/incidents/{id}/context) is found by index,
not by a scan (reports.history).

Rows already projected get theirs from their lat and lon here, a page at a time (H3 is not
in SQL), so a read model upgrades in place; the projector writes them from here on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reports.history import cell_of

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PAGE = 10_000


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if "cell" not in {c["name"] for c in inspector.get_columns("report_incidents")}:
        with op.batch_alter_table("report_incidents") as batch:
            batch.add_column(sa.Column("cell", sa.BigInteger))
    if "ix_report_incidents_cell" not in {
        i["name"] for i in inspector.get_indexes("report_incidents")
    }:
        op.create_index(
            "ix_report_incidents_cell", "report_incidents", ["cell", "created_at", "lat", "lon"]
        )
    pick = sa.text(
        "SELECT incident_id, lat, lon FROM report_incidents "
        "WHERE cell IS NULL AND lat IS NOT NULL AND lon IS NOT NULL LIMIT :n"
    )
    put = sa.text("UPDATE report_incidents SET cell = :cell WHERE incident_id = :id")
    while rows := list(bind.execute(pick, {"n": PAGE})):
        bind.execute(put, [{"id": r.incident_id, "cell": cell_of(r.lat, r.lon)} for r in rows])
    if bind.dialect.name == "postgresql":
        # Statistics for the new column now: without them the planner reads a year of calls
        # by created_at instead of a few cells by the new index (until autovacuum's analyse).
        op.execute("ANALYZE report_incidents")


def downgrade() -> None:
    op.drop_index("ix_report_incidents_cell", table_name="report_incidents")
    with op.batch_alter_table("report_incidents") as batch:
        batch.drop_column("cell")
