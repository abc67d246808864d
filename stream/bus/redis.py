"""The Redis bus: ingest on a stream with a consumer group, pub/sub, the lease.

For several processes on several machines. Scripts make the steps that must be atomic (the
lease, settling a batch) one command each, and one command publishes a whole batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from stream.bus.protocol import REJECTED_MAXLEN, Entry, Rejection, always, entry_ms
from stream.keys import Keys
from stream.outcome import Outcome, Verdict
from stream.trust import Seal

logger = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# One command publishes a whole batch, each event its own message: packing one PUBLISH per
# event cost redis-py more than all the rest of the Redis work of a batch.
_PUBLISH_MANY = """
for i = 1, #ARGV do redis.call('publish', KEYS[1], ARGV[i]) end
return #ARGV
"""
# KEYS: ingest, rejected. ARGV: group, maxlen, n, n entry ids, then 6 per rejection: entry id
# ("" for none), has-key flag, source, id, event text, reason. XACK says whether this call
# acknowledged the entry; only then is its rejection kept (exactly once, Bus.settle).
_SETTLE = """
local n = tonumber(ARGV[3])
local acked = {}
for i = 4, 3 + n do
  acked[ARGV[i]] = redis.call('xack', KEYS[1], ARGV[1], ARGV[i])
  redis.call('xdel', KEYS[1], ARGV[i])
end
local kept = 0
for i = 4 + n, #ARGV, 6 do
  if ARGV[i] == '' or acked[ARGV[i]] == 1 then
    if ARGV[i + 1] == '1' then
      redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'event', ARGV[i + 4],
        'reason', ARGV[i + 5], 'source', ARGV[i + 2], 'id', ARGV[i + 3])
    else
      redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'event', ARGV[i + 4],
        'reason', ARGV[i + 5])
    end
    kept = kept + 1
  end
end
return kept
"""
OUTCOME_TTL_MS = 120_000
PUBSUB_HEALTH_S = 10.0  # a subscription quiet this long is PINGed
PUBSUB_PONG_S = 10.0  # and dropped (to be resubscribed) if no answer comes within this


class RedisBus:
    """The bus on Redis (``redis://``); see the module docstring."""

    def __init__(self, url: str, keys: Keys) -> None:
        self.keys = keys
        self.url = url
        # redis-py's stubs type replies as unions of everything; this adapter is where the
        # shapes are known, so the client is Any here and typed at the Bus interface.
        # Named after the prefix so CLIENT LIST shows whose connections these are.
        self.redis: Any = aioredis.Redis.from_url(
            url, health_check_interval=10, client_name=keys.prefix
        )
        # Subscriptions on RESP2: on RESP3 (redis-py's default) every message is a "push"
        # that redis-py hands to a logging handler first, at ~20 µs a message.
        self.subscriber: Any = aioredis.Redis.from_url(url, protocol=2, client_name=keys.prefix)
        self._publish_many = self.redis.register_script(_PUBLISH_MANY)
        self._settle = self.redis.register_script(_SETTLE)
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self.redis.xgroup_create(self.keys.ingest, self.keys.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def _in_group(self, command: Callable[[], Awaitable[Any]]) -> Any:
        """Run a consumer-group command, making the group again first if Redis has lost it.

        A Redis restarted without persistence (or a deleted stream) has no group: every
        group command then fails with NOGROUP, and without this the sequencer would fail the
        same way on every retry until the process restarted. The group starts at "0", so
        whatever producers XADDed to the new stream before it existed is still read.
        """
        await self._ensure_group()
        try:
            return await command()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
        logger.warning(
            "consumer group %s is gone (Redis restarted empty?); making it again", self.keys.group
        )
        self._group_ready = False
        await self._ensure_group()
        return await command()

    async def add(self, texts: Sequence[str | bytes]) -> None:
        await self._xadd([{"event": text} for text in texts])

    async def add_signed(self, entries: Sequence[tuple[str, Seal]]) -> None:
        await self._xadd(
            [{"event": t, "scope": s.scope, "signature": s.signature} for t, s in entries]
        )

    async def _xadd(self, entries: Sequence[dict[str, str | bytes]]) -> None:
        for attempt in (1, 2):
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for fields in entries:
                        pipe.xadd(self.keys.ingest, fields)
                    await pipe.execute()
                return
            except RedisConnectionError:
                # A pooled connection that a restarted Redis closed fails once; the second try
                # connects afresh. An entry that got through the first time is then a
                # duplicate, answered like the first.
                if attempt == 2:
                    raise

    async def claim(self, consumer: str) -> list[Entry]:
        entries: list[Entry] = []
        start = "0-0"
        while True:
            start, claimed, _deleted = await self._in_group(
                functools.partial(
                    self.redis.xautoclaim,
                    self.keys.ingest,
                    self.keys.group,
                    consumer,
                    min_idle_time=0,
                    start_id=start,
                    count=1000,
                )
            )
            entries += [_entry(i, f) for i, f in claimed]
            if start in (b"0-0", "0-0"):
                return entries

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        reply = await self._in_group(
            functools.partial(
                self.redis.xreadgroup,
                self.keys.group,
                consumer,
                {self.keys.ingest: ">"},
                count=count,
                block=block_ms,
            )
        )
        _honour_cancel()
        return [_entry(i, f) for _stream, messages in reply or [] for i, f in messages]

    async def ack(self, entry_ids: Sequence[str]) -> None:
        if entry_ids:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.xack(self.keys.ingest, self.keys.group, *entry_ids)
                # The log now holds them: drop them from the stream so it stays small.
                pipe.xdel(self.keys.ingest, *entry_ids)
                await pipe.execute()

    async def reject(self, rejections: Sequence[Rejection]) -> None:
        if not rejections:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for r in rejections:
                fields = {"event": r.text, "reason": r.reason}
                if r.source is not None and r.event_id is not None:
                    fields |= {"source": r.source, "id": r.event_id}
                pipe.xadd(
                    self.keys.rejected,
                    fields,
                    maxlen=REJECTED_MAXLEN,
                    approximate=True,
                )
            await pipe.execute()

    async def settle(self, entry_ids: Sequence[str], rejections: Sequence[Rejection]) -> None:
        if not entry_ids and not rejections:
            return
        args: list[Any] = [self.keys.group, REJECTED_MAXLEN, len(entry_ids), *entry_ids]
        for r in rejections:
            keyed = r.source is not None and r.event_id is not None
            args += [r.entry_id or "", "1" if keyed else "0", r.source or "", r.event_id or ""]
            args += [r.text, r.reason]
        await self._settle(keys=[self.keys.ingest, self.keys.rejected], args=args)

    async def rejected(self, count: int = 100) -> list[dict[str, str]]:
        rows = await self.redis.xrevrange(self.keys.rejected, count=count)
        return [
            {k.decode(): v.decode("utf-8", "replace") for k, v in f.items()}
            for _i, f in reversed(rows)
        ]

    async def waiting_since(self) -> int | None:
        oldest = await self.redis.xrange(self.keys.ingest, count=1)
        return entry_ms(oldest[0][0]) if oldest else None

    async def publish(self, messages: Sequence[str]) -> None:
        if messages:
            await self._publish_many(keys=[self.keys.live], args=list(messages))

    @contextlib.asynccontextmanager
    async def _subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        pubsub = self.subscriber.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel)

        connection = pubsub.connection
        assert connection is not None  # subscribe() connected it
        answered = asyncio.Event()  # set by every reply read: the connection is alive

        async def messages() -> AsyncIterator[bytes]:
            # Straight from the connection's (hiredis) parser, not pubsub.listen(): listen()
            # costs ~50 µs a message in timeouts and dispatch, more than the event's fold.
            while True:
                reply = await connection.read_response(timeout=math.inf)
                answered.set()
                _honour_cancel()
                if isinstance(reply, list) and len(reply) == 3 and reply[0] == b"message":
                    yield reply[2]

        async def watchdog() -> None:
            # A quiet channel is normal, a silently dead connection is not: PING when quiet
            # and drop the connection (so the reader fails and the caller resubscribes) only
            # when that PING goes unanswered. The flag is cleared before the PING is sent,
            # so its answer counts however soon it is read.
            while True:
                answered.clear()
                await asyncio.sleep(PUBSUB_HEALTH_S)
                if answered.is_set():
                    continue
                try:
                    await connection.send_command("PING")
                except Exception:  # the reader sees the same failure and reconnects
                    return
                try:
                    await asyncio.wait_for(answered.wait(), PUBSUB_PONG_S)
                except TimeoutError:
                    logger.warning("no answer to PING on %s; resubscribing", channel)
                    await connection.disconnect(nowait=True)
                    return

        guard = asyncio.create_task(watchdog())

        try:
            yield messages()
        finally:
            guard.cancel()
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    @contextlib.asynccontextmanager
    async def live(self) -> AsyncIterator[AsyncIterator[str]]:
        async with self._subscribe(self.keys.live) as raw:
            yield (m.decode() async for m in raw)

    async def post_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        if not outcomes:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            # Accepted and duplicate events are in the log, which answers a late waiter; only
            # a rejection needs a short-lived copy of its own.
            for outcome in outcomes:
                if outcome.verdict is Verdict.REJECTED and outcome.key is not None:
                    pipe.set(self.keys.outcome(*outcome.key), outcome.to_json(), px=OUTCOME_TTL_MS)
            pipe.publish(self.keys.outcomes, Outcome.many_to_json(outcomes))
            await pipe.execute()

    @contextlib.asynccontextmanager
    async def outcomes(
        self, wanted: Callable[[], bool] = always
    ) -> AsyncIterator[AsyncIterator[Outcome]]:
        async with self._subscribe(self.keys.outcomes) as raw:
            # Parsing every batch costs the server ~5% of its time at a feed's full rate,
            # when no one is waiting for any of them.
            yield (o async for m in raw if wanted() for o in Outcome.many_from_json(m))

    async def recent_outcome(self, source: str, event_id: str) -> Outcome | None:
        text = await self.redis.get(self.keys.outcome(source, event_id))
        return None if text is None else Outcome.from_json(text)

    async def acquire_lease(self, token: str, ttl_ms: int) -> bool:
        return bool(await self.redis.eval(_RENEW, 1, self.keys.lease, token, ttl_ms))

    async def release_lease(self, token: str) -> None:
        await self.redis.eval(_RELEASE, 1, self.keys.lease, token)

    async def close(self) -> None:
        await self.subscriber.aclose()
        await self.redis.aclose()


def _entry(entry_id: bytes | str, fields: dict[bytes, bytes]) -> Entry:
    ident = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    signature = fields.get(b"signature")
    if signature is None:
        return Entry(ident, fields.get(b"event"))
    scope = fields.get(b"scope", b"").decode("utf-8", "replace")
    return Entry(ident, fields.get(b"event"), Seal(scope, signature.decode("utf-8", "replace")))


def _honour_cancel() -> None:
    """Re-raise a cancellation that a blocking Redis read swallowed.

    Observed with redis-py 8.1 on Python 3.11: a task cancelled while blocked in XREADGROUP
    gets an empty reply instead of CancelledError, so a read loop would never stop.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
