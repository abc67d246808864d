"""Real service processes (tests/stream/spine_proc.py) and a real producer, for the crash
and lease tests."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import redis

from stream.keys import Keys
from stream.log import EventLog
from tests.stream.conftest import Backend

ROOT = Path(__file__).resolve().parents[2]


class ServiceProcess:
    """One ``spine_proc`` subprocess; its stdout lines are collected as they come."""

    def __init__(self, backend: Backend, *args: str) -> None:
        s = backend.settings
        env = os.environ | {
            "BLUELAMP_REDIS_URL": s.redis_url,
            "BLUELAMP_DATABASE_URL": s.database_url,
            "BLUELAMP_KEY_PREFIX": s.key_prefix,
            "BLUELAMP_LEASE_TTL_MS": str(s.lease_ttl_ms),
            "BLUELAMP_INGEST_BATCH": str(s.ingest_batch),
            "BLUELAMP_SNAPSHOT_EVERY": str(s.snapshot_every),
        }
        if backend.schema:
            args = ("--schema", backend.schema, *args)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.stream.spine_proc", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def said(self, word: str) -> bool:
        """Whether the process has printed ``word`` (without waiting)."""
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return word in self.seen

    def wait_for(self, word: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.said(word):
            if self.proc.poll() is not None:
                raise AssertionError(f"service exited ({self.proc.returncode}) before {word!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"service did not say {word!r} in {timeout} s")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


class Producer:
    """Pushes events the way an integrator does: XADD to the ingest stream."""

    def __init__(self, backend: Backend) -> None:
        self.redis = redis.Redis.from_url(backend.settings.redis_url)
        self.keys = Keys(backend.settings.key_prefix)

    def add(self, raws: Iterable[dict[str, Any]]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for raw in raws:
            pipe.xadd(self.keys.ingest, {"event": json.dumps(raw)})
        pipe.execute()

    def close(self) -> None:
        self.redis.close()


def open_log(backend: Backend) -> EventLog:
    return EventLog(backend.settings.database_url, schema=backend.schema)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {timeout} s: {what}")
        time.sleep(0.05)


def assert_exactly_once(log: EventLog, ids: list[str]) -> None:
    """The log holds each of ``ids`` once, in order, numbered 1..n without a gap."""
    records = log.read()
    assert [r.seq for r in records] == list(range(1, len(ids) + 1))
    assert [r.event.id for r in records] == ids
