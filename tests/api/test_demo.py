"""The demo uses the one default database every command reads, and never erases a log that
is not a demo's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from stream.events import Recorded, parse_event
from stream.log import EventLog
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream.factories import Events

BLUELAMP = str(Path(sys.executable).with_name("bluelamp"))


def _bluelamp(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLUELAMP_")}
    return subprocess.run(
        [BLUELAMP, *args],
        cwd=cwd,
        env=env | {"COLUMNS": "200"},
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _demo(tmp_path: Path) -> LiveServer:
    server = LiveServer({"BLUELAMP_DEMO_PASSWORD": "demo-password-1"}, tmp_path, command="demo")
    for name in ("BLUELAMP_SECRET_KEY", "BLUELAMP_DATABASE_URL"):
        del server.env[name]  # the demo's own secret and the default database
    return server


def test_the_command_line_reads_what_the_demo_shows(tmp_path: Path) -> None:
    server = _demo(tmp_path).start()
    try:
        deadline = time.monotonic() + 60
        while True:
            picture = _bluelamp(["picture"], tmp_path)
            assert picture.returncode == 0, picture.stdout + picture.stderr
            if "picture at seq 0" not in picture.stdout:
                break
            assert time.monotonic() < deadline, "the demo's feed never reached the log"
            time.sleep(1)
    finally:
        server.stop()
    assert (tmp_path / "var" / "bluelamp.sqlite3").exists()
    assert "units available" in picture.stdout and "0 of 0 units" not in picture.stdout


def test_the_demo_starts_afresh_over_its_own_log_only(tmp_path: Path) -> None:
    _demo(tmp_path).start().stop()  # makes var/bluelamp.sqlite3 and marks it the demo's
    again = _demo(tmp_path).start()  # its own log: erased and started afresh
    again.stop()
    for suffix in ("", ".demo"):
        (tmp_path / "var" / f"bluelamp.sqlite3{suffix}").unlink(missing_ok=True)
    log = EventLog(migrated(f"sqlite:///{tmp_path}/var/bluelamp.sqlite3"))
    log.append([Recorded(1, parse_event(Events().on_duty("U1")), "Camden", "CN")])
    log.close()
    refused = _bluelamp(["demo"], tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "holds an event log that a demo did not make" in refused.stderr
    kept = EventLog(f"sqlite:///{tmp_path}/var/bluelamp.sqlite3")
    assert kept.last_seq() == 1, "the demo must not touch a log it did not make"
    kept.close()
