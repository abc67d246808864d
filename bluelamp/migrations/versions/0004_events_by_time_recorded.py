"""Events by the time they were recorded: an index on (recorded_at, seq), so a past moment
asked for by the clock (``GET /api/picture?at=2026-11-26T02:00:00Z``) is found with one
index probe (stream.log.EventLog.seq_at) however long the log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("events")}
    if "ix_events_recorded" not in present:
        op.create_index("ix_events_recorded", "events", ["recorded_at", "seq"])


def downgrade() -> None:
    op.drop_index("ix_events_recorded", table_name="events")
