"""Redis restarted with nothing kept (no AOF, no RDB): the spine finds its consumer group,
its lease and its subscriptions gone, and must carry on by itself — the group made again,
sequencing on from the log's last seq with no gap and no repeat, fan-out resubscribed,
commands answered — without any process being restarted. Each test runs its own
redis-server on a free port, so killing it disturbs nobody."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import redis.exceptions

from stream.outcome import Outcome, Verdict
from stream.settings import SpineSettings, load_settings
from stream.spine import OutcomeTimeout, Spine
from tests.databases import migrated
from tests.stream.factories import Events, london
from tests.stream.private_redis import PrivateRedis, private_redis
from tests.stream.procs import assert_exactly_once

DEADLINE_S = 60.0  # generous: a busy machine is slow, never wrong


def _settings(server: PrivateRedis, tmp_path: Path) -> SpineSettings:
    return load_settings(
        redis_url=server.url,
        database_url=migrated(f"sqlite:///{tmp_path}/log.sqlite3"),
        key_prefix="restart",
        lease_ttl_ms=1_000,
        ingest_batch=100,
    )


async def _until(what: str, predicate: Any) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.05)


async def _submit_until_answered(spine: Spine, event: dict[str, Any]) -> Outcome:
    """A command sent while Redis comes back may fail or time out; its retry (the same
    event) must be answered, and is logged once whichever attempt got through."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            return await spine.submit(event, timeout=5)
        except (OutcomeTimeout, redis.exceptions.ConnectionError) as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer within {DEADLINE_S} s: {exc!r}") from exc
            await asyncio.sleep(0.2)


async def test_the_spine_recovers_by_itself_after_redis_restarts_empty(tmp_path: Path) -> None:
    ev = Events()
    before = [ev.on_duty("U1")] + [ev.location("U1", jitter=i * 1e-6) for i in range(30)]
    after = [ev.location("U1", jitter=1e-4 + i * 1e-6) for i in range(40)]
    with private_redis(tmp_path) as server:
        settings = _settings(server, tmp_path)
        async with (
            Spine.open(settings, london(), gc_tuning=False) as leader,
            Spine.open(settings, london(), sequence=False, gc_tuning=False) as follower,
        ):
            outcomes = await leader.submit_many(before)
            assert {o.verdict for o in outcomes} == {Verdict.ACCEPTED}

            server.restart()  # kill -9; it comes back with no stream, no group, no lease
            async with asyncio.timeout(3 * DEADLINE_S):  # fail, never hang, if it is stuck
                await _carry_on(leader, follower, after)
            total = len(before) + len(after)
            assert_exactly_once(leader.log, [str(e["id"]) for e in before + after])

            async def pictures_caught_up() -> bool:
                return leader.picture.seq == follower.picture.seq == total

            await _until("both pictures at the log's end", pictures_caught_up)
            # Fan-out and outcomes resubscribed on the new server: one subscriber each per
            # process (the log watcher alone would have caught the pictures up).
            client = server.client()
            try:
                counts = dict(client.pubsub_numsub(leader.keys.live, leader.keys.outcomes))
            finally:
                client.close()
            assert counts == {leader.keys.live.encode(): 2, leader.keys.outcomes.encode(): 2}


async def _carry_on(leader: Spine, follower: Spine, after: list[dict[str, Any]]) -> None:
    """Events after the restart: a command through the sequencing process (retried while
    Redis comes back), a batch, a producer's XADD, and a command through the other one."""
    first = await _submit_until_answered(leader, after[0])
    assert first.verdict in (Verdict.ACCEPTED, Verdict.DUPLICATE), first
    rest = await leader.submit_many(after[1:20], timeout=DEADLINE_S)
    assert {o.verdict for o in rest} == {Verdict.ACCEPTED}
    # A producer's XADD straight to the new stream, and a command through the
    # process that does not sequence.
    await follower.bus.add([json.dumps(e) for e in after[20:39]])
    last = await follower.submit(after[39], timeout=DEADLINE_S)
    assert last.verdict is Verdict.ACCEPTED
