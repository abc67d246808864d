"""bluelamp simulate / evaluate, through the real command line; simulate into real Redis."""

from __future__ import annotations

import json
import math
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from typer.testing import CliRunner

from bluelamp.cli import create_cli
from stream.events import validate
from stream.sim.cli import runs_ahead
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load
from tests.stream.factories import london

runner = CliRunner()


def test_simulate_writes_json_lines_that_the_spine_accepts(tmp_path: Path) -> None:
    out = tmp_path / "sim.jsonl"
    result = runner.invoke(
        create_cli(),
        ["simulate", "--speed", "0", "--hours", "0.5", "--seed", "3", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) > 1000
    for line in lines[:2000]:
        validate(line, london().locate)


def test_an_unknown_scenario_or_policy_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = runner.invoke(create_cli(), ["simulate", "--scenario", "atlantis"])
    assert result.exit_code == 2 and "normal-day" in result.output
    result = runner.invoke(create_cli(), ["evaluate", "--policy", "fastest"])
    assert result.exit_code == 2 and "closest-idle-any" in result.output


def test_evaluate_prints_figures_per_grade_and_bcu() -> None:
    result = runner.invoke(create_cli(), ["evaluate", "--days", "0.25", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "within target" in result.output and "AW I" in result.output
    assert "utilisation" in result.output
    assert "diversions: 0" in result.output  # only bluelamp diverts


def test_simulate_publishes_through_the_ingest_stream(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"test-sim-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("BLUELAMP_REDIS_URL", redis_url)
    monkeypatch.setenv("BLUELAMP_KEY_PREFIX", prefix)
    result = runner.invoke(
        create_cli(), ["simulate", "--speed", "0", "--hours", "0.25", "--no-pings"]
    )
    assert result.exit_code == 0, result.output
    client = redis.Redis.from_url(redis_url)
    try:
        entries = client.xrange(f"{prefix}:ingest", count=5)
        assert client.xlen(f"{prefix}:ingest") > 100
        first = json.loads(entries[0][1][b"event"])
        assert first["source"] == "bluelamp-sim"
    finally:
        client.delete(f"{prefix}:ingest")
        client.close()


def test_simulate_refuses_the_in_process_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUELAMP_REDIS_URL", "memory://")
    result = runner.invoke(create_cli(), ["simulate", "--speed", "0", "--hours", "0.1"])
    assert result.exit_code == 2 and "--out" in result.output


def test_a_run_ahead_of_the_clock_is_measured() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert runs_ahead(now - hour, now + 23 * hour, 1, now) == timedelta(0)  # the demo's way
    assert runs_ahead(now, now + 24 * hour, 60, now) == 24 * hour - 24 * hour / 60
    assert runs_ahead(now, now + 24 * hour, 0, now) == 24 * hour
    assert runs_ahead(now - 48 * hour, now - 24 * hour, 60, now) < timedelta(0)


def test_simulate_warns_when_its_events_will_run_ahead_of_a_spines_clock(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"test-sim-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("BLUELAMP_REDIS_URL", redis_url)
    monkeypatch.setenv("BLUELAMP_KEY_PREFIX", prefix)
    args = ["simulate", "--speed", "0", "--hours", "0.05", "--no-pings"]
    try:
        future = runner.invoke(create_cli(), [*args, "--start", "2099-01-01T00:00"])
        assert future.exit_code == 0, future.output
        assert "BLUELAMP_MAX_EVENT_AHEAD_S=300" in future.output
        past = runner.invoke(create_cli(), [*args, "--start", "2026-03-23T00:00"])
        assert past.exit_code == 0 and "warning" not in past.output, past.output
    finally:
        client = redis.Redis.from_url(redis_url)
        client.delete(f"{prefix}:ingest")
        client.close()


def test_evaluate_json_is_one_object_whose_figures_agree_with_a_recount_of_the_events() -> None:
    result = runner.invoke(create_cli(), ["evaluate", "--days", "0.25", "--seed", "5", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert {k: printed[k] for k in ("policy", "scenario", "seed", "days")} == {
        "policy": "closest-idle-own-bcu", "scenario": "normal-day", "seed": 5, "days": 0.25,
    }  # fmt: skip
    assert set(printed["by_grade"]) == {"I", "S", "E", "R"}
    assert printed["diversions"] == 0
    assert set(printed["by_bcu"]) == {"AS", "AW", "CE", "CN", "EA", "NA", "NE", "NW", "SE",
                                      "SN", "SW", "WA"}  # fmt: skip
    scenario = load("normal-day")
    scenario = scenario.starting(scenario.start, 6)
    events = list(Simulation(london(), scenario, seed=5, options=SimOptions(pings=False)).events())
    by_grade, by_bcu = recount(events)
    for grade in ("I", "S", "E", "R"):
        assert_agrees(printed["by_grade"][grade], by_grade[grade])
        for bcu, figures in printed["by_bcu"].items():
            assert_agrees(figures[grade], by_bcu[bcu, grade])
    assert printed["by_grade"]["I"]["late"] > 0  # a night under strain has late I-grade calls


def recount(events: list[dict[str, Any]]) -> tuple[dict[str, list[Any]], dict[Any, list[Any]]]:
    """Per grade and per (BCU, grade): [incidents, late, responses, judged], counted here."""
    target = {"I": 900.0, "S": 3600.0}
    seconds = {e["id"]: datetime.fromisoformat(e["time"]).timestamp() for e in events}
    end = max(seconds.values())
    created: dict[str, tuple[float, str, str]] = {}
    first: dict[str, float] = {}
    for e in events:
        data = e["data"]
        if e["type"] == "incident.created":
            place = london().locate(data["lat"], data["lon"])
            assert place is not None and place.bcu
            created[data["incident_id"]] = (seconds[e["id"]], data["grade"], place.bcu)
        elif e["type"] == "incident.arrived" and data["incident_id"] not in first:
            first[data["incident_id"]] = seconds[e["id"]]
    by_grade: dict[str, list[Any]] = defaultdict(lambda: [0, 0, [], 0])
    by_bcu: dict[Any, list[Any]] = defaultdict(lambda: [0, 0, [], 0])
    for incident, (t0, grade, bcu) in created.items():
        for row in (by_grade[grade], by_bcu[bcu, grade]):
            row[0] += 1
            took = first[incident] - t0 if incident in first else None
            if took is not None:
                row[2].append(took)
            if grade in target and (took is not None or t0 + target[grade] <= end):
                row[3] += 1
                row[1] += took is None or took > target[grade]
    return by_grade, by_bcu


def assert_agrees(printed: dict[str, Any], counted: list[Any]) -> None:
    incidents, late, responses, judged = counted
    assert printed["incidents"] == incidents and printed["late"] == late
    if judged:
        assert printed["within_target"] == pytest.approx((judged - late) / judged)
    else:
        assert printed["within_target"] is None
    if responses:
        assert printed["mean_s"] == pytest.approx(sum(responses) / len(responses))
        assert printed["p90_s"] == pytest.approx(
            sorted(responses)[math.ceil(0.9 * len(responses)) - 1]
        )
    else:
        assert printed["mean_s"] is None and printed["p90_s"] is None
