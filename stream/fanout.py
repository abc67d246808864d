"""Live fan-out inside one process: one bus subscription, one queue per subscriber.

Every server process runs one :class:`Hub`. Subscribers get recorded events strictly in
``seq`` order, each exactly once: a subscriber that starts ``since`` a seq, or that sees a
gap (a message missed while the hub reconnected, or published before it subscribed), reads
what it missed from the log before going on. A subscriber too slow to keep up is told so
(:class:`SubscriberTooSlow`) and dropped, rather than slowing the others or growing memory.

    async with hub.subscribe(since=seq) as events:
        async for record in events:
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from stream.bus import Bus
from stream.events import Recorded, parse_event
from stream.log import EventLog

log = logging.getLogger(__name__)
_RESYNC = object()  # tells subscribers to look in the log: the hub may have missed messages


class SubscriberTooSlow(RuntimeError):
    """The subscriber fell too far behind the live feed and was dropped."""


def parse_live(message: str) -> Recorded:
    data = json.loads(message)
    return Recorded(
        int(data["seq"]), parse_event(data["event"]), data.get("borough"), data.get("bcu")
    )


@dataclass(eq=False)
class Subscription:
    """One subscriber's view of the feed: an async iterator of records in seq order."""

    log: EventLog
    next_seq: int | None  # None: start with whatever comes live next
    limit: int
    queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)
    backlog: deque[Recorded] = field(default_factory=deque)
    too_slow: bool = False

    def offer(self, item: object) -> None:
        if self.too_slow:
            return
        if self.queue.qsize() >= self.limit:
            self.too_slow = True
            self.queue.put_nowait(SubscriberTooSlow(f"more than {self.limit} events behind"))
            return
        self.queue.put_nowait(item)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Recorded:
        while True:
            if self.backlog:
                record = self.backlog.popleft()
                self.next_seq = record.seq + 1
                return record
            item = await self.queue.get()
            if isinstance(item, SubscriberTooSlow):
                raise item
            if item is _RESYNC:
                if self.next_seq is not None:
                    await self._catch_up(upto=None)
                continue
            assert isinstance(item, Recorded)
            if self.next_seq is None:
                self.next_seq = item.seq
            if item.seq < self.next_seq:
                continue  # already delivered (from the log, during a catch-up)
            if item.seq > self.next_seq:
                await self._catch_up(upto=item.seq - 1)
                self.backlog.append(item)
                continue
            self.next_seq = item.seq + 1
            return item

    async def _catch_up(self, upto: int | None) -> None:
        assert self.next_seq is not None
        after = self.next_seq - 1
        while True:
            page = await asyncio.to_thread(self.log.read, after, 5_000, upto)
            self.backlog.extend(page)
            if len(page) < 5_000:
                return
            after = page[-1].seq


class Hub:
    """Fans the bus's live channel out to any number of in-process subscribers."""

    def __init__(self, bus: Bus, log: EventLog, *, queue_limit: int = 20_000) -> None:
        self.bus = bus
        self.log = log
        self.queue_limit = queue_limit
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.last_seq = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._pump(), name="bluelamp-hub")
        await asyncio.wait_for(self.connected.wait(), 10)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    @contextlib.asynccontextmanager
    async def subscribe(self, since: int | None = None) -> AsyncIterator[Subscription]:
        """Events after ``since`` (from the log first, then live); None = live from now."""
        sub = Subscription(self.log, None if since is None else since + 1, self.queue_limit)
        self._subscribers.add(sub)
        try:
            if since is not None:
                sub.offer(_RESYNC)  # registered first, so nothing published meanwhile is lost
            yield sub
        finally:
            self._subscribers.discard(sub)

    async def _pump(self) -> None:
        delay = 0.1
        while True:
            try:
                async with self.bus.live() as messages:
                    self.connected.set()
                    delay = 0.1
                    for sub in list(self._subscribers):
                        sub.offer(_RESYNC)  # whatever was published while we were away
                    async for message in messages:
                        record = parse_live(message)
                        self.last_seq = max(self.last_seq, record.seq)
                        for sub in list(self._subscribers):
                            sub.offer(record)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live subscription lost; reconnecting in %.1f s", delay)
            self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
