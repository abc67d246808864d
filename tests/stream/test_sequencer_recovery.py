"""The sequencer gets going again after a failed batch even when the bus swallows the
cancellation of its lease renewer.

Found by the disk-full drill (tests/resilience): redis-py, on Python 3.11, can turn a cancel
that lands mid-command into a timeout and retry the command, so the cancelled renewer went
on renewing the lease for ever while the sequencer waited for it to stop: the lease was
held, nothing was sequenced, and no other server could take over.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from stream.bus import MemoryBus
from stream.keys import Keys
from stream.log import EventLog
from stream.sequencer import Sequencer
from tests.databases import migrated
from tests.stream.factories import Events, london


class SwallowingBus(MemoryBus):
    """An in-process bus whose lease renewal, like redis-py's under a racing timeout,
    returns normally when cancelled mid-call (once: so the test can end either way)."""

    swallowed = 0

    async def acquire_lease(self, token: str, ttl_ms: int) -> bool:
        try:
            await asyncio.sleep(0.2)  # the command in flight, most of the renewer's time
        except asyncio.CancelledError:
            if self.swallowed:
                raise
            self.swallowed += 1
        return await super().acquire_lease(token, ttl_ms)


class FailingOnce(EventLog):
    """A log whose first append fails, as on a full disk."""

    failed = False

    def append(self, *args: Any, **kwargs: Any) -> None:
        if not self.failed:
            self.failed = True
            raise OSError("database or disk is full")
        super().append(*args, **kwargs)


async def test_a_swallowed_cancel_does_not_keep_the_sequencer_waiting(tmp_path: Path) -> None:
    bus = SwallowingBus(Keys("t"))
    log = FailingOnce(migrated(f"sqlite:///{tmp_path}/log.sqlite3"))
    # A renewal 10 ms after the last one took 200 ms: the cancel after the failed batch lands
    # while a renewal is in flight (and is swallowed) nearly every time.
    sequencer = Sequencer(bus, log, london().locate, lease_ttl_ms=30)
    ev = Events()
    runner = asyncio.create_task(sequencer.run())
    try:
        await bus.add([json.dumps(ev.on_duty("U1"))])
        deadline = asyncio.get_running_loop().time() + 15
        while await asyncio.to_thread(log.last_seq) < 1:
            assert asyncio.get_running_loop().time() < deadline, (
                f"nothing sequenced after the failed batch (cancels swallowed: {bus.swallowed})"
            )
            await asyncio.sleep(0.05)
        assert log.failed
    finally:
        runner.cancel()
        # Bounded: before the fix the runner could not be stopped either (it waits on the
        # renewer, which nothing stops).
        await asyncio.wait({runner}, timeout=5)
        log.close()
