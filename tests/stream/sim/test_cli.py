"""bluelamp simulate / evaluate, through the real command line; simulate into real Redis."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from bluelamp.cli import create_cli
from stream.events import validate
from stream.sim.cli import runs_ahead
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
