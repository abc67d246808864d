"""The API room's ``bluelamp`` sub-commands: who may sign in.

    bluelamp users add NAME --role ROLE [--bcu CODE]   (asks for the password, or
                                                        BLUELAMP_NEW_PASSWORD / --password-stdin)
    bluelamp users list
    bluelamp users disable NAME    |    bluelamp users enable NAME

``dashboard.cli`` merges this ``app`` into the top-level command.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.accounts import Accounts, NoSuchUser, UserExists
from api.database import open_database
from api.security import Role
from stream.settings import load_settings

app = typer.Typer(help="API administration.")
users = typer.Typer(help="Who may sign in, with which role.", no_args_is_help=True)
app.add_typer(users, name="users")
console = Console()


def _accounts() -> Accounts:
    settings = load_settings()
    return Accounts(open_database(settings.database_url, settings.database_schema))


@users.command("add")
def add(
    name: str,
    role: Annotated[Role, typer.Option(help="commander, inspector, planner or feed.")],
    bcu: Annotated[str | None, typer.Option(help="An inspector's BCU, e.g. AW.")] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    """Add a user. The password is asked for (twice), or read from standard input, or
    taken from BLUELAMP_NEW_PASSWORD; it is never an argument (shell history)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif env := os.environ.get("BLUELAMP_NEW_PASSWORD"):
        password = env
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = _accounts().add(name, password, role, bcu)
    except (ValueError, UserExists) as exc:
        raise typer.BadParameter(str(exc)) from None
    where = f" for {user.bcu}" if user.bcu else ""
    console.print(f"added {user.username}: {user.role.value}{where}")


@users.command("list")
def list_users() -> None:
    """Every user, with role, BCU and whether they may sign in."""
    table = Table("user", "role", "bcu", "state", "created (UTC)")
    for user in _accounts().list():
        table.add_row(
            user.username,
            user.role.value,
            user.bcu or "",
            "disabled" if user.disabled else "active",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@users.command("disable")
def disable(name: str) -> None:
    """Stop a user signing in; their tokens stop working within seconds."""
    _set_disabled(name, True)


@users.command("enable")
def enable(name: str) -> None:
    """Let a disabled user sign in again."""
    _set_disabled(name, False)


def _set_disabled(name: str, disabled: bool) -> None:
    try:
        user = _accounts().set_disabled(name, disabled)
    except NoSuchUser as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{user.username} is {'disabled' if user.disabled else 'active'}")
