"""Live fan-out in one process: one bus subscription, a queue per subscriber, strictly in seq
order and exactly once, with the log closing every gap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

import stream.bus.redis as bus_module
from stream import fanout, wire
from stream.bus import Bus, open_bus
from stream.events import Recorded
from stream.fanout import Hub, SubscriberTooSlow, Subscription
from stream.keys import Keys
from stream.log import EventLog
from stream.wire import live_message
from tests.databases import migrated
from tests.stream.conftest import Backend
from tests.stream.factories import Events, recorded


@dataclass
class Feed:
    """Plays the sequencer: appends records to the log, then (maybe) publishes them."""

    bus: Bus
    log: EventLog
    hub: Hub
    events: Events

    async def record(self, n: int, publish: bool | set[int] = True) -> list[Recorded]:
        start = self.log.last_seq()
        if start == 0:
            raws = [self.events.on_duty("U1")]
            raws += [self.events.location("U1", jitter=i * 1e-5) for i in range(n - 1)]
        else:
            raws = [self.events.location("U1", jitter=i * 1e-5) for i in range(n)]
        records = [recorded(start + i, raw) for i, raw in enumerate(raws, 1)]
        self.log.append(records)
        chosen = [r for r in records if publish is True or (publish and r.seq in publish)]
        await self.bus.publish([live_message(r) for r in chosen])
        return records


@asynccontextmanager
async def _open_feed(backend: Backend, check_every: float) -> AsyncIterator[Feed]:
    s = backend.settings
    bus = open_bus(s.redis_url, Keys(s.key_prefix))
    log = EventLog(s.database_url, schema=backend.schema)
    hub = Hub(bus, log, queue_limit=50, check_every=check_every)
    await hub.start()
    try:
        yield Feed(bus, log, hub, Events())
    finally:
        await hub.stop()
        await bus.close()
        log.close()


@pytest.fixture
async def feed(backend: Backend) -> AsyncIterator[Feed]:
    async with _open_feed(backend, check_every=0.1) as f:
        yield f


async def _take(sub: Subscription, n: int, timeout: float = 10.0) -> list[int]:
    async def take() -> list[int]:
        got: list[int] = []
        async for record in sub:
            got.append(record.seq)
            if len(got) == n:
                break
        return got

    return await asyncio.wait_for(take(), timeout)


async def test_live_records_arrive_in_order_exactly_once(feed: Feed) -> None:
    async with feed.hub.subscribe() as first, feed.hub.subscribe() as second:
        await feed.record(20)
        assert await _take(first, 20) == list(range(1, 21))
        assert await _take(second, 20) == list(range(1, 21))
    assert feed.hub.subscribers == 0


async def test_a_gap_in_the_live_feed_is_filled_from_the_log(feed: Feed) -> None:
    async with feed.hub.subscribe(since=0) as sub:
        await feed.record(10, publish={1, 2, 7, 10})
        await feed.record(5)
        assert await _take(sub, 15) == list(range(1, 16))


async def test_since_resumes_after_exactly_that_seq(feed: Feed) -> None:
    await feed.record(30)
    async with feed.hub.subscribe(since=12) as sub:
        await feed.record(5)
        assert await _take(sub, 23) == list(range(13, 36))


async def test_a_long_catch_up_reads_the_log_a_page_at_a_time(
    feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "PAGE", 7)
    await feed.record(60, publish=False)
    async with feed.hub.subscribe(since=3) as sub:
        assert await _take(sub, 57) == list(range(4, 61))


async def test_records_logged_but_never_announced_still_arrive(feed: Feed) -> None:
    """A sequencer that died between its commit and its publish announced nothing."""
    async with feed.hub.subscribe(since=0) as sub:
        await feed.record(3)
        assert await _take(sub, 3) == [1, 2, 3]
        await feed.record(4, publish=False)  # and then the feed goes quiet
        assert await _take(sub, 4) == [4, 5, 6, 7]


async def test_a_slow_subscriber_is_dropped_without_holding_up_the_others(feed: Feed) -> None:
    async with feed.hub.subscribe() as slow, feed.hub.subscribe() as fast:
        reader = asyncio.create_task(_take(fast, 120))
        for _ in range(6):
            await feed.record(20)
            await asyncio.sleep(0.05)
        assert await reader == list(range(1, 121))
        got = []
        with pytest.raises(SubscriberTooSlow, match="behind"):
            async for record in slow:
                got.append(record.seq)
        assert got == list(range(1, len(got) + 1)) and len(got) <= 50
    assert feed.hub.subscribers == 0


async def test_subscribers_are_unregistered_when_they_fail(feed: Feed) -> None:
    with pytest.raises(RuntimeError):
        async with feed.hub.subscribe():
            assert feed.hub.subscribers == 1
            raise RuntimeError("the socket went away")
    assert feed.hub.subscribers == 0


async def test_after_a_redis_disconnect_the_hub_reconnects_and_nothing_is_missed(
    durable_backend: Backend,
) -> None:
    admin = redis.Redis.from_url(durable_backend.settings.redis_url)
    name = durable_backend.settings.key_prefix

    def our_subscriptions() -> list[int]:
        return [c["id"] for c in admin.client_list(_type="pubsub") if c["name"] == name]

    # No log watch here: only the reconnect itself may bring the missed records back.
    async with (
        _open_feed(durable_backend, check_every=3600) as feed,
        feed.hub.subscribe(since=0) as sub,
    ):
        await feed.record(5)
        assert await _take(sub, 5) == [1, 2, 3, 4, 5]
        before = our_subscriptions()
        assert before, "the hub's subscription should be visible in CLIENT LIST"
        for client_id in before:
            admin.client_kill_filter(_id=client_id)
        await feed.record(10)  # published while the hub is away: pub/sub drops them
        assert await _take(sub, 10) == list(range(6, 16))
        after = our_subscriptions()
        assert after and not set(after) & set(before)
        await feed.record(3)
        assert await _take(sub, 3) == [16, 17, 18]
    admin.close()


async def test_records_delivered_in_process_are_not_delivered_again_by_their_echo(
    feed: Feed,
) -> None:
    """The sequencing process hands its records to its hub directly; the same records then
    come back on the live channel and must be skipped, while later ones still arrive."""
    async with feed.hub.subscribe(since=0) as sub:
        mine = await feed.record(10, publish=False)
        feed.hub.deliver(mine)
        await feed.bus.publish([live_message(r) for r in mine])  # the echo
        await feed.record(5)  # someone else's, live
        assert await _take(sub, 15) == list(range(1, 16))
        assert feed.hub.delivered == 10


def test_the_seq_of_a_live_message_is_read_off_its_start() -> None:
    record = recorded(41, Events().on_duty("U1"))
    message = live_message(record)
    assert wire.peek_seq(message) == 41
    assert wire.parse_live(message) == record
    assert wire.peek_seq('{"event":{},"seq":41}') is None
    assert wire.peek_seq('{"seq":"41",') is None


async def test_a_silent_live_connection_is_noticed_and_replaced(
    durable_backend: Backend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis stops answering (CLIENT PAUSE): the quiet channel is pinged, the unanswered
    ping drops the connection, and the hub subscribes again once Redis is back."""
    monkeypatch.setattr(bus_module, "PUBSUB_HEALTH_S", 0.2)
    monkeypatch.setattr(bus_module, "PUBSUB_PONG_S", 0.4)
    admin = redis.Redis.from_url(durable_backend.settings.redis_url)
    async with (
        _open_feed(durable_backend, check_every=3600) as feed,
        feed.hub.subscribe(since=0) as sub,
    ):
        await feed.record(2)
        assert await _take(sub, 2) == [1, 2]
        admin.client_pause(1200, all=True)
        await asyncio.sleep(1.5)
        assert "no answer to PING on" in caplog.text
        await asyncio.wait_for(feed.hub.connected.wait(), 10)
        await feed.record(3)
        assert await _take(sub, 3) == [3, 4, 5]
    admin.close()


async def test_ready_stops_at_the_tick_bound_and_keeps_the_rest_in_order(tmp_path: Path) -> None:
    """What a WebSocket sender takes for one frame tick (``upto``): never a record past it,
    from whole batches and single records alike, and the rest next time, in order, once."""
    log = EventLog(migrated(f"sqlite:///{tmp_path}/log.sqlite3"))  # read only when behind
    events = Events()
    raws = [events.on_duty("U1")] + [events.location("U1", jitter=i * 1e-5) for i in range(9)]
    records = [recorded(seq, raw) for seq, raw in enumerate(raws, 1)]
    sub = Subscription(log, next_seq=1, limit=100)
    assert not sub.has_ready()
    sub.offer(records[:4])  # a batch: seqs 1-4
    sub.offer(records[4])  # one record: seq 5
    sub.offer(records[5:])  # seqs 6-10
    assert [r.seq for r in sub.ready(100, upto=3)] == [1, 2, 3]
    assert sub.ready(100, upto=3) == [] and sub.has_ready()
    assert [r.seq for r in sub.ready(100, upto=7)] == [4, 5, 6, 7]
    assert [r.seq for r in sub.ready(2)] == [8, 9]
    assert [r.seq for r in sub.ready(100)] == [10]
    assert sub.queued == 0 and not sub.has_ready()
    log.close()


async def test_ready_takes_a_log_backlog_whole_whatever_the_tick_bound(tmp_path: Path) -> None:
    """A socket resuming after a restart catches up from the log; the fan-out has handed
    nothing over yet (the tick bound is 0), and the whole backlog must still go at once."""
    log = EventLog(migrated(f"sqlite:///{tmp_path}/log.sqlite3"))
    events = Events()
    raws = [events.on_duty("U1")] + [events.location("U1", jitter=i * 1e-5) for i in range(5)]
    log.append([recorded(seq, raw) for seq, raw in enumerate(raws, 1)])
    sub = Subscription(log, next_seq=2, limit=100, behind=True)
    assert not sub.has_ready()  # behind: only anext reads the log
    first = await anext(sub)
    assert sub.has_ready()
    assert first.seq == 2
    assert [r.seq for r in sub.ready(100, upto=0)] == [3, 4, 5, 6]
    log.close()


async def test_ready_skips_what_it_has_and_stops_at_a_gap_in_a_batch(tmp_path: Path) -> None:
    """A frame takes a batch's consecutive records at once; what the subscriber had from
    the log before is skipped, and a gap inside a batch sends it to the log, as one record
    at a time would."""
    log = EventLog(migrated(f"sqlite:///{tmp_path}/log.sqlite3"))
    events = Events()
    raws = [events.on_duty("U1")] + [events.location("U1", jitter=i * 1e-5) for i in range(7)]
    records = [recorded(seq, raw) for seq, raw in enumerate(raws, 1)]
    log.append(records)
    sub = Subscription(log, next_seq=3, limit=100)
    sub.offer(records[:5])  # seqs 1-5, of which 1 and 2 were had
    assert [r.seq for r in sub.ready(100)] == [3, 4, 5]
    sub.offer([records[5], records[7]])  # 6, then 8: 7 is missing
    assert [r.seq for r in sub.ready(100)] == [6] and sub.behind
    assert (await anext(sub)).seq == 7  # from the log
    assert [r.seq for r in sub.ready(100)] == [8]
    assert sub.queued == 0 and not sub.has_ready()
    log.close()
