"""Sign-in attempts, counted where every worker sees them (what is counted under which
key is decided by the sign-in route: per user name, or per known device; api.devices).

A fixed window: the first attempt starts it, the ``limit``-th within it is the last allowed.
On Redis the count is shared by all workers (INCR + PEXPIRE); on the embedded bus it is this
process's, which is all there is. When Redis does not answer, :class:`LimiterUnavailable`
says so (sign-in answers 503); the client reconnects by itself when Redis is back.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

# A sign-in waits at most this long for Redis before it is answered 503.
REDIS_TIMEOUT_S = 2.0


# Decrement only a live window: a DECR on a key that just expired would create one with no
# expiry at all.
_REFUND = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end"


class LimiterUnavailable(RuntimeError):
    """The shared attempt counter (Redis) does not answer."""


class RateLimiter(Protocol):
    async def hit(self, key: str) -> float | None:
        """Count one attempt; None if allowed, else the seconds until the window resets."""
        ...

    async def refund(self, key: str) -> None:
        """Take back an attempt that succeeded: only failures use up the limit (counted
        first, so concurrent guesses cannot slip past it, and handed back after)."""
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

    async def refund(self, key: str) -> None:
        if (window := self._windows.get(key)) is not None:
            self._windows[key] = (window[0], max(0, window[1] - 1))

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, url: str, limit: int, window_s: float) -> None:
        self.limit, self.window_ms = limit, int(window_s * 1000)
        # No retries inside redis-py: hit() retries once itself, so a Redis that does not
        # answer costs a sign-in at most 2 × REDIS_TIMEOUT_S before its 503.
        self.redis: Any = aioredis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_S,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )

    async def hit(self, key: str) -> float | None:
        # Twice: a connection that broke when Redis restarted fails once and is replaced.
        for attempt in (1, 2):
            try:
                return await self._hit(key)
            # Any Redis failure: refused, timed out, LOADING after a restart, READONLY after
            # a failover, a protocol error from something else on the port.
            except (RedisError, OSError) as exc:
                if attempt == 2:
                    raise LimiterUnavailable(f"Redis does not answer ({exc})") from exc
        raise AssertionError("unreachable")

    async def refund(self, key: str) -> None:
        # If Redis is gone the attempt stays counted: erring towards the limit is safe.
        with contextlib.suppress(RedisError, OSError):
            await self.redis.eval(_REFUND, 1, key)

    async def _hit(self, key: str) -> float | None:
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
