"""The reports' read model tables, beside the event log in the same database.

``report_incidents``: one row per incident — created, first assigned, first arrived, closed
(UTC), grade at creation and now, category, where (lat/lon as created), borough, BCU, the
first unit and its home BCU.
``report_unit_hours``: seconds each unit spent in each status, per UTC hour and per BCU it
was deployed to. ``report_redeployments``: every move of a unit between BCUs.
``report_unit_state``: where the projection of each unit stands (its open interval).
``report_cursor``: the last seq projected.

The migrations make them (bluelamp.migrations); being derived from the log, a revision may
drop and remake them, and the next catch-up rebuilds them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)

from stream.engines import require_tables

metadata = MetaData()

report_incidents = Table(
    "report_incidents",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("initial_grade", String(1), nullable=False),
    Column("grade", String(1), nullable=False),
    Column("category", String(200), nullable=False),
    Column("borough", String(40)),
    Column("bcu", String(4)),
    Column("assigned_at", DateTime(timezone=True)),
    Column("arrived_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("first_unit", String(64)),
    Column("first_unit_home_bcu", String(4)),
    Column("outcome", String(200)),
    Column("reference", String(200)),  # the CAD's, as people name the incident
    Column("address", String(200)),
    # Where the call was, as created: the recommender's forecast is fitted from these
    # (api.forecasting). Null only in a row no migration could find the event for.
    Column("lat", Float),
    Column("lon", Float),
    # Its point's H3 cell (resolution 10): a place's history by index (reports.history).
    Column("cell", BigInteger),
    Index("ix_report_incidents_created", "created_at"),
    Index("ix_report_incidents_cell", "cell", "created_at", "lat", "lon"),
)

report_unit_hours = Table(
    "report_unit_hours",
    metadata,
    Column("hour", DateTime(timezone=True), primary_key=True),  # UTC hour start
    Column("unit_id", String(64), primary_key=True),
    Column("bcu", String(4), primary_key=True),  # deployed to, in that time
    Column("status", String(16), primary_key=True),
    Column("home_bcu", String(4), nullable=False),
    Column("unit_type", String(16), nullable=False),
    Column("seconds", Float, nullable=False),
)

report_redeployments = Table(
    "report_redeployments",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("home_bcu", String(4), nullable=False),
    Column("from_bcu", String(4), nullable=False),
    Column("to_bcu", String(4), nullable=False),
    Column("reason", String(200)),
    Index("ix_report_redeployments_at", "at"),
)

report_unit_state = Table(
    "report_unit_state",
    metadata,
    Column("unit_id", String(64), primary_key=True),
    Column("unit_type", String(16), nullable=False),
    Column("home_bcu", String(4), nullable=False),
    Column("bcu", String(4), nullable=False),
    Column("status", String(16), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("incident_id", String(64)),
)

#: The ledger of advice (reports/ledger.py): every recommendation recorded (advice.offered)
#: and what became of it. ``outcome`` is null while it is open.
report_advice = Table(
    "report_advice",
    metadata,
    Column("advice_id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # assignment or move
    Column("offered_at", DateTime(timezone=True), nullable=False),
    Column("unit_id", String(64), nullable=False),
    Column("incident_id", String(64)),
    Column("bcu", String(4), nullable=False),  # the call's, or where the move goes
    Column("eta_s", Integer),
    Column("gain", Float),
    Column("reason", String(200)),
    Column("outcome", String(16)),  # accepted, overridden, dismissed or expired
    Column("outcome_at", DateTime(timezone=True)),
    Column("outcome_by", String(200)),  # who: a user, or the feed's source
    Column("chosen_unit_id", String(64)),  # overridden: the unit sent instead
    Column("dismiss_reason", String(200)),
    Index("ix_report_advice_offered", "offered_at"),
    Index("ix_report_advice_open", "outcome", "incident_id"),
)

report_cursor = Table(
    "report_cursor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

#: The tables a rebuild empties (the cursor goes back to 0 instead).
PROJECTED = (
    report_incidents,
    report_unit_hours,
    report_redeployments,
    report_unit_state,
    report_advice,
)


def open_tables(engine: Engine) -> None:
    """Check the read model's tables are there (the migrations make them), with the cursor."""
    require_tables(engine, metadata)
    with engine.begin() as conn:
        if conn.execute(select(report_cursor.c.seq)).first() is None:
            conn.execute(insert(report_cursor).values(id=1, seq=0))
