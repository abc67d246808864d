"""How far this process's picture has applied the log, and waiting until it gets that far.

Whoever applies records to the picture calls :meth:`Watermark.advance`; whoever needs the
picture to hold a seq (a command's read-your-writes, a WebSocket frame's state) awaits
:meth:`Watermark.wait`. Each waiter has its own future, resolved in seq order by the advance
that reaches it, so nothing polls and an advance with nobody waiting costs one comparison.
:meth:`Watermark.close` releases every waiter when the picture stops being kept.

Everything here runs on the event loop's thread: the spine applies records there, and its
rebuilds from the log, read in a worker thread, are assigned and announced back on the loop.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools


class WaitInterrupted(TimeoutError):
    """The picture stopped being kept (the spine is closing) before it reached the seq.

    A TimeoutError, because a waiter would once have timed out the same way, only later."""


class Watermark:
    """The seq this process's picture has applied, with waiters for later ones."""

    def __init__(self, seq: int = 0) -> None:
        self.seq = seq
        # (seq, arrival, future): the heap keeps them in seq order, then first come first.
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._closed = False

    @property
    def waiting(self) -> int:
        """How many wait now."""
        return len(self._waiting)

    def advance(self, seq: int) -> None:
        """The picture now holds everything up to ``seq``: release whoever waits for it."""
        self.seq = seq
        waiting = self._waiting
        while waiting and waiting[0][0] <= seq:
            future = heapq.heappop(waiting)[2]
            if not future.done():  # a waiter that timed out has cancelled its own
                future.set_result(None)

    async def wait(self, seq: int, timeout: float) -> None:
        """Until the picture has applied ``seq``. Raises TimeoutError after ``timeout``
        seconds, and :class:`WaitInterrupted` if the watermark closes first."""
        if self.seq >= seq:
            return
        if self._closed:
            raise WaitInterrupted(f"picture no longer kept, at seq {self.seq}, not {seq}")
        waiter = (seq, next(self._arrivals), asyncio.get_running_loop().create_future())
        heapq.heappush(self._waiting, waiter)
        try:
            await asyncio.wait_for(waiter[2], timeout)
        except TimeoutError as exc:
            if isinstance(exc, WaitInterrupted):
                raise
            raise TimeoutError(f"picture at seq {self.seq}, waiting for {seq}") from None
        finally:
            self._forget(waiter)

    def close(self) -> None:
        """Release every waiter (with :class:`WaitInterrupted`), and any that come later."""
        self._closed = True
        waiting, self._waiting = self._waiting, []
        for seq, _arrival, future in waiting:
            if not future.done():
                future.set_exception(
                    WaitInterrupted(f"picture no longer kept, at seq {self.seq}, not {seq}")
                )

    def _forget(self, waiter: tuple[int, int, asyncio.Future[None]]) -> None:
        # A waiter that gave up (timed out, cancelled) leaves the heap at once rather than
        # when the picture reaches its seq, which may be never.
        if waiter in self._waiting:
            self._waiting.remove(waiter)
            heapq.heapify(self._waiting)
