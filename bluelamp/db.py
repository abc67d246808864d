"""The ``bluelamp db`` commands: where the database's schema stands, and upgrading it.

    bluelamp db upgrade     move the database (BLUELAMP_DATABASE_URL) to this version's schema
    bluelamp db current     the revision it is at, and the one this Bluelamp needs
    bluelamp db history     every revision, oldest first

``bluelamp.migrations`` (and Alembic) are imported when a command runs, so that
``bluelamp --help`` stays quick.
"""

from __future__ import annotations

import typer

from api.cli import settings_or_exit
from bluelamp.settings import Settings

app = typer.Typer(help="The database's schema.")
db = typer.Typer(help="The database's schema: where it stands, upgrading it.", no_args_is_help=True)
app.add_typer(db, name="db")


@db.command()
def upgrade() -> None:
    """Upgrade the database to this Bluelamp's schema (back it up first)."""
    from bluelamp import migrations

    settings = settings_or_exit(Settings)
    try:
        before = migrations.standing(settings.database_url, settings.database_schema)
        after = migrations.upgrade(settings.database_url, settings.database_schema)
    except migrations.SchemaUnknown as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if before.current == after.current:
        typer.echo(f"Up to date: {after.database} is at {after.current}.")
    else:
        was = before.current or "no revision"
        typer.echo(f"Upgraded {after.database} from {was} to {after.current}.")


@db.command()
def current() -> None:
    """The revision the database is at; exits 1 if it is behind this Bluelamp."""
    from bluelamp import migrations

    settings = settings_or_exit(Settings)
    try:
        now = migrations.standing(settings.database_url, settings.database_schema)
    except migrations.SchemaUnknown as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(now.describe())
    if now.behind:
        raise typer.Exit(1)


@db.command()
def history() -> None:
    """Every revision, oldest first."""
    from bluelamp import migrations

    for line in migrations.history():
        typer.echo(line)
