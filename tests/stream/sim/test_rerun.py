"""``bluelamp rerun``: a recorded day taken back out of a real log (SQLite, recorded at its
event times as a live log is) and dispatched again in the simulator. Under the policy that
made it, the re-run gives the recorded figures back; the period's calls and fleet are the
log's, counted from its raw events by another route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from bluelamp.cli import create_cli
from stream.events import Recorded, parse_event
from stream.log import EventLog, events
from stream.sim.engine import SimOptions, Simulation
from stream.sim.evaluate import evaluate, pooled
from stream.sim.rerun import WARM_UP, Rerun, read_period
from stream.sim.scenario import load
from tests.databases import migrated
from tests.stream.factories import london

START = datetime(2026, 11, 10, 6, tzinfo=UTC)
HOURS = 24
POLICY = "closest-idle-own-bcu"


@pytest.fixture(scope="module")
def recorded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A simulated day in a log: (its URL, the events the simulator sent)."""
    url = migrated(f"sqlite:///{tmp_path_factory.mktemp('rerun') / 'log.sqlite3'}")
    log = EventLog(url)
    scenario = load("normal-day").starting(START, HOURS)
    sent = list(Simulation(london(), scenario, POLICY, 5, SimOptions(pings=False)).events())
    batch = []
    for seq, raw in enumerate(sent, start=1):
        data = raw["data"]
        place = london().locate(data["lat"], data["lon"]) if "lat" in data else None
        batch.append(Recorded(seq, parse_event(raw), place and place.borough, place and place.bcu))
    log.append(batch)
    with log.engine.begin() as conn:  # recorded as it happened, as a live log is
        conn.execute(update(events).values(recorded_at=events.c.time))
    log.close()
    yield url, sent


def _period(url: str, start: datetime, end: datetime, warm_up: timedelta = WARM_UP) -> Any:
    log = EventLog(url)
    try:
        return read_period(log, start, end, warm_up)
    finally:
        log.close()


def test_the_period_holds_the_logs_calls_and_every_unit_that_served(
    recorded: tuple[str, list[dict[str, Any]]],
) -> None:
    url, sent = recorded
    start, end = START + timedelta(hours=6), START + timedelta(hours=12)
    period = _period(url, start, end, timedelta(0))
    at = lambda e: datetime.fromisoformat(e["time"].replace("Z", "+00:00"))  # noqa: E731
    inside = [e for e in sent if start < at(e) <= end]
    assert len(period.events) == len(inside)
    created = [e["data"] for e in inside if e["type"] == "incident.created"]
    assert sorted((c.grade, c.lat, c.lon) for c in period.calls) == sorted(
        (c["grade"], c["lat"], c["lon"]) for c in created
    )
    on_at_start: dict[str, float] = {}  # unit -> when it came on
    for e in sent:
        if at(e) > start:
            break
        if e["type"] == "unit.on_duty":
            on_at_start[e["data"]["unit_id"]] = at(e).timestamp()
        elif e["type"] == "unit.off_duty":
            on_at_start.pop(e["data"]["unit_id"], None)
    came = {e["data"]["unit_id"] for e in inside if e["type"] == "unit.on_duty"}
    assert {u.unit_id for u in period.units} == set(on_at_start) | came
    for unit in period.units:
        if unit.unit_id in on_at_start:
            assert unit.stints[0][0] == on_at_start[unit.unit_id], unit
    went = {e["data"]["unit_id"] for e in inside if e["type"] == "unit.off_duty"}
    assert {u.unit_id for u in period.units if any(off for _, off in u.stints)} == went


def test_a_day_rerun_under_its_own_policy_gives_its_figures_back(
    recorded: tuple[str, list[dict[str, Any]]],
) -> None:
    url, _ = recorded
    period = _period(url, START - timedelta(seconds=1), START + timedelta(hours=HOURS))
    assert period.begins >= START - timedelta(seconds=1)  # no warm-up before the log
    real = evaluate(period.events, london().locate)
    again = evaluate(Rerun(london(), period, POLICY, seed=1).judged(), london().locate)
    for grade in ("I", "S"):
        a, b = real.by_grade[grade], again.by_grade[grade]
        assert (a.incidents, b.incidents) == (a.incidents, a.incidents), grade
        assert a.incidents > 1000, grade
        # The model's own noise: handling, desk and drive times are drawn again.
        assert abs(a.within_target - b.within_target) < 0.02, (
            grade,
            a.within_target,
            b.within_target,
        )
        assert abs(a.mean_s - b.mean_s) / a.mean_s < 0.06, (grade, a.mean_s, b.mean_s)


def test_an_evening_rerun_from_its_warm_up_gives_its_figures_back(
    recorded: tuple[str, list[dict[str, Any]]],
) -> None:
    """The evening peak, S-grade calls an hour late: started 6 hours before from the log's
    state then, three re-runs together land near what happened (a 4-hour window is noisy:
    run by run, S-grade within target ranges over ±7 points; pooled, 1.5 and 3 points off)."""
    url, _ = recorded
    start, end = START + timedelta(hours=12), START + timedelta(hours=16)
    period = _period(url, start, end)
    assert period.begins == start - WARM_UP
    real = evaluate(period.events, london().locate)
    assert real.by_grade["S"].within_target < 0.6, "the evening is under strain"
    runs = [
        evaluate(Rerun(london(), period, POLICY, seed).judged(), london().locate)
        for seed in (1, 2, 3)
    ]
    again = pooled(runs)
    for grade in ("I", "S"):
        a, b = real.by_grade[grade], again.by_grade[grade]
        assert b.incidents == a.incidents
        assert abs(a.within_target - b.within_target) < 0.05, (
            grade,
            a.within_target,
            b.within_target,
        )


def test_bluelamp_rerun_prints_the_recorded_figures_beside_the_policys(
    recorded: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, _ = recorded
    monkeypatch.setenv("BLUELAMP_DATABASE_URL", url)
    span = ["--from", "2026-11-10T18:00:00Z", "--to", "2026-11-10T22:00:00Z"]
    runner = CliRunner()
    result = runner.invoke(create_cli(), ["rerun", *span, "--policy", "closest-idle-any"])
    assert result.exit_code == 0, result.output
    assert "re-run 3 times under closest-idle-any" in result.output, result.output
    assert "within target, run by run: I " in result.output
    result = runner.invoke(create_cli(), ["rerun", *span, "--policy", "bluelamp", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    period = _period(
        url, datetime(2026, 11, 10, 18, tzinfo=UTC), datetime(2026, 11, 10, 22, tzinfo=UTC)
    )
    real = evaluate(period.events, london().locate)
    assert answer["recorded"] == json.loads(json.dumps(real.as_json()))
    assert answer["rerun"]["by_grade"]["I"]["incidents"] == real.by_grade["I"].incidents
    assert answer["calls"] == len(period.calls) and answer["policy"] == "bluelamp"
    assert len(answer["runs"]) == 3 and answer["seeds"] == [7, 8, 9]
    # London local time is accepted; a period with no record, or backwards, is refused.
    local = runner.invoke(
        create_cli(), ["rerun", "--from", "2026-11-10T18:00", "--to", "2026-11-10T19:00", "--json"]
    )
    assert local.exit_code == 0, local.output
    empty = runner.invoke(
        create_cli(), ["rerun", "--from", "2020-01-01T00:00Z", "--to", "2020-01-02T00:00Z"]
    )
    assert empty.exit_code == 2 and "took no record" in empty.output
    backwards = runner.invoke(
        create_cli(), ["rerun", "--from", "2026-11-10T19:00Z", "--to", "2026-11-10T18:00Z"]
    )
    assert backwards.exit_code == 2 and "before --to" in backwards.output
