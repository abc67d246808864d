"""The in-process bus (``memory://``): the same semantics as Redis inside one process.

A peer of stream.bus.redis, not a mock: the same contract tests run against both
(tests/stream/test_spine_contract.py), so the demo needs nothing installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from stream.bus.protocol import REJECTED_MAXLEN, Entry, Rejection, always, entry_ms
from stream.keys import Keys
from stream.outcome import Outcome, Verdict
from stream.trust import Seal


@dataclass
class _Topic:
    """Pub/sub in one process: one queue per subscriber; nothing kept for absent ones."""

    queues: set[asyncio.Queue[object]] = field(default_factory=set)

    def publish(self, message: object) -> None:
        for queue in self.queues:
            queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[object]]:
        queue: asyncio.Queue[object] = asyncio.Queue()
        self.queues.add(queue)

        async def messages() -> AsyncIterator[object]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self.queues.discard(queue)


class MemoryBus:
    """The in-process peer of :class:`RedisBus`, for one process with nothing installed."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self._ids = itertools.count(1)
        self._stream: dict[str, Entry] = {}  # not yet delivered, in order
        self._pending: dict[str, Entry] = {}  # delivered, not acknowledged
        self._arrived = asyncio.Event()
        self._rejected: list[dict[str, str]] = []
        self._live = _Topic()
        self._outcomes = _Topic()
        self._recent: dict[tuple[str, str], Outcome] = {}
        self._lease: str | None = None

    async def add(self, texts: Sequence[str | bytes]) -> None:
        self._append([(text, None) for text in texts])

    async def add_signed(self, entries: Sequence[tuple[str, Seal]]) -> None:
        self._append(entries)

    def _append(self, entries: Sequence[tuple[str | bytes, Seal | None]]) -> None:
        for text, sealed in entries:
            # "<ms>-<n>" like Redis stream ids, so the lag metric reads arrival times alike.
            entry_id = f"{int(time.time() * 1000)}-{next(self._ids)}"
            raw = text.encode() if isinstance(text, str) else text
            self._stream[entry_id] = Entry(entry_id, raw, sealed)
        self._arrived.set()

    async def claim(self, consumer: str) -> list[Entry]:
        return list(self._pending.values())

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        if not self._stream:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), block_ms / 1000)
        taken: list[Entry] = list(itertools.islice(self._stream.values(), count))
        for entry in taken:
            self._pending[entry.id] = self._stream.pop(entry.id)
        return taken

    async def ack(self, entry_ids: Sequence[str]) -> None:
        for entry_id in entry_ids:
            self._pending.pop(entry_id, None)

    async def reject(self, rejections: Sequence[Rejection]) -> None:
        self._keep(rejections)

    def _keep(self, rejections: Sequence[Rejection]) -> None:
        for r in rejections:
            text = r.text.decode("utf-8", "replace") if isinstance(r.text, bytes) else r.text
            row = {"event": text, "reason": r.reason}
            if r.source is not None and r.event_id is not None:
                row |= {"source": r.source, "id": r.event_id}
            self._rejected.append(row)
        del self._rejected[:-REJECTED_MAXLEN]

    async def settle(self, entry_ids: Sequence[str], rejections: Sequence[Rejection]) -> None:
        # No await until both are done: atomic, as the Redis script is.
        acked = {e for e in entry_ids if self._pending.pop(e, None) is not None}
        self._keep([r for r in rejections if r.entry_id is None or r.entry_id in acked])

    async def rejected(self, count: int = 100) -> list[dict[str, str]]:
        return self._rejected[-count:]

    async def waiting_since(self) -> int | None:
        waiting = [*self._pending, *self._stream]
        return min((entry_ms(i) for i in waiting), default=None)

    async def publish(self, messages: Sequence[str]) -> None:
        for message in messages:
            self._live.publish(message)

    @contextlib.asynccontextmanager
    async def live(self) -> AsyncIterator[AsyncIterator[str]]:
        async with self._live.subscribe() as messages:
            yield (str(m) async for m in messages)

    async def post_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            if outcome.verdict is Verdict.REJECTED and outcome.key is not None:
                self._recent[outcome.key] = outcome
            self._outcomes.publish(outcome)
        while len(self._recent) > 100_000:
            del self._recent[next(iter(self._recent))]

    @contextlib.asynccontextmanager
    async def outcomes(
        self, wanted: Callable[[], bool] = always
    ) -> AsyncIterator[AsyncIterator[Outcome]]:
        async with self._outcomes.subscribe() as messages:
            yield (m async for m in messages if isinstance(m, Outcome) and wanted())

    async def recent_outcome(self, source: str, event_id: str) -> Outcome | None:
        return self._recent.get((source, event_id))

    async def acquire_lease(self, token: str, ttl_ms: int) -> bool:
        if self._lease in (None, token):
            self._lease = token
        return self._lease == token

    async def release_lease(self, token: str) -> None:
        if self._lease == token:
            self._lease = None

    async def close(self) -> None:
        return None
