"""A real ``bluelamp serve`` in a subprocess on a free port: what the API and browser tests
talk to over real HTTP and WebSockets."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

# Generated per test run: no secret lives in the repository.
TEST_SECRET = secrets.token_urlsafe(48)


def forget_prefix(redis_url: str, prefix: str) -> None:
    """Delete every key a test wrote under its own prefix (the shared Redis stays as it was)."""
    client = redis.Redis.from_url(redis_url)
    try:
        if keys := list(client.scan_iter(f"{prefix}*")):
            client.delete(*keys)
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """``bluelamp serve`` with the given BLUELAMP_* environment (default: the embedded bus
    and its own SQLite file), started and stopped by the test."""

    def __init__(self, env: dict[str, str], workdir: Path, command: str = "serve") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.log = workdir / f"server-{self.port}.log"
        self.command = command
        self.env = {
            # The developer's own BLUELAMP_* settings (a tile URL, a real Redis) stay out.
            **{k: v for k, v in os.environ.items() if not k.startswith("BLUELAMP_")},
            "BLUELAMP_REDIS_URL": "memory://",
            "BLUELAMP_DATABASE_URL": f"sqlite:///{workdir}/bluelamp.sqlite3",
            "BLUELAMP_SECRET_KEY": TEST_SECRET,
            "BLUELAMP_COOKIE_SECURE": "false",
            "BLUELAMP_PORT": str(self.port),
            "BLUELAMP_HOST": "127.0.0.1",
            # The factories stamp events at a fixed date (tests.stream.factories.START) and
            # commands carry the wall clock: without this, a factory event sent after a
            # command would be "a day late" from the day after START on. The late bound has
            # tests of its own (tests/stream/test_event_time.py).
            "BLUELAMP_MAX_EVENT_LATE_S": str(10 * 365 * 86_400),
            **env,
        }
        self.workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, ready: str = "/readyz", timeout: float = 60) -> LiveServer:
        bluelamp = Path(sys.executable).with_name("bluelamp")
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(bluelamp), self.command],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}{ready}", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"server did not answer within {timeout} s: {self.log.read_text()[-3000:]}")

    def stop(self, kill: bool = False) -> None:
        if self._process and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
