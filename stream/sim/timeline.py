"""The simulation's clock: a heap of actions in (time, insertion order) and the events they
emit, stamped as CloudEvents. Time is float seconds since the Unix epoch."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

SOURCE = "bluelamp-sim"
Event = dict[str, Any]


#: (time, insertion order, action): a plain tuple, compared in C (the order is unique, so the
#: action is never compared).
_Due = tuple[float, int, Callable[[], None]]


class Timeline:
    """What is due when, and the events emitted so far that have not been handed out."""

    def __init__(self, seed: int, now: float) -> None:
        self.seed = seed
        self.now = now
        self._heap: list[_Due] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._out: list[Event] = []

    def _at(self, t: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._heap, (t, next(self._order), action))

    def _next_before(self, end: float) -> Callable[[], None] | None:
        """The next action due before ``end`` (the clock moved to it), or None."""
        if not self._heap or self._heap[0][0] >= end:
            return None
        self.now, _, action = heapq.heappop(self._heap)
        return action

    def _when(self, t: float | None = None) -> datetime:
        return datetime.fromtimestamp(self.now if t is None else t, UTC)

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        self._out.append(
            {
                "specversion": "1.0",
                "id": f"sim{self.seed}-{next(self._ids)}",
                "source": SOURCE,
                "type": kind,
                "time": self._when().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "data": data,
            }
        )
