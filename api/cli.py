"""The API room's ``bluelamp`` sub-commands: who may sign in, and reports.

    bluelamp users add NAME --role ROLE [--bcu CODE]   (asks for the password, or
                                                        BLUELAMP_NEW_PASSWORD / --password-stdin)
    bluelamp users list
    bluelamp users disable NAME    |    bluelamp users enable NAME
    bluelamp report NAME --from DAY --to DAY [--format csv|xlsx|pdf|json] [--out FILE]
    bluelamp subject-access NAME --dob YYYY-MM-DD       (audited)

``bluelamp.cli`` merges this ``app`` into the top-level command.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.table import Table

from api.accounts import Accounts, NoSuchUser, UserExists
from api.database import open_database
from api.security import Role
from api.settings import ApiSettings
from stream.cli import schema_or_exit
from stream.settings import describe_settings_error

app = typer.Typer(help="API administration.")
users = typer.Typer(help="Who may sign in, with which role.", no_args_is_help=True)
app.add_typer(users, name="users")
console = Console()
S = TypeVar("S", bound=ApiSettings)


def settings_or_exit(kind: type[S], **overrides: Any) -> S:
    """Settings of this ``kind`` (a room's, or the server's: all of them), or exit 2 with
    what is wrong with them (no traceback: the person starting the server needs the
    variable's name and what it must be)."""
    try:
        return kind(**overrides)
    except (ValidationError, SettingsError) as exc:
        typer.echo(
            f"Bluelamp will not start: bad settings\n{describe_settings_error(exc)}", err=True
        )
        raise typer.Exit(2) from None


def _accounts() -> Accounts:
    settings = settings_or_exit(ApiSettings)
    return Accounts(
        schema_or_exit(lambda: open_database(settings.database_url, settings.database_schema))
    )


@users.command("add")
def add(
    name: str,
    role: Annotated[
        Role,
        typer.Option(help="commander, inspector, planner, feed or wall (a read-only wall kiosk)."),
    ],
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


@app.command("report")
def report(
    name: Annotated[str, typer.Argument(help="demand, response or resources")],
    start: Annotated[str, typer.Option("--from", help="First day (London) or RFC 3339 time.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive) or RFC 3339 time.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, pdf or json.")] = "xlsx",
    out: Annotated[Path | None, typer.Option(help="File to write [default: by name].")] = None,
    bcu: Annotated[list[str] | None, typer.Option(help="Only this BCU (repeat for more).")] = None,
    borough: Annotated[list[str] | None, typer.Option(help="Only this borough.")] = None,
    grade: Annotated[list[str] | None, typer.Option(help="Only this grade (I, S, E, R).")] = None,
) -> None:
    """Make a report from the event log (brought up to date first) and write it to a file."""
    from rich.progress import Progress

    from reports.catalogue import REPORTS, Period, ReportError, build
    from reports.formats import render
    from reports.model import Filters
    from reports.readmodel import ReadModel
    from stream.cli import open_log

    if name not in REPORTS:
        raise typer.BadParameter(f"one of {', '.join(sorted(REPORTS))}", param_hint="NAME")
    if fmt not in ("csv", "xlsx", "pdf", "json"):
        raise typer.BadParameter("csv, xlsx, pdf or json", param_hint="--format")
    try:
        period = Period.parse(start, end)
    except ReportError as exc:
        raise typer.BadParameter(str(exc)) from None
    log = open_log(settings_or_exit(ApiSettings))
    model = ReadModel.of(log)
    filters = Filters(
        tuple(c.upper() for c in bcu or []),
        tuple(borough or []),
        tuple(g.upper() for g in grade or []),
    )
    with Progress(console=console, transient=True) as progress:
        last = log.last_seq()
        task = progress.add_task("reading the event log", total=max(1, last))
        cursor = model.cursor()
        while cursor < last:
            cursor = model.catch_up(log, upto=min(last, cursor + 100_000))
            progress.update(task, completed=cursor)
        progress.update(task, description=f"making the {name} report", completed=last)
        made = build(log.engine, name, period, filters)
        if fmt == "json":
            import json

            body, filename = json.dumps(made.to_json(), indent=1).encode(), f"{name}.json"
        else:
            body, _, filename = render(
                made, fmt, lambda step: progress.update(task, description=f"writing {step}")
            )
    target = out or Path(filename)
    target.write_bytes(body)
    console.print(f"{made.title}, {made.period.label()}: {target} ({len(body):,} bytes)")


@app.command("subject-access")
def subject_access(
    name: Annotated[str, typer.Argument(help="The person's name, as they give it.")],
    dob: Annotated[str, typer.Option("--dob", help="Their date of birth, YYYY-MM-DD.")],
) -> None:
    """Every record the event log holds about a person (a data-protection request): their
    links to incidents, by name and date of birth or, past retention, by pseudonym, and the
    records of those incidents. The search is audited (action subject_access.search)."""
    from datetime import date

    from api.audit import AuditEntry, AuditLog, AuditOutcome
    from stream.cli import open_log
    from stream.privacy import pseudonym
    from stream.subject import records_about

    try:
        born = date.fromisoformat(dob)
    except ValueError:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint="--dob") from None
    settings = settings_or_exit(ApiSettings)
    secret = settings.pseudonym_key
    key = None if secret is None else secret.get_secret_value().encode()
    log = open_log(settings)
    try:
        found = records_about(log, name, born, key)
        AuditLog(log.engine).record(
            AuditEntry(
                action="subject_access.search",
                outcome=AuditOutcome.OK,
                actor=f"cli:{os.environ.get('USER', 'unknown')}",
                role="operator",
                detail={
                    "subject": pseudonym(key, name, born) if key else "no key set",
                    "links": len(found.links),
                    "incidents": sorted(found.incidents),
                },
            )
        )
    finally:
        log.close()
    table = Table(title=f"Records about {name} (born {born:%d %B %Y})")
    for column in ("seq", "time (UTC)", "type", "incident", "detail"):
        table.add_column(column)
    for incident_id, records in found.incidents.items():
        for record in records:
            data = record.event.data.model_dump(mode="json", exclude_none=True)
            detail = ", ".join(f"{k}={v}" for k, v in data.items() if k != "incident_id")
            when = f"{record.event.time:%Y-%m-%d %H:%M}"
            table.add_row(str(record.seq), when, record.event.type.value, incident_id, detail)
    console.print(table)
    console.print(
        f"{len(found.links)} links to {len(found.incidents)} incidents"
        + (
            ""
            if key
            else "; BLUELAMP_PSEUDONYM_KEY is not set, so links past retention are not found"
        )
    )
