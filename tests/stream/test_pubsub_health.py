"""The pub/sub watchdog (stream.bus.redis): a quiet but healthy subscription is never torn down,
a silently dead one is. Each test runs its own redis-server, so its connection count is
this test's alone (and pausing it disturbs nobody)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio.connection

import stream.bus.redis as bus_module
from stream.bus import RedisBus
from stream.keys import Keys
from stream.outcome import Verdict
from stream.settings import load_settings
from stream.spine import Spine
from tests.databases import migrated
from tests.stream.factories import Events, london
from tests.stream.private_redis import PrivateRedis, private_redis

PERIOD_S = 0.2  # the health period in these tests (10 s in service)
DEADLINE_S = 30.0


@pytest.fixture
def server(tmp_path: Path) -> Any:
    with private_redis(tmp_path) as server:
        yield server


@pytest.fixture(autouse=True)
def short_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bus_module, "PUBSUB_HEALTH_S", PERIOD_S)
    monkeypatch.setattr(bus_module, "PUBSUB_PONG_S", PERIOD_S * 5)


@pytest.fixture
def admin(server: PrivateRedis) -> Any:
    """One connection of the test's own, made once, so counting connections adds none."""
    client = server.client()
    client.ping()
    yield client
    client.close()


def _connections(admin: Any) -> int:
    """Connections the server has accepted since it started (INFO stats)."""
    return int(admin.info("stats")["total_connections_received"])


@pytest.fixture
def slow_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes that let the event loop run before they return, as a write with a socket
    timeout (asyncio.wait_for) or a full send buffer does: the PONG can then be read before
    the command that sent the PING has returned."""
    original = redis.asyncio.connection.AbstractConnection.send_packed_command

    async def send(self: Any, *args: Any, **kwargs: Any) -> None:
        await original(self, *args, **kwargs)
        await asyncio.sleep(0.01)

    monkeypatch.setattr(redis.asyncio.connection.AbstractConnection, "send_packed_command", send)


async def _quiet(periods: int) -> None:
    # Waiting through health periods is what is under test, not a guess at a duration.
    await asyncio.sleep(periods * PERIOD_S)


async def _until(what: str, predicate: Callable[[], Any]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def _subscribed(bus: RedisBus) -> AsyncIterator[list[str]]:
    """Keeps the live channel subscribed (reconnecting like the Hub does); yields what it got."""
    got: list[str] = []

    async def listen() -> None:
        while True:
            try:
                async with bus.live() as messages:
                    async for message in messages:
                        got.append(message)
            except Exception:
                await asyncio.sleep(0.05)

    task = asyncio.create_task(listen())
    try:
        yield got
    finally:
        task.cancel()


async def _numsub(bus: RedisBus) -> int:
    return int(dict(await bus.redis.pubsub_numsub(bus.keys.live))[bus.keys.live.encode()])


@contextlib.asynccontextmanager
async def _listening(
    server: PrivateRedis, prefix: str
) -> AsyncIterator[tuple[RedisBus, list[str]]]:
    """A bus on ``server`` with its live channel subscribed (kept so by ``_subscribed``) and
    what it got; closed afterwards."""
    bus = RedisBus(server.url, Keys(prefix))
    try:
        async with _subscribed(bus) as got:
            await _until_subscribed(bus)
            yield bus, got
    finally:
        await bus.close()


async def _until_subscribed(bus: RedisBus, what: str = "subscribed") -> None:
    async def subscribed() -> bool:
        return await _numsub(bus) == 1

    await _until(what, subscribed)


@pytest.mark.usefixtures("slow_writes")
async def test_a_quiet_healthy_subscription_is_never_reconnected(
    server: PrivateRedis, admin: Any
) -> None:
    async with _listening(server, "quiet") as (bus, got):
        before = _connections(admin)
        await _quiet(15)  # many health periods with nothing on the channel
        assert _connections(admin) == before, "the quiet subscription was reconnected"
        await bus.publish(['{"seq":1}'])

        async def delivered() -> bool:
            return got == ['{"seq":1}']

        await _until("the message after the quiet spell", delivered)


@pytest.mark.usefixtures("slow_writes")
async def test_commands_in_a_quiet_spell_are_answered_on_the_subscription(
    server: PrivateRedis, admin: Any, tmp_path: Path
) -> None:
    settings = load_settings(
        redis_url=server.url,
        database_url=migrated(f"sqlite:///{tmp_path}/log.sqlite3"),
        key_prefix="quiet",
        lease_ttl_ms=60_000,  # the lease renewal is not what this counts
    )
    ev = Events()
    async with Spine.open(settings, london(), gc_tuning=False) as spine:
        assert (await spine.submit(ev.on_duty("U1"))).verdict is Verdict.ACCEPTED
        before = _connections(admin)
        for _ in range(4):
            await _quiet(4)
            # Answered by the outcome subscription, not by the late look-up after the
            # timeout: a reconnect in between would lose the answer and raise here.
            outcome = await spine.submit(ev.status("U1", "busy"), timeout=DEADLINE_S)
            assert outcome.verdict is Verdict.ACCEPTED
        assert _connections(admin) == before, "a subscription was reconnected"


async def test_a_silently_dead_subscription_is_resubscribed(
    server: PrivateRedis, admin: Any
) -> None:
    async with _listening(server, "dead") as (bus, got):
        before = _connections(admin)
        # Redis stops answering anyone (as a hung server or a dropped route would) for
        # longer than a PING may go unanswered.
        admin.execute_command("CLIENT", "PAUSE", str(int(PERIOD_S * 15 * 1000)), "ALL")
        await _until_sync("a new connection", lambda: _connections(admin) > before)
        await _until_subscribed(bus, "subscribed again")
        # And a connection killed outright is noticed at once.
        killed = admin.client_kill_filter(_type="pubsub")
        assert killed == 1
        await _until_subscribed(bus, "subscribed after the kill")
        await bus.publish([json.dumps({"seq": 7})])

        async def delivered() -> bool:
            return '{"seq": 7}' in got

        await _until("a message on the new subscription", delivered)


async def _until_sync(what: str, predicate: Callable[[], bool]) -> None:
    async def check() -> bool:
        return await asyncio.to_thread(predicate)

    await _until(what, check)
