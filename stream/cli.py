"""The stream room's ``bluelamp`` commands: push events in, read the log, print the picture.

bluelamp ingest events.jsonl        # one CloudEvents JSON per line; a summary at the end
bluelamp log tail [-n 20] [--follow]
bluelamp picture                    # open incidents and units per BCU, and the KPIs
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stream.events import Recorded, to_dict
from stream.log import EventLog
from stream.outcome import Outcome, Verdict
from stream.settings import Settings, load_settings

app = typer.Typer(help="The event spine.")
log_app = typer.Typer(help="Read the event log.", no_args_is_help=True)
app.add_typer(log_app, name="log")
console = Console()
CHUNK = 500


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines.")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each chunk.")] = 60.0,
) -> None:
    """Push events from a JSON-lines file through the ingest contract, as a producer would.

    Each line is one CloudEvents JSON event. Invalid lines are rejected with their reason
    (and kept on the rejected stream); the summary counts accepted, duplicate and rejected.
    """
    lines = [line for line in file.read_text().splitlines() if line.strip()]
    settings = load_settings()
    outcomes = asyncio.run(_ingest(settings, lines, timeout))
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


async def _ingest(settings: Settings, lines: list[str], timeout: float) -> list[Outcome]:
    from geodata import London
    from stream.spine import Spine

    london = London.load(settings.boundaries, settings.h3_resolution)
    outcomes: list[Outcome] = []
    columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    async with Spine.open(settings, london) as spine:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("ingest", total=len(lines))
            for start in range(0, len(lines), CHUNK):
                chunk = lines[start : start + CHUNK]
                outcomes += await spine.submit_many(chunk, timeout)
                progress.advance(task, len(chunk))
    return outcomes


@log_app.command("tail")
def tail(
    n: Annotated[int, typer.Option("-n", "--lines", min=1, help="How many events.")] = 20,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing.")] = False,
) -> None:
    """Print the last events of the log (seq, time, type, BCU, data), oldest first."""
    log = EventLog(load_settings().database_url)
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
    data = json.dumps(to_dict(event)["data"], separators=(",", ":"))
    return (
        f"{record.seq:>9} {event.time:%Y-%m-%d %H:%M:%S}Z {event.type.value:<18} "
        f"{record.bcu or '-':<3} {data}"
    )


@app.command()
def picture() -> None:
    """Print the current picture, rebuilt from the log: per-BCU counts and the KPIs."""
    log = EventLog(load_settings().database_url)
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
