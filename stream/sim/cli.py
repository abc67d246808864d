"""``bluelamp simulate`` and ``bluelamp evaluate``.

bluelamp simulate --scenario normal-day --speed 60 --seed 7 [--policy P] [--out FILE]
bluelamp evaluate --scenario normal-day --policy closest-idle-any --days 7 --seed 7
bluelamp rerun --from 2026-11-25T22:00 --to 2026-11-26T04:00 --policy bluelamp
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from geodata import London
from stream.bus import open_bus
from stream.cli import open_log
from stream.keys import Keys
from stream.settings import load_settings
from stream.sim import dispatch
from stream.sim.demand import LONDON_TZ
from stream.sim.engine import SimOptions, Simulation
from stream.sim.evaluate import Evaluation, Figures, evaluate, pooled
from stream.sim.rerun import WARM_UP, EmptyPeriod, Rerun, read_period
from stream.sim.scenario import Scenario, ScenarioError, load

app = typer.Typer()
console = Console(stderr=True)
FLUSH_S = 0.05  # paced runs hand events to the bus at most this often

ScenarioOption = Annotated[str, typer.Option(help="A name in stream/sim/scenarios or a path.")]
SeedOption = Annotated[int, typer.Option(help="Same seed, same events.")]
PolicyOption = Annotated[
    str, typer.Option(help="closest-idle-own-bcu, closest-idle-any, manual, or a registered one.")
]


def _scenario(name: str, start: str | None, hours: float | None) -> Scenario:
    try:
        scenario = load(name)
    except ScenarioError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scenario") from None
    if start is not None or hours is not None:
        when = scenario.start
        if start == "now":
            when = datetime.now(LONDON_TZ).replace(microsecond=0)
        elif start is not None:
            parsed = datetime.fromisoformat(start)
            when = parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON_TZ)
        scenario = scenario.starting(when, hours)
    return scenario


def _policy(name: str) -> str:
    if name not in dispatch.policy_names():
        raise typer.BadParameter(
            f"unknown policy {name!r}; one of {', '.join(dispatch.policy_names())}",
            param_hint="--policy",
        )
    return name


@app.command()
def simulate(
    scenario: ScenarioOption = "normal-day",
    speed: Annotated[
        float, typer.Option(help="1 = real time, 60 = a minute a second, 0 = as fast as possible.")
    ] = 1.0,
    seed: SeedOption = 7,
    policy: PolicyOption = "closest-idle-own-bcu",
    out: Annotated[
        Path | None, typer.Option(help="Write JSON lines here instead of to the ingest stream.")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="Local start time (ISO) or 'now'; default the scenario's.")
    ] = None,
    hours: Annotated[float | None, typer.Option(help="How long; default the scenario's.")] = None,
    warm_up: Annotated[
        float, typer.Option(help="With --start now: minutes simulated at once before 'now'.")
    ] = 60.0,
    pings: Annotated[bool, typer.Option(help="AVL pings (unit.location).")] = True,
    ping_seconds: Annotated[float, typer.Option(help="AVL interval while moving.")] = 10.0,
    intel: Annotated[
        bool, typer.Option(help="Repeat places, warning markers and linked (invented) people.")
    ] = True,
) -> None:
    """Run a scenario and publish its events through the ingest contract (or to a file)."""
    chosen = _scenario(scenario, start, hours)
    if start == "now" and warm_up > 0:
        # Begin in the past, so the picture has the last hour's incidents from the start.
        chosen = chosen.starting(chosen.start - timedelta(minutes=warm_up), chosen.hours)
    options = SimOptions(pings=pings, ping_moving_s=ping_seconds, intel=intel)
    sim = Simulation(London.load(), chosen, _policy(policy), seed, options)
    events = _paced(sim.events(), chosen.start, speed)
    if out is not None:
        with out.open("w") as handle:
            count = sum(handle.write(json.dumps(e) + "\n") > 0 for e in events)
        console.print(f"{count:,} events written to {out}")
        return
    settings = load_settings()
    if settings.redis_url.startswith("memory://"):
        raise typer.BadParameter(
            "the in-process bus has no other process to read it: set BLUELAMP_REDIS_URL to a "
            "Redis the service uses, or write a file with --out",
            param_hint="--out",
        )
    _warn_if_ahead(chosen, speed, settings.max_event_ahead_s)
    count = asyncio.run(_publish(events, settings.redis_url, settings.key_prefix))
    console.print(f"{count:,} events put on the ingest stream")


def runs_ahead(start: datetime, end: datetime, speed: float, now: datetime) -> timedelta:
    """How far the last event of a run is stamped after the wall clock when it goes out
    (as _paced releases events: at once until ``now``, then at ``speed``)."""
    if speed <= 0:
        return end - now
    return end - now - (end - max(start, now)) / speed


def _warn_if_ahead(chosen: Scenario, speed: float, ahead_s: int) -> None:
    ahead = runs_ahead(chosen.start, chosen.end, speed, datetime.now(UTC))
    if ahead > timedelta(seconds=ahead_s):
        console.print(
            f"warning: this run's events get up to {ahead.total_seconds():,.0f} s ahead of the "
            f"clock; a spine rejects events more than BLUELAMP_MAX_EVENT_AHEAD_S={ahead_s} s "
            "ahead of its clock: start the spine it feeds with a larger value "
            "(docs/simulation.md)"
        )


def _paced(events: Iterator[dict[str, Any]], start: datetime, speed: float) -> Iterator[Any]:
    """Events in chunks, each released when its time comes at ``speed`` (0: at once)."""
    if speed <= 0:
        yield from events
        return
    wall0, sim0, now = time.monotonic(), start.timestamp(), datetime.now(UTC).timestamp()
    for event in events:
        t = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
        if t > now:  # the warm-up (events before now) goes out at once
            delay = (t - max(sim0, now)) / speed - (time.monotonic() - wall0)
            if delay > 0:
                time.sleep(delay)
        yield event


async def _publish(events: Iterator[dict[str, Any]], url: str, prefix: str) -> int:
    bus = open_bus(url, Keys(prefix))
    count, chunk, flushed = 0, [], time.monotonic()
    try:
        for event in events:
            chunk.append(json.dumps(event))
            if len(chunk) >= 500 or time.monotonic() - flushed > FLUSH_S:
                await bus.add(chunk)
                count, chunk, flushed = count + len(chunk), [], time.monotonic()
        if chunk:
            await bus.add(chunk)
            count += len(chunk)
    finally:
        await bus.close()
    return count


@app.command(name="evaluate")
def evaluate_command(
    scenario: ScenarioOption = "normal-day",
    policy: PolicyOption = "closest-idle-own-bcu",
    days: Annotated[float, typer.Option(help="Simulated days.")] = 1.0,
    seed: SeedOption = 7,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object (by grade, by BCU) for scripts.")
    ] = False,
) -> None:
    """Run a scenario as fast as possible and print response figures per grade and BCU."""
    chosen = _scenario(scenario, None, days * 24)
    sim = Simulation(London.load(), chosen, _policy(policy), seed, SimOptions(pings=False))
    started = time.perf_counter()
    result = evaluate(sim.events(), sim.london.locate)
    seconds = time.perf_counter() - started
    driving = {
        "moves": sim.moves,
        "moves_per_hour": round(sim.moves / (days * 24), 2),
        "km_driven": round(sum(u.km for u in sim.units), 1),
        "diversions": sim.diversions,
        "backups": sim.backups,
        "stood_down": sim.stood_down,
        "overtime_h": round(sim.overtime_s / 3600, 1),
        "left_scenes": sim.left_scenes,
        "resume_wait_s": round(mean(sim.resumed), 1) if sim.resumed else None,
    }
    if as_json:
        run = {"policy": policy, "scenario": chosen.name, "seed": seed, "days": days}
        sys.stdout.write(json.dumps(run | result.as_json() | driving) + "\n")
        return
    out = Console(file=sys.stdout)
    out.print(
        f"{chosen.name}, policy {policy}, seed {seed}: {days:g} day(s) from "
        f"{chosen.start:%a %d %b %Y %H:%M} in {seconds:.1f} s ({result.incidents:,} incidents)"
    )
    out.print(_table("By grade", [(g, result.by_grade[g]) for g in sorted(result.by_grade)]))
    rows = [(f"{bcu} {g}", f) for (bcu, g), f in sorted(result.by_bcu_grade.items()) if g in "IS"]
    out.print(_table("By BCU (I and S)", rows))
    out.print(_utilisation(result))
    out.print(
        f"move-ups: {driving['moves']} ({driving['moves_per_hour']:g} an hour); "
        f"units drove {driving['km_driven']:,.0f} km"
    )
    out.print(
        f"diversions: {sim.diversions} (units taken off their way to an S, E or R call for "
        "an I-grade one); back-ups: "
        f"{sim.backups} (sent beside a unit running late to an I-grade call; "
        f"{sim.stood_down} stood down when another was there first)"
    )
    out.print(f"worked past the shift's end: {driving['overtime_h']:,.1f} unit-hours")
    if sim.left_scenes:
        out.print(
            f"left an E-grade call's scene for an I-grade one: {sim.left_scenes} (the call "
            f"waited {driving['resume_wait_s'] or 0:.0f} s on average for its next unit)"
        )


TIME_HELP = "The period's start: RFC 3339 (2026-11-25T22:00:00Z) or a local London time."


def _moment(text: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time", param_hint=name) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON_TZ)).astimezone(UTC)


@app.command(name="rerun")
def rerun_command(
    start: Annotated[str, typer.Option("--from", help=TIME_HELP)],
    end: Annotated[str, typer.Option("--to", help="The period's end, as --from.")],
    policy: PolicyOption = "bluelamp",
    seed: SeedOption = 7,
    runs: Annotated[int, typer.Option(min=1, max=20, help="Re-runs (seeds on from --seed).")] = 3,
    warm_up: Annotated[
        float, typer.Option(min=0, max=48, help="Hours re-run before the period, not judged.")
    ] = WARM_UP.total_seconds() / 3600,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object for scripts.")] = False,
) -> None:
    """Re-run a recorded period of the log (its calls as they came, its units as they came on
    duty) under a dispatch policy in the simulator, beside what really happened."""
    since, until = _moment(start, "--from"), _moment(end, "--to")
    if since >= until:
        raise typer.BadParameter("--from must be before --to", param_hint="--to")
    london = London.load()
    log = open_log(load_settings())
    try:
        period = read_period(log, since, until, timedelta(hours=warm_up))
    except EmptyPeriod as exc:
        raise typer.BadParameter(str(exc), param_hint="--from") from None
    finally:
        log.close()
    real = evaluate(period.events, london.locate)
    sims = [Rerun(london, period, _policy(policy), seed + n) for n in range(runs)]
    each = [evaluate(sim.judged(), london.locate) for sim in sims]
    again = pooled(each)
    driving = {
        "moves": sum(s.moves for s in sims) / runs,
        "km_driven": round(sum(u.km for s in sims for u in s.units) / runs, 1),
        "diversions": sum(s.diversions for s in sims) / runs,
        "backups": sum(s.backups for s in sims) / runs,
    }
    if as_json:
        head: dict[str, Any] = {"from": since.isoformat(), "to": until.isoformat()}
        head |= {"policy": policy, "seeds": [seed + n for n in range(runs)]}
        head |= {"warm_up_h": warm_up, "calls": len(period.calls), "units": len(period.units)}
        both = {"recorded": real.as_json(), "rerun": again.as_json() | driving}
        sys.stdout.write(json.dumps(head | both | {"runs": [e.as_json() for e in each]}) + "\n")
        return
    out = Console(file=sys.stdout)
    out.print(
        f"{since:%a %d %b %Y %H:%M} to {until:%a %d %b %H:%M} UTC (seqs {period.first_seq:,} to "
        f"{period.last_seq:,}): {len(period.calls):,} calls, {len(period.units):,} units; "
        f"re-run {runs} times under {policy} (seeds from {seed}), each from "
        f"{period.begins:%H:%M} ({warm_up:g} h before, not judged)"
    )
    out.print(_side_by_side("By grade", real, again, policy))
    spread = ", ".join(
        f"{g} {_pct(min(e.by_grade[g].within_target for e in each))}-"
        f"{_pct(max(e.by_grade[g].within_target for e in each))}"
        for g in ("I", "S")
        if all(g in e.by_grade for e in each)
    )
    out.print(
        f"within target, run by run: {spread}. A re-run's mean: move-ups "
        f"{driving['moves']:g}, {driving['km_driven']:,.0f} km driven, diversions "
        f"{driving['diversions']:g}. Handling times are the model's (docs/simulation.md)."
    )


def _side_by_side(title: str, real: Evaluation, again: Evaluation, policy: str) -> Table:
    table = Table(title=title)
    for column in ("", "incidents", "recorded: within target", "mean", "90th pct"):
        table.add_column(column, justify="right")
    for column in (f"{policy}: within target", "mean", "90th pct"):
        table.add_column(column, justify="right")
    for grade in sorted(real.by_grade):
        a, b = real.by_grade[grade], again.by_grade.get(grade, Figures())
        table.add_row(
            grade, f"{a.incidents:,}", _pct(a.within_target), _mmss(a.mean_s), _mmss(a.p90_s),
            _pct(b.within_target), _mmss(b.mean_s), _mmss(b.p90_s),
        )  # fmt: skip
    return table


def _table(title: str, rows: list[tuple[str, Figures]]) -> Table:
    table = Table(title=title)
    for column in ("", "incidents", "within target", "mean", "90th pct"):
        table.add_column(column, justify="right")
    for label, f in rows:
        table.add_row(
            label, f"{f.incidents:,}", _pct(f.within_target), _mmss(f.mean_s), _mmss(f.p90_s)
        )
    return table


def _utilisation(result: Evaluation) -> Table:
    table = Table(title="Unit utilisation (committed / on duty)")
    table.add_column("home BCU")
    table.add_column("utilisation", justify="right")
    for home, share in sorted(result.utilisation.items()):
        table.add_row(home, _pct(share))
    return table


def _pct(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _mmss(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"
