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
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import cast

from stream.bus import Bus
from stream.events import Recorded
from stream.log import EventLog
from stream.wire import parse_live, peek_seq

logger = logging.getLogger(__name__)
_RESYNC = object()  # tells subscribers to look in the log: the hub may have missed messages


class SubscriberTooSlow(RuntimeError):
    """The subscriber fell too far behind the live feed and was dropped."""


PAGE = 5_000  # records read from the log per catch-up step
#: Live events a subscriber may fall behind before it is dropped (the API passes its own).
QUEUE_LIMIT = 20_000


@dataclass(eq=False)
class Subscription:
    """One subscriber's view of the feed: an async iterator of records in seq order.

    Live records arrive on a bounded queue. Whenever the subscriber cannot be sure it has
    seen everything (it started ``since`` a seq, the hub reconnected, or a live record's seq
    skips ahead) it reads the log a page at a time up to its end, then carries on live,
    skipping live records it already has. Everything published is in the log already (the
    sequencer publishes after the commit), so the log is always enough to close a gap.
    """

    log: EventLog
    next_seq: int | None  # None: start with whatever comes live next
    limit: int
    queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)
    backlog: deque[Recorded] = field(default_factory=deque)
    behind: bool = False  # read the log before taking anything more from the queue
    too_slow: bool = False
    # The queue item being handed out (a batch, or one record or marker as a list of one)
    # and how far. A whole batch is one queue item, shared by every subscriber: a queue
    # operation per record per subscriber was most of the cost of fanning out to 50 sockets
    # (benchmarks/bench_api.py). A frame takes a batch's records as one slice: a step per
    # record per socket was a fifth of a server's time at 200 sockets.
    run: list[object] = field(default_factory=list)
    run_at: int = 0
    queued: int = 0  # records waiting in the queue (what the limit counts)

    def offer(self, item: object) -> None:
        """Hand one item over: a record, a batch (a list of records, not changed after),
        or a marker. The hub calls this; it never blocks."""
        if self.too_slow:
            return
        size = len(item) if isinstance(item, list) else 1
        if self.queued + size > self.limit:
            self.too_slow = True
            self.queue.put_nowait(
                SubscriberTooSlow(f"more than {self.limit} live events behind; dropped")
            )
            return
        self.queued += size
        self.queue.put_nowait(item)

    def _queued_item(self, item: object) -> object | None:
        """A record or marker from a queue item (a batch is unpacked first)."""
        self._unpack(item)
        return self._next_in_run()

    def _next_in_run(self) -> object | None:
        if self.run_at >= len(self.run):
            return None
        self.run_at += 1
        return self.run[self.run_at - 1]

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Recorded:
        while True:
            if self.backlog:
                record = self.backlog.popleft()
                self.next_seq = record.seq + 1
                return record
            if self.behind:
                await self._read_page()
                continue
            if self.run_at < len(self.run):
                item = self._next_in_run()
            else:
                item = self._queued_item(await self.queue.get())
            taken = self._take(item)
            if taken is not None:
                return taken

    def has_ready(self) -> bool:
        """Whether something waits that :meth:`ready` takes without reading the log (a
        record, unless it is one to skip)."""
        if self.backlog:
            return True
        return not self.behind and (self.run_at < len(self.run) or not self.queue.empty())

    def ready(self, limit: int, upto: int | None = None) -> list[Recorded]:
        """Up to ``limit`` records that can be had now, without waiting or reading the log
        (what a WebSocket sender adds to a frame it is about to send), no live record past
        seq ``upto``: the senders of one frame tick agree on it, so sockets in step send the
        same range of seqs and share its frame (api.live). Records read from the log to
        catch up are not bounded: a restarted server's fan-out has handed nothing over
        yet, and a resuming socket must not crawl through its backlog a record a tick."""
        taken: list[Recorded] = []
        while len(taken) < limit:
            if self.backlog:  # catching up from the log: never held back by ``upto``
                record = self.backlog.popleft()
                self.next_seq = record.seq + 1
                taken.append(record)
            elif self.behind:
                break
            elif self.run_at < len(self.run):
                if self._slice(taken, limit, upto):
                    continue
                head = self.run[self.run_at]
                if upto is not None and isinstance(head, Recorded) and head.seq > upto:
                    break
                self.run_at += 1
                if (live := self._take(head)) is not None:
                    taken.append(live)
            elif self.queue.empty():
                break
            else:
                self._unpack(self.queue.get_nowait())
        return taken

    def _slice(self, taken: list[Recorded], limit: int, upto: int | None) -> bool:
        """Take the run's records from here, the next in order and consecutive, as far as
        ``limit`` and ``upto`` allow, in one slice; whether it did (else they go one at a
        time, with the gap and duplicate rules). A batch's seqs rise (the sequencer's), so
        its first and last seqs tell whether those between are consecutive."""
        run, at = self.run, self.run_at
        head = run[at]
        if not isinstance(head, Recorded) or head.seq != self.next_seq:
            return False
        end = min(len(run), at + limit - len(taken))
        if upto is not None:
            end = min(end, at + upto - head.seq + 1)
        tail = run[end - 1] if end - at > 1 else None
        if not isinstance(tail, Recorded) or tail.seq - head.seq != end - 1 - at:
            return False
        taken.extend(cast(list[Recorded], run[at:end]))
        self.run_at, self.next_seq = end, tail.seq + 1
        return True

    def _unpack(self, item: object) -> None:
        """A queue item as the run to hand out (the last one is used up), none of it yet."""
        if isinstance(item, list):
            self.queued -= len(item)
            self.run, self.run_at = item, 0
            return
        if not isinstance(item, SubscriberTooSlow):
            self.queued -= 1
        self.run, self.run_at = [item], 0

    def _take(self, item: object | None) -> Recorded | None:
        """The next record in order from one queued item, or None (skip it, or read the log
        first: ``behind``)."""
        if item is None:
            return None
        if isinstance(item, SubscriberTooSlow):
            raise item
        if item is _RESYNC:
            self.behind = self.next_seq is not None
            return None
        assert isinstance(item, Recorded)
        if self.next_seq is None:
            self.next_seq = item.seq
        if item.seq < self.next_seq:
            return None  # already delivered from the log
        if item.seq > self.next_seq:
            self.behind = True  # a gap: this record and the ones before it are logged
            return None
        self.next_seq = item.seq + 1
        return item

    async def _read_page(self) -> None:
        assert self.next_seq is not None
        page = await asyncio.to_thread(self.log.read, self.next_seq - 1, PAGE)
        self.backlog.extend(page)
        self.behind = len(page) == PAGE


class Hub:
    """Fans the bus's live channel out to any number of in-process subscribers."""

    def __init__(
        self, bus: Bus, log: EventLog, *, queue_limit: int = QUEUE_LIMIT, check_every: float = 1.0
    ) -> None:
        self.bus = bus
        self.log = log
        self.queue_limit = queue_limit
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.last_seq = 0  # the highest seq seen live
        self.delivered = 0  # the highest seq handed over in-process (deliver)
        self.check_every = check_every
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Subscribe to the live channel (waits up to 10 s for it) and watch the log."""
        self._tasks = [
            asyncio.create_task(self._pump(), name="bluelamp-hub"),
            asyncio.create_task(self._watch_log(), name="bluelamp-hub-watch"),
        ]
        await asyncio.wait_for(self.connected.wait(), 10)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    @contextlib.asynccontextmanager
    async def subscribe(self, since: int | None = None) -> AsyncIterator[Subscription]:
        """Records after ``since`` (from the log first, then live); None = live from now.

        The subscription is an async iterator of :class:`Recorded`, strictly in seq order and
        each exactly once. It raises :class:`SubscriberTooSlow` if it falls more than
        ``queue_limit`` live events behind; it is unregistered when the block exits.
        """
        sub = Subscription(self.log, None if since is None else since + 1, self.queue_limit)
        self._subscribers.add(sub)
        try:
            if since is not None:
                sub.offer(_RESYNC)  # registered first, so nothing published meanwhile is lost
            yield sub
        finally:
            self._subscribers.discard(sub)

    def deliver(self, records: list[Recorded]) -> None:
        """Fan out records this process has just published itself (its sequencer's), so
        their echo on the live channel is skipped unparsed; the seq order and gap rules of
        the subscriptions make the two routes safe to mix."""
        self.delivered = max(self.delivered, records[-1].seq)
        self.last_seq = max(self.last_seq, self.delivered)
        for sub in list(self._subscribers):
            sub.offer(records)  # one queue item per batch, shared (never changed after)

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
                        seq = peek_seq(message)
                        if seq is not None and seq <= self.delivered:
                            continue  # our own, already delivered
                        record = parse_live(message)
                        self.last_seq = max(self.last_seq, record.seq)
                        for sub in list(self._subscribers):
                            sub.offer(record)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live subscription lost; reconnecting in %.1f s", delay)
            self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _watch_log(self) -> None:
        """Catch subscribers up when the log runs ahead of what arrived live.

        Pub/sub drops whatever is published while nobody listens (a Redis reconnect), and a
        sequencer that crashed between its commit and its publish announces nothing: without
        this a quiet feed would leave those records unseen until the next live one. Only a
        lag that lasts a whole period counts, so records merely in flight trigger nothing.
        """
        seen_in_log = 0
        while True:
            await asyncio.sleep(self.check_every)
            try:
                if seen_in_log > self.last_seq:
                    self.last_seq = seen_in_log
                    for sub in list(self._subscribers):
                        sub.offer(_RESYNC)
                seen_in_log = await asyncio.to_thread(self.log.last_seq)
            except Exception:
                logger.exception("could not read the log's last seq")
