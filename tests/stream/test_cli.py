"""bluelamp ingest / log tail / picture, run as a user would run them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stream.factories import Events

BLUELAMP = str(Path(sys.executable).with_name("bluelamp"))


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
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


def test_ingest_then_tail_then_picture(tmp_path: Path, jsonl: Path) -> None:
    ingest = _run(["ingest", str(jsonl)], tmp_path)
    assert ingest.returncode == 1, ingest.stderr  # some lines were rejected
    assert "6 events: 3 accepted, 1 duplicate, 2 rejected" in ingest.stdout
    assert "line 3: malformed JSON" in ingest.stdout
    assert "line 5: unknown unit U404" in ingest.stdout

    tail = _run(["log", "tail", "-n", "2"], tmp_path)
    assert tail.returncode == 0, tail.stderr
    rows = tail.stdout.strip().splitlines()
    assert len(rows) == 2
    assert rows[0].split()[:4] == ["2", "2026-11-24", "20:00:20Z", "incident.created"]
    assert rows[1].split()[3] == "incident.assigned"

    picture = _run(["picture"], tmp_path)
    assert picture.returncode == 0, picture.stderr
    assert "picture at seq 3" in picture.stdout
    aw = next(line for line in picture.stdout.splitlines() if "│ AW" in line or " AW " in line)
    cells = [c.strip() for c in aw.replace("┃", "│").split("│") if c.strip()]
    assert cells[:2] == ["AW", "1"]  # one open I-grade incident in Central West
    assert "1 open I" in picture.stdout


def test_ingest_of_a_clean_file_exits_zero(tmp_path: Path) -> None:
    ev = Events()
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(json.dumps(ev.on_duty(f"U{i}")) for i in range(3)))
    result = _run(["ingest", str(path)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 accepted" in result.stdout
