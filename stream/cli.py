"""The stream room's ``bluelamp`` commands: push events in, read the log, print the picture.

bluelamp ingest events.jsonl        # one CloudEvents JSON per line; a summary at the end
bluelamp log tail [-n 20] [--follow]
bluelamp picture                    # open incidents and units per BCU, and the KPIs
bluelamp retention apply [--dry-run] # personal data past its time out of the log

They use the same configuration as ``bluelamp serve`` and ``bluelamp demo`` (one default
database for all), and never write the event log themselves: ``ingest`` hands its events to
the running service's sequencer, through the Redis ingest stream or the service's HTTP API.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stream import retention
from stream.engines import SchemaBehind, where
from stream.events import Recorded, to_dict
from stream.log import EventLog
from stream.outcome import Outcome, Verdict
from stream.privacy import shareable
from stream.settings import SpineSettings, load_settings

app = typer.Typer(help="The event spine.")
T = TypeVar("T")
log_app = typer.Typer(help="Read the event log.", no_args_is_help=True)
app.add_typer(log_app, name="log")
retention_app = typer.Typer(help="Personal data past its time.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
console = Console()
CHUNK = 500


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines.")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each chunk.")] = 60.0,
    api: Annotated[
        str | None,
        typer.Option(help="The running service's URL: send through its HTTP API as --user."),
    ] = None,
    user: Annotated[str | None, typer.Option(help="A feed account, with --api.")] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the --user's password from standard input.")
    ] = False,
) -> None:
    """Push events from a JSON-lines file through the ingest contract, as a producer would.

    Each line is one CloudEvents JSON event. The running service decides them: through the
    Redis ingest stream (BLUELAMP_REDIS_URL), or with --api through its HTTP API as a feed
    account. Invalid lines are rejected with their reason; the summary counts accepted,
    duplicate and rejected.
    """
    lines = [line for line in file.read_text().splitlines() if line.strip()]
    settings = load_settings()
    if api is not None:
        if not user:
            raise typer.BadParameter("--api needs --user (a feed account)", param_hint="--user")
        password = _password(password_stdin)
        outcomes = _ingest_http(api, user, password, lines, timeout)
    elif settings.redis_url.startswith("memory://"):
        console.print(
            "[red]bluelamp ingest cannot reach the service[/]: BLUELAMP_REDIS_URL is memory://, "
            "the bus inside the running server's own process. Send through its HTTP API "
            "instead (--api http://127.0.0.1:8050 --user <a feed account>), or configure the "
            "same Redis as the service."
        )
        raise typer.Exit(2)
    else:
        outcomes = schema_or_exit(lambda: asyncio.run(_ingest(settings, lines, timeout)))
    _summarise(lines, outcomes)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True))


def _summarise(lines: list[str], outcomes: list[Outcome]) -> None:
    counts = Counter(o.verdict for o in outcomes)
    console.print(
        f"[bold]{len(lines):,} events[/]: [green]{counts[Verdict.ACCEPTED]:,} accepted[/], "
        f"{counts[Verdict.DUPLICATE]:,} duplicate, [red]{counts[Verdict.REJECTED]:,} rejected[/]"
    )
    rejected = [(n, o) for n, o in enumerate(outcomes, 1) if o.verdict is Verdict.REJECTED]
    for line_no, outcome in rejected[:20]:
        console.print(f"  line {line_no}: {outcome.reason}")
    if len(rejected) > 20:
        console.print(f"  … and {len(rejected) - 20:,} more (see the rejected stream)")
    raise typer.Exit(1 if rejected else 0)


def _progress() -> Progress:
    columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console)


async def _ingest(settings: SpineSettings, lines: list[str], timeout: float) -> list[Outcome]:
    from geodata import London
    from stream.spine import OutcomeTimeout, Spine

    london = London.load(settings.boundaries, settings.h3_resolution)
    outcomes: list[Outcome] = []
    # sequence=False: this process only queues events; the service's sequencer (whoever
    # holds the lease) is the one writer of the log.
    async with Spine.open(
        settings, london, sequence=False, database_schema=settings.database_schema
    ) as spine:
        with _progress() as progress:
            task = progress.add_task("ingest", total=len(lines))
            for start in range(0, len(lines), CHUNK):
                chunk = lines[start : start + CHUNK]
                try:
                    outcomes += await spine.submit_many(chunk, timeout)
                except OutcomeTimeout:
                    console.print(
                        f"[red]no Bluelamp service sequenced the events within {timeout:g} s[/]; "
                        f"they wait on the ingest stream of {settings.redis_url} "
                        f"(key prefix {settings.key_prefix!r}). Is the service running there?"
                    )
                    raise typer.Exit(3) from None
                progress.advance(task, len(chunk))
    return outcomes


def _ingest_http(
    url: str, user: str, password: str, lines: list[str], timeout: float
) -> list[Outcome]:
    import httpx

    base = url.rstrip("/")
    with httpx.Client(base_url=base, timeout=timeout) as client:
        signed = client.post("/api/token", data={"username": user, "password": password})
        if signed.status_code != 200:
            console.print(f"[red]sign-in at {base} failed[/]: {_detail(signed)}")
            raise typer.Exit(2)
        client.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"
        outcomes: list[Outcome] = []
        with _progress() as progress:
            task = progress.add_task("ingest", total=len(lines))
            for start in range(0, len(lines), CHUNK):
                outcomes += _post_chunk(client, lines[start : start + CHUNK])
                progress.advance(task, len(lines[start : start + CHUNK]))
    return outcomes


def _post_chunk(client: Any, chunk: list[str]) -> list[Outcome]:
    """Answers for one chunk, in order. A line that is not JSON cannot travel inside the
    request's array: it is answered here, with the same reason the service would give."""
    answers: list[Outcome | None] = []
    events: list[Any] = []
    for line in chunk:
        try:
            events.append(json.loads(line))
            answers.append(None)
        except ValueError as exc:
            answers.append(Outcome(Verdict.REJECTED, None, None, reason=f"malformed JSON: {exc}"))
    verdicts: list[Outcome] = []
    if events:
        answer = client.post("/api/events", json=events)
        if answer.status_code not in (200, 422) or not isinstance(answer.json(), dict):
            console.print(f"[red]the service answered {answer.status_code}[/]: {_detail(answer)}")
            raise typer.Exit(3)
        verdicts = [Outcome.from_dict(r) for r in answer.json()["results"]]
    decided = iter(verdicts)
    return [a if a is not None else next(decided) for a in answers]


def _detail(answer: Any) -> str:
    try:
        return str(answer.json().get("detail", answer.text))
    except ValueError:
        return str(answer.text)[:200]


def open_log(settings: SpineSettings) -> EventLog:
    """The configured log for reading, or a clear exit saying where it looked. A missing
    SQLite file is not created: that would answer with an empty London."""
    place = where(settings.database_url, settings.database_schema)
    if (path := _sqlite_path(settings.database_url)) is not None and not path.exists():
        console.print(
            f"[red]no event log at {place}[/]. `bluelamp serve` and `bluelamp demo` keep it "
            "there by default; run this where they run, or set BLUELAMP_DATABASE_URL (and "
            "BLUELAMP_DATABASE_SCHEMA) to the service's database."
        )
        raise typer.Exit(1)
    log = schema_or_exit(lambda: EventLog(settings.database_url, schema=settings.database_schema))
    if log.last_seq() == 0:
        console.print(f"[yellow]the event log at {place} is empty[/]")
    return log


def schema_or_exit(opening: Callable[[], T]) -> T:
    """What ``opening`` opens, or exit 1 saying the database needs upgrading (a command
    reads the database as it is: only the composition root migrates it)."""
    try:
        return opening()
    except SchemaBehind as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


@log_app.command("tail")
def tail(
    n: Annotated[int, typer.Option("-n", "--lines", min=1, help="How many events.")] = 20,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing.")] = False,
) -> None:
    """Print the last events of the log (seq, time, type, BCU, data), oldest first."""
    log = open_log(load_settings())
    after = max(log.last_seq() - n, 0)
    try:
        while True:
            for record in log.read(after, 1_000):
                console.print(_line(record), highlight=False, soft_wrap=True)
                after = record.seq
            if not follow:
                return
            time.sleep(0.5)
    except KeyboardInterrupt:
        return
    finally:
        log.close()


def _line(record: Recorded) -> str:
    event = record.event
    data = json.dumps(shareable({"event": to_dict(event)})["event"]["data"], separators=(",", ":"))
    return (
        f"{record.seq:>9} {event.time:%Y-%m-%d %H:%M:%S}Z {event.type.value:<18} "
        f"{record.bcu or '-':<3} {data}"
    )


@app.command()
def picture() -> None:
    """Print the current picture, rebuilt from the log: per-BCU counts and the KPIs."""
    log = open_log(load_settings())
    try:
        current = log.picture()
    finally:
        log.close()
    table = Table(title=f"Bluelamp picture at seq {current.seq:,}")
    for column in (
        "BCU",
        "open I",
        "open S",
        "open E",
        "open R",
        "awaiting",
        "available",
        "en route",
        "on scene",
        "busy",
        "on duty",
        "load",
    ):
        table.add_column(column, justify="right")
    for bcu, c in current.bcu_counts().items():
        grades, units = c.open_by_grade, c.units_by_status
        table.add_row(
            bcu,
            *(str(grades[g]) for g in "ISER"),
            str(c.awaiting_unit),
            str(c.available),
            str(units["en_route"]),
            str(units["on_scene"]),
            str(units["busy"]),
            str(c.on_duty),
            f"{c.load:.2f}",
        )
    console.print(table)
    kpis = current.kpis()
    share = kpis["i_within_target_last_hour"]
    console.print(
        f"as of {kpis['as_of'] or '—'}: {kpis['open_i']} open I, {kpis['open_s']} open S, "
        f"{kpis['available_units']} of {kpis['on_duty_units']} units available; "
        f"I-grade within 15 min, last hour: {'—' if share is None else f'{share:.0%}'}"
    )


@retention_app.command("apply")
def retention_apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would go; change nothing.")
    ] = False,
) -> None:
    """Rewrite the log's personal data past its time (stream/retention.py): linked people
    BLUELAMP_RETAIN_PEOPLE_DAYS after their incident closed become a pseudonym, markers past
    their review date lose text and address; the snapshots that held them are replaced.
    Lists what it rewrites by seq and id, never the data itself."""
    settings = load_settings()
    if settings.pseudonym_key is None or len(settings.pseudonym_key.get_secret_value()) < 32:
        console.print(
            "[red]BLUELAMP_PSEUDONYM_KEY is not set[/] (a secret of at least 32 characters, "
            "kept like the server's other secrets and never changed: people past retention "
            "are known by a keyed hash under it)"
        )
        raise typer.Exit(2)
    key = settings.pseudonym_key.get_secret_value().encode()
    log = open_log(settings)
    try:
        made = retention.plan(log, datetime.now(UTC), settings.retain_people_days, key)
        table = Table(title="Retention" + (" (dry run: nothing changed)" if dry_run else ""))
        for column in ("seq", "what", "about"):
            table.add_column(column)
        for rewrite in made.rewrites:
            what = "person: name out" if rewrite.kind == "person" else "marker: text out"
            table.add_row(str(rewrite.seq), what, rewrite.about)
        console.print(table)
        if not dry_run:
            retention.apply(log, made)
        counts = made.summary()
        verb = "would rewrite" if dry_run else "rewrote"
        console.print(
            f"{verb} {counts['people']} linked people and {counts['markers']} marker versions; "
            f"{counts['snapshots']} snapshots {'would be' if dry_run else 'were'} replaced"
        )
    finally:
        log.close()
