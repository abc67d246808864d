"""``Bus.waiting_since``, on every backend: when the oldest ingest entry not yet decided
arrived (what the outage banner's "events waiting to be logged" reads), and None once the
sequencer has decided everything."""

from __future__ import annotations

import asyncio
import json
import time

from tests.stream.conftest import Backend
from tests.stream.factories import Events


async def test_waiting_since_is_the_oldest_undecided_entry_then_none(backend: Backend) -> None:
    ev = Events()
    async with backend.spine(sequence=False) as producer:  # nothing decides them yet
        assert await producer.bus.waiting_since() is None
        before = time.time() * 1000
        await producer.bus.add([json.dumps(ev.on_duty("U1")), json.dumps(ev.location("U1"))])
        await producer.bus.add([json.dumps(ev.location("U1"))])
        since = await producer.bus.waiting_since()
        assert since is not None and before - 1_000 <= since <= time.time() * 1000 + 1_000
    async with backend.spine() as spine:  # a sequencer decides them (Redis kept them)
        await spine.bus.add([json.dumps(ev.on_duty("U9"))])
        deadline = time.monotonic() + 15
        while await spine.bus.waiting_since() is not None:
            assert time.monotonic() < deadline, "entries still waiting"
            await asyncio.sleep(0.05)
        kept = 3 if backend.name.startswith("redis") else 0  # memory: gone with the spine
        assert await asyncio.to_thread(spine.log.last_seq) == kept + 1
