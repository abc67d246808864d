"""Alembic's environment: migrations run on the connection ``bluelamp.migrations`` hands it
(SQLite in batch mode, since SQLite alters a table by copying it)."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes["connection"]
if connection is None:
    raise RuntimeError("Bluelamp migrates online only: use bluelamp.migrations.upgrade")
context.configure(
    connection=connection,
    target_metadata=config.attributes["target_metadata"],
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
