"""Two service processes share one Redis and one database: exactly one sequences, and when
it dies the other takes over and carries on without losing or doubling anything."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from stream.bus import RedisBus
from stream.events import Recorded
from stream.keys import Keys
from stream.sequencer import Sequencer
from tests.stream.conftest import Backend
from tests.stream.factories import Events, london, recorded
from tests.stream.procs import Producer, ServiceProcess, assert_exactly_once, open_log, wait_until


def test_one_of_two_services_sequences_and_the_other_takes_over(
    durable_backend: Backend,
) -> None:
    ev = Events()
    raws = [ev.on_duty("U1")] + [ev.location("U1", jitter=i * 1e-6) for i in range(1_199)]
    producer, log = Producer(durable_backend), open_log(durable_backend)
    services = [ServiceProcess(durable_backend), ServiceProcess(durable_backend)]
    stop = threading.Event()

    def produce() -> None:  # a steady feed throughout, including while nobody leads
        for start in range(0, len(raws), 20):
            producer.add(raws[start : start + 20])
            time.sleep(0.01)
            if stop.is_set():
                return

    feeder = threading.Thread(target=produce)
    try:
        for s in services:
            s.wait_for("ready")
        wait_until(lambda: any(s.said("leading") for s in services), what="a leader")
        time.sleep(1.0)  # several lease periods: the other must still be following
        leaders = [s for s in services if s.said("leading")]
        assert len(leaders) == 1
        leader, follower = leaders[0], next(s for s in services if s is not leaders[0])
        feeder.start()
        wait_until(lambda: log.last_seq() >= 200, what="the leader logging")
        leader.kill()
        follower.wait_for("leading", timeout=10)  # the lease expires after 1 s in tests
        feeder.join(60)
        wait_until(lambda: log.last_seq() >= len(raws), what="the new leader logging")
        assert_exactly_once(log, [str(r["id"]) for r in raws])
    finally:
        stop.set()
        if feeder.is_alive():
            feeder.join(10)
        for s in services:
            s.kill()
        producer.close()
        log.close()


async def test_a_stale_sequencer_is_fenced_off_by_the_log_and_steps_down(
    durable_backend: Backend,
) -> None:
    """The leader stalls past its lease; another takes over and appends seq N+1 first. The
    stale leader's own seq N+1 is refused by the log, and it stops sequencing."""
    s = durable_backend.settings
    ev = Events()
    bus, log = RedisBus(s.redis_url, Keys(s.key_prefix)), open_log(durable_backend)
    stale = Sequencer(bus, log, london().locate, lease_ttl_ms=60_000)  # renews rarely
    task = asyncio.create_task(stale.run())
    try:
        await asyncio.wait_for(stale.leading.wait(), 10)
        await bus.add([json.dumps(ev.on_duty("U1"))])
        await _until(lambda: log.last_seq() == 1)
        # Another sequencer takes the lease and writes seq 2 (as after a long GC pause).
        await bus.redis.set(bus.keys.lease, "the-new-leader", px=60_000)
        theirs: Recorded = recorded(2, ev.location("U1"))
        log.append([theirs])
        await bus.add([json.dumps(ev.location("U1", jitter=1e-5))])
        await _until(lambda: not stale.leading.is_set())
        records = log.read()
        assert [(r.seq, r.event.id) for r in records][-1] == (2, theirs.event.id)
        assert len(records) == 2  # the stale writer's seq 2 never reached the log
        pending = await bus.redis.xpending(bus.keys.ingest, bus.keys.group)
        assert pending["pending"] == 1  # left for whoever holds the lease now
        await asyncio.sleep(0.5)
        assert not stale.leading.is_set()  # and it does not take the lease back
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bus.close()
        log.close()


async def _until(predicate: object, timeout: float = 10.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_a_sequencer_outlives_a_failing_lease_check(durable_backend: Backend) -> None:
    s = durable_backend.settings
    bus, log = RedisBus(s.redis_url, Keys(s.key_prefix)), open_log(durable_backend)
    real, failures = bus.acquire_lease, 0

    async def flaky(token: str, ttl_ms: int) -> bool:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise ConnectionError("Redis went away")
        return await real(token, ttl_ms)

    bus.acquire_lease = flaky  # type: ignore[method-assign]
    sequencer = Sequencer(bus, log, london().locate, lease_ttl_ms=500)
    task = asyncio.create_task(sequencer.run())
    try:
        await asyncio.wait_for(sequencer.leading.wait(), 10)
        assert failures == 2
        await bus.add([json.dumps(Events().on_duty("U1"))])
        await _until(lambda: log.last_seq() == 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bus.close()
        log.close()
