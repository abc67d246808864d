"""Advice ledger: report_advice, the read model of every recommendation and its outcome.

New with the recommender's recorded advice (advice.offered, advice.accepted,
advice.dismissed), which no earlier log holds: the table starts empty and the projector
fills it from the events as they come.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # A 0.1 database's read model is rebuilt by 0001 from the rooms' tables as they are
    # now, which made this one already.
    if "report_advice" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "report_advice",
        sa.Column("advice_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("offered_at", TZ, nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("incident_id", sa.String(64)),
        sa.Column("bcu", sa.String(4), nullable=False),
        sa.Column("eta_s", sa.Integer),
        sa.Column("gain", sa.Float),
        sa.Column("reason", sa.String(200)),
        sa.Column("outcome", sa.String(16)),
        sa.Column("outcome_at", TZ),
        sa.Column("outcome_by", sa.String(200)),
        sa.Column("chosen_unit_id", sa.String(64)),
        sa.Column("dismiss_reason", sa.String(200)),
    )
    op.create_index("ix_report_advice_offered", "report_advice", ["offered_at"])
    op.create_index("ix_report_advice_open", "report_advice", ["outcome", "incident_id"])


def downgrade() -> None:
    op.drop_table("report_advice")
