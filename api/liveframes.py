"""Live-feed frames shared by the sockets in step (api.live).

Every socket's frames fall due on multiples of ``ws_frame_ms``. The first socket to send in
a tick fixes the tick's last seq at what this process's fan-out has handed over, and every
socket sending in the same tick stops there (a record handed over meanwhile waits for the
next tick). So sockets in step send the same range of seqs, and its frame body is made once.

A socket behind (it sends in a later tick what others sent in an earlier one) keeps to the
same ranges: its frame ends where the tick its first record fell in ended (``chunk_end``),
not where the current tick does. Otherwise each socket behind, each at its own seq, made a
body of its own every frame, and under load that work put them further behind still
(docs/performance.md, session 14). So a socket behind catches up a range per tick, gaining
a tick back each time one brings nothing new: sending more ranges per tick was measured
to put 200 sockets further behind.
"""

from __future__ import annotations

from bisect import bisect_left

KEPT = 256  # recent frame bodies; older ones are for sockets far behind, which rebuild


class LiveFrames:
    """Frame bodies by (first seq, last seq), and the current frame tick's bound."""

    def __init__(self, frame_ms: int, kept: int = KEPT) -> None:
        self._frame_ms = frame_ms
        self._kept = kept
        self._bodies: dict[tuple[int, int], str] = {}
        self._tick = (-1, 0)  # a frame tick, and its last seq
        self._ends: list[int] = []  # the last seqs of recent ticks, ascending

    def upto(self, now: float, handed_over: int) -> int:
        """The last seq of frames sent in the tick holding ``now`` (seconds, monotonic):
        ``handed_over`` as the first socket to ask in the tick saw it."""
        tick = int(now * 1000 // self._frame_ms)
        if self._tick[0] != tick:
            self._tick = (tick, handed_over)
            if not self._ends or handed_over > self._ends[-1]:
                self._ends.append(handed_over)
                if len(self._ends) > 2 * self._kept:
                    del self._ends[: self._kept]
        return self._tick[1]

    def chunk_end(self, first: int, upto: int) -> int:
        """Where a frame from seq ``first`` ends: the end of the first tick that reached
        ``first``, so that every socket sends the same ranges however far behind; ``upto``
        (the current tick's end) when no recent tick did."""
        at = bisect_left(self._ends, first)
        return min(self._ends[at], upto) if at < len(self._ends) else upto

    def body(self, first: int, last: int) -> str | None:
        return self._bodies.get((first, last))

    def keep(self, first: int, last: int, body: str) -> None:
        self._bodies[(first, last)] = body
        if len(self._bodies) > self._kept:
            for key in list(self._bodies)[: self._kept // 2]:  # dicts keep insertion order
                del self._bodies[key]

    def __len__(self) -> int:
        return len(self._bodies)
