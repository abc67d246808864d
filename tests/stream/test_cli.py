"""bluelamp ingest / log tail / picture, run as a user would run them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from stream.events import Recorded, parse_event
from stream.log import EventLog
from tests.databases import migrated
from tests.live import LiveServer, forget_prefix
from tests.pgschema import own_schema
from tests.stream.factories import Events

BLUELAMP = str(Path(sys.executable).with_name("bluelamp"))


def _run(
    args: list[str], tmp_path: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BLUELAMP_")}
    environment |= {
        "BLUELAMP_REDIS_URL": "memory://",
        "COLUMNS": "200",
        "BLUELAMP_DATABASE_URL": f"sqlite:///{tmp_path}/log.sqlite3",
        **env,
    }
    return subprocess.run(
        [BLUELAMP, *args],
        cwd=tmp_path,
        env=environment,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    ev = Events()
    lines = [
        json.dumps(ev.on_duty("U1", callsign="AW-IRV1")),
        json.dumps(ev.incident_created("I1", grade="I", bcu="AW")),
        "{this is not json",
        json.dumps(ev.assigned("I1", "U1")),
        json.dumps(ev.assigned("I1", "U404")),
    ]
    lines.append(lines[1])  # a duplicate
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def redis_service(redis_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A running service on Redis and a SQLite log; the environment that reaches it."""
    env = {
        "BLUELAMP_REDIS_URL": redis_url,
        "BLUELAMP_KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}",
        "BLUELAMP_DATABASE_URL": f"sqlite:///{tmp_path}/log.sqlite3",
    }
    server = LiveServer(env, tmp_path).start()
    try:
        yield env
    finally:
        server.stop()
        forget_prefix(redis_url, env["BLUELAMP_KEY_PREFIX"])


def test_ingest_then_tail_then_picture(
    tmp_path: Path, jsonl: Path, redis_service: dict[str, str]
) -> None:
    ingest = _run(["ingest", str(jsonl)], tmp_path, **redis_service)
    assert ingest.returncode == 1, ingest.stderr  # some lines were rejected
    assert "6 events: 3 accepted, 1 duplicate, 2 rejected" in ingest.stdout
    assert "line 3: malformed JSON" in ingest.stdout
    assert "line 5: unknown unit U404" in ingest.stdout

    tail = _run(["log", "tail", "-n", "2"], tmp_path, **redis_service)
    assert tail.returncode == 0, tail.stderr
    rows = tail.stdout.strip().splitlines()
    assert len(rows) == 2
    assert rows[0].split()[:4] == ["2", "2026-11-24", "20:00:20Z", "incident.created"]
    assert rows[1].split()[3] == "incident.assigned"

    picture = _run(["picture"], tmp_path, **redis_service)
    assert picture.returncode == 0, picture.stderr
    assert "picture at seq 3" in picture.stdout
    aw = next(line for line in picture.stdout.splitlines() if "│ AW" in line or " AW " in line)
    cells = [c.strip() for c in aw.replace("┃", "│").split("│") if c.strip()]
    assert cells[:2] == ["AW", "1"]  # one open I-grade incident in Central West
    assert "1 open I" in picture.stdout


def test_ingest_through_the_http_api_of_a_demo_like_server(tmp_path: Path, jsonl: Path) -> None:
    """The embedded bus lives inside the server: the CLI reaches it through the HTTP API."""
    server = LiveServer({}, tmp_path)
    Accounts(open_database(migrated(server.env["BLUELAMP_DATABASE_URL"]))).add(
        "cad", "a-feed-password", Role.FEED, None
    )
    server.start()
    try:
        ingest = _run(
            ["ingest", str(jsonl), "--api", server.url, "--user", "cad", "--password-stdin"],
            tmp_path,
            stdin="a-feed-password\n",
        )
        wrong = _run(
            ["ingest", str(jsonl), "--api", server.url, "--user", "cad", "--password-stdin"],
            tmp_path,
            stdin="not-it\n",
        )
    finally:
        server.stop()
    assert ingest.returncode == 1, ingest.stdout + ingest.stderr
    assert "6 events: 3 accepted, 1 duplicate, 2 rejected" in ingest.stdout
    assert "line 3: malformed JSON" in ingest.stdout
    assert "line 5: unknown unit U404" in ingest.stdout
    assert wrong.returncode == 2 and "sign-in at" in wrong.stdout


def test_ingest_refuses_to_become_a_second_writer_on_the_embedded_bus(
    tmp_path: Path, jsonl: Path
) -> None:
    result = _run(["ingest", str(jsonl)], tmp_path)
    assert result.returncode == 2
    assert "cannot reach the service" in result.stdout and "--api" in result.stdout
    assert not (tmp_path / "log.sqlite3").exists(), "nothing may be written by the refusal"


def test_ingest_says_when_no_service_answers(tmp_path: Path, jsonl: Path, redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    migrated(f"sqlite:///{tmp_path}/log.sqlite3")  # the service's database, as it left it
    result = _run(
        ["ingest", str(jsonl), "--timeout", "1"],
        tmp_path,
        BLUELAMP_REDIS_URL=redis_url,
        BLUELAMP_KEY_PREFIX=prefix,
    )
    forget_prefix(redis_url, prefix)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "no Bluelamp service sequenced the events" in result.stdout


@pytest.mark.parametrize("command", [["picture"], ["log", "tail"]])
def test_readers_say_where_they_looked_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    result = _run(command, tmp_path)
    assert result.returncode == 1
    where = str((tmp_path / "log.sqlite3").resolve())
    assert "no event log at" in result.stdout
    assert where in result.stdout.replace("\n", "")
    assert not (tmp_path / "log.sqlite3").exists()


def test_an_empty_log_is_called_empty(tmp_path: Path) -> None:
    EventLog(migrated(f"sqlite:///{tmp_path}/log.sqlite3")).close()
    result = _run(["picture"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "is empty" in result.stdout


def test_the_stream_commands_read_the_configured_postgresql_schema(
    tmp_path: Path, postgres_url: str
) -> None:
    with own_schema(postgres_url) as schema:
        log = EventLog(migrated(postgres_url, schema), schema=schema)
        ev = Events()
        log.append([Recorded(1, parse_event(ev.on_duty("U1", callsign="AW-IRV1")), "x", "AW")])
        log.close()
        tail = _run(
            ["log", "tail"],
            tmp_path,
            BLUELAMP_DATABASE_URL=postgres_url,
            BLUELAMP_DATABASE_SCHEMA=schema,
        )
    assert tail.returncode == 0, tail.stdout + tail.stderr
    assert "unit.on_duty" in tail.stdout


def test_a_report_with_no_log_says_where_it_looked(tmp_path: Path) -> None:
    result = _run(
        ["report", "demand", "--from", "2026-11-01", "--to", "2026-11-02", "--format", "csv"],
        tmp_path,
    )
    assert result.returncode == 1
    assert "no event log at" in result.stdout
    assert not (tmp_path / "log.sqlite3").exists()
