"""A BCU's dispatch desk: the controllers' queue between a call being graded and a unit
being sent. Ready incidents wait here, most urgent grade first (the oldest first within a
grade), until a controller is free to work one; working it takes the controller time."""

from __future__ import annotations

import heapq
import itertools

from stream.sim.dispatch import PRIORITY, Job


class Desk:
    """One BCU's controllers and the incidents waiting for one of them."""

    def __init__(self, controllers: int) -> None:
        self.free = controllers
        self._queue: list[tuple[int, float, int, Job]] = []
        self._order = itertools.count()

    def join(self, job: Job) -> None:
        heapq.heappush(self._queue, (PRIORITY[job.grade], job.ready, next(self._order), job))

    def take(self) -> Job | None:
        """The next incident for a free controller (who is then busy with it), or None."""
        while self.free and self._queue:
            job = heapq.heappop(self._queue)[3]
            if not job.closed:
                self.free -= 1
                return job
        return None

    def release(self) -> None:
        """A controller has finished with an incident."""
        self.free += 1

    def __len__(self) -> int:
        return len(self._queue)
