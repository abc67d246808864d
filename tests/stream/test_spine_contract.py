"""The spine's contract, run against every backend: in-process, Redis + SQLite, Redis +
PostgreSQL. Events go in through the ingest stream exactly as a producer's XADD puts them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from stream.bus import RedisBus
from stream.events import to_dict
from stream.outcome import Outcome, Verdict
from stream.picture import fold
from stream.spine import Spine
from tests.stream.conftest import Backend
from tests.stream.factories import OUTSIDE, Events


async def _until(predicate: Any, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def _logged(spine: Spine, n: int) -> None:
    async def done() -> bool:
        return await asyncio.to_thread(spine.log.last_seq) >= n

    await _until(done)


async def test_accepted_events_get_gap_free_seqs_and_awaitable_outcomes(backend: Backend) -> None:
    ev = Events()
    async with backend.spine() as spine:
        outcomes = await spine.submit_many(
            [ev.on_duty("U1"), ev.incident_created("I1"), ev.assigned("I1", "U1")]
            + [ev.location("U1", jitter=i * 1e-5) for i in range(40)]
        )
        assert [o.verdict for o in outcomes] == [Verdict.ACCEPTED] * 43
        assert [o.seq for o in outcomes] == list(range(1, 44))
        records = await asyncio.to_thread(spine.log.read)
        assert [r.seq for r in records] == list(range(1, 44))
        await spine.wait_for_seq(43)
        assert spine.picture == fold(records)
        assert spine.picture.units["U1"].status == "en_route"


async def test_duplicates_are_ignored_never_applied_twice(backend: Backend) -> None:
    ev = Events()
    created = ev.incident_created("I1")
    async with backend.spine() as spine:
        first = await spine.submit(created)
        again = await spine.submit(created)
        assert again.verdict is Verdict.DUPLICATE and again.seq == first.seq
        await spine.bus.add([json.dumps(created)] * 3 + [json.dumps(ev.on_duty("U1"))])
        await _logged(spine, 2)
        records = await asyncio.to_thread(spine.log.read)
        assert [r.event.id for r in records] == [created["id"], records[1].event.id]


BAD = [
    ("malformed JSON", lambda ev: "{'no': json"),
    ("unknown event type", lambda ev: {**ev.on_duty("X"), "type": "unit.teleported"}),
    (
        "missing field: data.callsign",
        lambda ev: {
            **ev.on_duty("X"),
            "data": {k: v for k, v in ev.on_duty("X")["data"].items() if k != "callsign"},
        },
    ),
    (
        "data.lat",
        lambda ev: {**ev.location("U1"), "data": {"unit_id": "U1", "lat": "here", "lon": 0.0}},
    ),
    ("grade must be one of I, S, E, R", lambda ev: ev.incident_created("I7", grade="Z")),
    (
        "outside London",
        lambda ev: {
            **ev.location("U1"),
            "data": {"unit_id": "U1", "lat": OUTSIDE[0], "lon": OUTSIDE[1]},
        },
    ),
    ("unknown unit U404", lambda ev: ev.location("U404")),
    ("unknown incident I404", lambda ev: ev.assigned("I404", "U1")),
]


async def test_each_kind_of_bad_input_is_kept_with_its_reason(backend: Backend) -> None:
    ev = Events()
    texts = [json.dumps(ev.on_duty("U1"))]
    for _, make in BAD:
        bad = make(ev)
        texts += [
            bad if isinstance(bad, str) else json.dumps(bad),
            json.dumps(ev.location("U1", jitter=len(texts) * 1e-5)),
        ]
    duplicate = texts[-1]
    texts.append(duplicate)
    async with backend.spine() as spine:
        await spine.bus.add(texts)
        valid = 1 + len(BAD)
        await _logged(spine, valid)

        async def all_rejected() -> bool:
            return len(await spine.bus.rejected()) >= len(BAD)

        await _until(all_rejected)
        rejected = await spine.bus.rejected()
        assert len(rejected) == len(BAD)  # the duplicate is ignored, not rejected
        for (reason, _), row in zip(BAD, rejected, strict=True):
            assert reason in row["reason"]
            assert row["event"]  # the original text is kept
        assert await asyncio.to_thread(spine.log.last_seq) == valid
        assert "'no': json" in rejected[0]["event"]


async def test_conflicting_commands_are_decided_in_log_order(backend: Backend) -> None:
    ev = Events()
    async with backend.spine() as spine:
        await spine.submit_many(
            [ev.on_duty("U1"), ev.incident_created("I1"), ev.incident_created("I2")]
        )
        first, second = await asyncio.gather(
            spine.submit(ev.assigned("I1", "U1")), spine.submit(ev.assigned("I2", "U1"))
        )
        verdicts = sorted([first.verdict, second.verdict])
        assert verdicts == [Verdict.ACCEPTED, Verdict.REJECTED]
        loser = first if first.verdict is Verdict.REJECTED else second
        assert loser.reason is not None and "committed to incident" in loser.reason


async def test_subscribers_get_every_event_in_order_exactly_once(backend: Backend) -> None:
    ev = Events()
    async with backend.spine() as spine:
        await spine.submit(ev.on_duty("U1"))
        received: list[int] = []
        async with spine.subscribe(since=0) as events:
            await spine.submit_many([ev.location("U1", jitter=i * 1e-5) for i in range(30)])
            async for record in events:
                received.append(record.seq)
                if record.seq == 31:
                    break
        assert received == list(range(1, 32))


async def test_cloudevents_extras_come_back_from_the_feed_and_the_log(backend: Backend) -> None:
    ev = Events()
    extras = {
        "subject": "U1",
        "datacontenttype": "application/json; charset=utf-8",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "hops": 2,
    }
    sent = ev.on_duty("U1") | extras
    async with backend.spine() as spine:
        async with spine.subscribe(since=0) as events:
            assert (await spine.submit(sent)).verdict is Verdict.ACCEPTED
            live = await anext(aiter(events))
        logged = (await asyncio.to_thread(spine.log.read))[0]
    for record in (live, logged):
        assert to_dict(record.event) == sent


async def test_a_subscriber_away_for_n_events_gets_exactly_those_n(backend: Backend) -> None:
    ev = Events()
    async with backend.spine() as spine:
        await spine.submit_many([ev.on_duty("U1")] + [ev.location("U1") for _ in range(4)])
        last_seen = 5  # the subscriber disconnected here...
        await spine.submit_many([ev.location("U1", jitter=i * 1e-5) for i in range(17)])
        got = []
        async with spine.subscribe(since=last_seen) as events:  # ...and reconnects
            async for record in events:
                got.append(record.seq)
                if len(got) == 17:
                    break
        assert got == list(range(6, 23))


async def test_a_restart_rebuilds_the_exact_picture_from_snapshot_and_tail(
    backend: Backend,
) -> None:
    ev = Events()
    raws = [ev.on_duty(f"U{i}", bcu=b) for i, b in enumerate(["AW", "SN", "NE"])]
    raws += [ev.incident_created(f"I{i}", grade="IS"[i % 2]) for i in range(10)]
    raws += [ev.assigned("I0", "U0"), ev.arrived("I0", "U0"), ev.closed("I0")]
    raws += [ev.location("U1", jitter=i * 1e-5) for i in range(40)]
    async with backend.spine() as spine:
        await spine.submit_many(raws)
        await spine.wait_for_seq(len(raws))
        before = spine.picture.to_snapshot()
        snapshot = await asyncio.to_thread(spine.log.latest_snapshot)
        assert snapshot is not None and 0 < snapshot.seq < len(raws)  # every 25 events
    async with backend.spine() as spine:
        assert spine.picture.to_snapshot() == before
        full = fold(await asyncio.to_thread(spine.log.read))
        assert spine.picture == full


async def test_events_written_while_the_service_is_down_are_processed_on_return(
    durable_backend: Backend,
) -> None:
    ev = Events()
    async with durable_backend.spine(sequence=False) as producer:  # no sequencer runs
        await producer.bus.add(
            [json.dumps(ev.on_duty("U1"))] + [json.dumps(ev.location("U1")) for _ in range(9)]
        )
        await asyncio.sleep(0.3)
        assert await asyncio.to_thread(producer.log.last_seq) == 0
    async with durable_backend.spine() as spine:
        await _logged(spine, 10)
        assert await asyncio.to_thread(spine.log.last_seq) == 10


@pytest.mark.parametrize("fail_at", ["settle", "publish"])
async def test_a_crash_after_logging_loses_and_doubles_nothing(
    durable_backend: Backend, fail_at: str
) -> None:
    """The sequencer dies between writing the log and acknowledging (or announcing) a batch:
    the entries come back to the next sequencer, which finds them in the log already."""
    ev = Events()
    raws = [ev.on_duty("U1")] + [ev.location("U1", jitter=i * 1e-5) for i in range(49)]
    async with durable_backend.spine(sequence=False) as producer:
        await producer.bus.add([json.dumps(r) for r in raws])
    async with durable_backend.spine() as spine:
        assert spine.sequencer is not None
        real = getattr(spine.bus, fail_at)
        calls = 0

        async def crash_once(*args: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise ConnectionError(f"simulated crash in {fail_at}")
            await real(*args)

        setattr(spine.bus, fail_at, crash_once)
        await _logged(spine, 50)
        await asyncio.sleep(1.5)  # the sequencer restarts and re-reads the unacked entries
        records = await asyncio.to_thread(spine.log.read)
        assert [r.seq for r in records] == list(range(1, 51))
        assert len({r.event.key for r in records}) == 50


async def test_bytes_that_are_not_utf8_are_rejected_and_kept(backend: Backend) -> None:
    ev = Events()
    async with backend.spine() as spine:
        await spine.bus.add(
            [json.dumps(ev.on_duty("U1")), b'{"id": "\xff\xfe"}', json.dumps(ev.location("U1"))]
        )
        await _logged(spine, 2)

        async def rejected() -> bool:
            return len(await spine.bus.rejected()) == 1

        await _until(rejected)
        (row,) = await spine.bus.rejected()
        assert row["reason"].startswith("malformed JSON")


async def test_entries_without_an_event_field_are_rejected(durable_backend: Backend) -> None:
    """A producer's XADD with the wrong field name: kept with a reason, the feed goes on."""
    ev = Events()
    async with durable_backend.spine() as spine:
        bus = spine.bus
        assert isinstance(bus, RedisBus)
        await bus.redis.xadd(bus.keys.ingest, {"evnt": json.dumps(ev.on_duty("U1"))})
        await bus.add([json.dumps(ev.on_duty("U2"))])
        await _logged(spine, 1)

        async def rejected() -> bool:
            return len(await bus.rejected()) == 1

        await _until(rejected)
        (row,) = await bus.rejected()
        assert row["reason"] == "ingest entry has no 'event' field"
        assert [r.event.data.unit_id for r in await asyncio.to_thread(spine.log.read)] == ["U2"]


async def test_invalid_submissions_are_answered_at_once_and_kept(backend: Backend) -> None:
    ev = Events()
    async with backend.spine() as spine:
        good, bad = ev.on_duty("U1"), {**ev.on_duty("U2"), "type": "unit.teleported"}
        outcomes = await spine.submit_many([bad, good])
        assert [o.verdict for o in outcomes] == [Verdict.REJECTED, Verdict.ACCEPTED]
        assert outcomes[0].key == ("test", bad["id"]) and "unknown event type" in (
            outcomes[0].reason or ""
        )
        (row,) = await spine.bus.rejected()
        assert row["id"] == bad["id"] and "unit.teleported" in row["event"]


async def test_an_outcome_can_be_looked_up_after_the_fact(backend: Backend) -> None:
    ev = Events()
    on_duty, unknown = ev.on_duty("U1"), ev.location("U404")
    async with backend.spine() as spine:
        assert await spine.outcome("test", on_duty["id"]) is None
        await spine.bus.add([json.dumps(on_duty), json.dumps(unknown)])
        await _logged(spine, 1)
        await _until(lambda: spine.outcome("test", unknown["id"]))
        accepted = await spine.outcome("test", on_duty["id"])
        rejected = await spine.outcome("test", unknown["id"])
        assert accepted is not None and (accepted.verdict, accepted.seq) == (Verdict.ACCEPTED, 1)
        assert rejected is not None and rejected.verdict is Verdict.REJECTED
        assert "unknown unit U404" in (rejected.reason or "")


async def test_a_batch_of_outcomes_nobody_wants_is_passed_over(backend: Backend) -> None:
    asked: list[bool] = []

    def wanted() -> bool:  # not the first batch; every one after it
        asked.append(True)
        return len(asked) > 1

    async with backend.spine() as spine, spine.bus.outcomes(wanted) as seen:
        await spine.bus.post_outcomes([Outcome(Verdict.ACCEPTED, "test", "a", 1)])
        await spine.bus.post_outcomes([Outcome(Verdict.ACCEPTED, "test", "b", 2)])
        first = await asyncio.wait_for(anext(seen), 10)
        assert first.key == ("test", "b") and len(asked) == 2
