"""Incident places: report_incidents gains lat and lon, where each call was as created.

The recommender's forecast is fitted from them (api.forecasting). Rows already projected
are filled from their incident.created event in the log (``data.lat``, ``data.lon``), so a
read model upgrades in place instead of being rebuilt; the projector writes them from here
on.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    present = {c["name"] for c in sa.inspect(bind).get_columns("report_incidents")}
    with op.batch_alter_table("report_incidents") as batch:
        for name in ("lat", "lon"):
            if name not in present:
                batch.add_column(sa.Column(name, sa.Float))
    if bind.dialect.name == "postgresql":
        read = "CAST(CAST(e.body AS json) -> 'data' ->> '{}' AS double precision)"
    else:
        read = "json_extract(e.body, '$.data.{}')"
    # The first incident.created about the incident: the one the projection folded.
    created = (
        "(SELECT {} FROM events e WHERE e.incident_id = report_incidents.incident_id "
        "AND e.type = 'incident.created' ORDER BY e.seq LIMIT 1)"
    )
    op.execute(
        f"UPDATE report_incidents SET lat = {created.format(read.format('lat'))}, "
        f"lon = {created.format(read.format('lon'))} WHERE lat IS NULL OR lon IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("report_incidents") as batch:
        batch.drop_column("lon")
        batch.drop_column("lat")
