"""``bluelamp sequence`` (bluelamp/sequencing.py): a server run with BLUELAMP_SEQUENCE=false
sequences nothing; a sequencer in a process of its own beside it, on the same Redis, log and
secret, sequences the feed's events and the server's signed commands."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from typer.testing import CliRunner

from bluelamp.cli import create_cli
from tests.api.conftest import Api, serving
from tests.live import LiveServer, forget_prefix
from tests.stream.factories import unit_on_duty

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def apart(redis_url: str, tmp_path: Path) -> Iterator[tuple[Api, LiveServer]]:
    """A server that does not sequence (started), and a sequencer's environment (not yet)."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    env = {"BLUELAMP_REDIS_URL": redis_url, "BLUELAMP_KEY_PREFIX": prefix}
    env |= {"BLUELAMP_LEASE_TTL_MS": "1000", "BLUELAMP_SEQUENCE": "false"}
    server = LiveServer(env, tmp_path)
    sequencer = LiveServer(env | {"BLUELAMP_SEQUENCE": "true"}, tmp_path, command="sequence")
    try:
        with serving(server, server.env["BLUELAMP_DATABASE_URL"]) as api:
            yield api, sequencer
    finally:
        forget_prefix(redis_url, prefix)


def _seq(api: Api) -> int:
    with api.client("chief") as chief:
        return int(chief.get("/api/picture").json()["seq"])


def test_a_sequencer_beside_a_server_that_does_not_sequence(apart: tuple[Api, LiveServer]) -> None:
    api, sequencer = apart
    store = redis.Redis.from_url(sequencer.env["BLUELAMP_REDIS_URL"])
    prefix = sequencer.env["BLUELAMP_KEY_PREFIX"]
    text = httpx.Request("POST", "/", json=unit_on_duty("SEQ-U1")).content
    store.xadd(f"{prefix}:ingest", {"event": text})
    time.sleep(2.0)  # two lease periods: a server competing for the lease would hold it now
    assert store.get(f"{prefix}:sequencer:lease") is None and _seq(api) == 0

    bluelamp = Path(sys.executable).with_name("bluelamp")
    with sequencer.log.open("ab") as log:
        process = subprocess.Popen(
            [str(bluelamp), "sequence"], cwd=sequencer.workdir, env=sequencer.env,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _seq(api) < 1:
            assert process.poll() is None, sequencer.log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the sequencer took nothing"
            time.sleep(0.2)
        assert store.get(f"{prefix}:sequencer:lease") is not None
        # A command is signed with the server's secret; the sequencer checks it with its own.
        with api.client("chief") as chief:
            answer = chief.post("/api/units/SEQ-U1/status", json={"status": "refreshment"})
        assert answer.status_code == 200, answer.text
        # Recorded after the unit came on duty; the server's recommender may have recorded
        # its advice between (a move-up of the only unit: advice.offered), sooner or later
        # as the machine is busy, so the command's seq is 2 or after.
        seq = answer.json()["seq"]
        with api.client("chief") as chief:
            detail = chief.get("/api/units/SEQ-U1").json()
        assert detail["unit"]["status"] == "refreshment"
        by_seq = {r["seq"]: r["event"] for r in detail["history"]}
        assert by_seq[seq]["type"] == "unit.status" and by_seq[seq]["source"].endswith("chief")
        assert {by_seq[s]["type"] for s in by_seq if 1 < s < seq} <= {"advice.offered"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0, sequencer.log.read_text()[-2000:]


def test_a_sequencer_needs_the_redis_the_servers_use(tmp_path: Path) -> None:
    env = {"BLUELAMP_REDIS_URL": "memory://", "BLUELAMP_SECRET_KEY": "s" * 8 + uuid.uuid4().hex}
    env |= {"BLUELAMP_DATABASE_URL": f"sqlite:///{tmp_path}/log.sqlite3"}
    result = CliRunner().invoke(create_cli(), ["sequence"], env=env)
    assert result.exit_code == 2
    assert "memory://" in result.output and "separate sequencer" in result.output
