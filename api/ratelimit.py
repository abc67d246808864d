"""Sign-in attempts per client address and user name, counted where every worker sees them.

A fixed window: the first attempt starts it, the ``limit``-th within it is the last allowed.
On Redis the count is shared by all workers (INCR + PEXPIRE); on the embedded bus it is this
process's, which is all there is.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import redis.asyncio as aioredis


class RateLimiter(Protocol):
    async def hit(self, key: str) -> float | None:
        """Count one attempt; None if allowed, else the seconds until the window resets."""
        ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str) -> float | None:
        now = time.monotonic()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.window_s:
            start, count = now, 0
        self._windows[key] = (start, count + 1)
        if len(self._windows) > 100_000:  # forget finished windows rather than grow
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < self.window_s}
        return None if count < self.limit else max(0.0, self.window_s - (now - start))

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, url: str, limit: int, window_s: float) -> None:
        self.limit, self.window_ms = limit, int(window_s * 1000)
        self.redis: Any = aioredis.Redis.from_url(url)

    async def hit(self, key: str) -> float | None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.pexpire(key, self.window_ms, nx=True)
            pipe.pttl(key)
            count, _, ttl_ms = await pipe.execute()
        return None if count <= self.limit else max(0, ttl_ms) / 1000

    async def close(self) -> None:
        await self.redis.aclose()


def open_rate_limiter(redis_url: str, limit: int, window_s: float) -> RateLimiter:
    if redis_url.startswith("memory://"):
        return MemoryRateLimiter(limit, window_s)
    return RedisRateLimiter(redis_url, limit, window_s)
