"""A redis-server of the test's own, on a free port and without persistence, that the test
may kill and start again (the shared Redis on 6379 is never disturbed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import redis

from tests.resilience.faults import RedisServer


class PrivateRedis(RedisServer):
    """No persistence: a restart comes back empty, as a cache-only Redis does."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.workdir = workdir
        self.starts = 0

    def start(self, timeout: float = 20.0) -> Self:
        super().start(timeout)
        self.starts += 1
        return self

    def kill(self) -> None:
        self.stop(kill=True)

    def restart(self, down_s: float = 0.0, kill: bool = True) -> None:
        """Kill -9 (by default) and start again on the same port: everything in it is gone."""
        super().restart(down_s, kill)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@contextmanager
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.kill()
