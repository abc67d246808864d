"""Live-feed frames shared by the sockets in step (api.live).

Every socket's frames fall due on multiples of ``ws_frame_ms``. The first socket to send in
a tick fixes the tick's last seq at what this process's fan-out has handed over, and every
socket sending in the same tick stops there (a record handed over meanwhile waits for the
next tick). So sockets in step send the same range of seqs, and its frame body is made once.
"""

from __future__ import annotations

KEPT = 256  # recent frame bodies; older ones are for sockets far behind, which rebuild


class LiveFrames:
    """Frame bodies by (first seq, last seq), and the current frame tick's bound."""

    def __init__(self, frame_ms: int, kept: int = KEPT) -> None:
        self._frame_ms = frame_ms
        self._kept = kept
        self._bodies: dict[tuple[int, int], str] = {}
        self._tick = (-1, 0)  # a frame tick, and its last seq

    def upto(self, now: float, handed_over: int) -> int:
        """The last seq of frames sent in the tick holding ``now`` (seconds, monotonic):
        ``handed_over`` as the first socket to ask in the tick saw it."""
        tick = int(now * 1000 // self._frame_ms)
        if self._tick[0] != tick:
            self._tick = (tick, handed_over)
        return self._tick[1]

    def body(self, first: int, last: int) -> str | None:
        return self._bodies.get((first, last))

    def keep(self, first: int, last: int, body: str) -> None:
        self._bodies[(first, last)] = body
        if len(self._bodies) > self._kept:
            for key in list(self._bodies)[: self._kept // 2]:  # dicts keep insertion order
                del self._bodies[key]

    def __len__(self) -> int:
        return len(self._bodies)
