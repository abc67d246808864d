"""Waiting for the picture to reach a seq (stream.watermark): released by the advance that
reaches it, in seq order, never by polling; timeouts as before; released on shutdown."""

from __future__ import annotations

import asyncio

import pytest

from stream.watermark import WaitInterrupted, Watermark
from tests.stream.conftest import Backend
from tests.stream.factories import Events


async def _settle() -> None:
    """Let every task that can run, run (a released waiter takes a few loop turns)."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_seq_already_applied_returns_at_once() -> None:
    mark = Watermark()
    mark.advance(5)
    await asyncio.wait_for(mark.wait(5, timeout=10), 0.1)
    await asyncio.wait_for(mark.wait(3, timeout=10), 0.1)


async def test_waiters_are_released_in_seq_order_by_the_advance_that_reaches_them() -> None:
    mark = Watermark()
    released: list[int] = []

    async def wait(seq: int) -> None:
        await mark.wait(seq, timeout=10)
        released.append(seq)

    waiters = [asyncio.create_task(wait(seq)) for seq in (3, 1, 2, 5)]
    await _settle()
    mark.advance(1)
    await _settle()
    assert released == [1]
    mark.advance(3)
    await _settle()
    assert released == [1, 2, 3]
    mark.advance(4)
    await _settle()
    assert released == [1, 2, 3]
    mark.advance(6)
    await asyncio.gather(*waiters)
    assert released == [1, 2, 3, 5]


async def test_a_wait_times_out_as_before_and_leaves_nothing_behind() -> None:
    mark = Watermark()
    mark.advance(2)
    with pytest.raises(TimeoutError, match="picture at seq 2, waiting for 9") as raised:
        await mark.wait(9, timeout=0.05)
    assert not isinstance(raised.value, WaitInterrupted)
    assert mark.waiting == 0
    cancelled = asyncio.create_task(mark.wait(9, timeout=10))
    await _settle()
    assert mark.waiting == 1
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert mark.waiting == 0


async def test_closing_releases_every_waiter_and_any_later_one() -> None:
    mark = Watermark()
    waiters = [asyncio.create_task(mark.wait(seq, timeout=10)) for seq in (1, 2)]
    await _settle()
    mark.close()
    for waiter in waiters:
        with pytest.raises(WaitInterrupted):
            await asyncio.wait_for(waiter, 0.1)
    with pytest.raises(WaitInterrupted):
        await mark.wait(1, timeout=10)
    await mark.wait(0, timeout=10)  # what the picture holds is still answered


async def test_the_spine_releases_a_read_your_writes_wait_when_it_closes(
    backend: Backend,
) -> None:
    ev = Events()
    async with backend.spine() as spine:
        (outcome,) = await spine.submit_many([ev.on_duty("U1")])
        assert outcome.seq is not None
        await asyncio.wait_for(spine.wait_for_seq(outcome.seq), 10)
        assert spine.picture.seq >= outcome.seq
        waiting = asyncio.create_task(spine.wait_for_seq(outcome.seq + 1_000, timeout=60))
        await asyncio.sleep(0.05)
    with pytest.raises(WaitInterrupted):
        await asyncio.wait_for(waiting, 5)
