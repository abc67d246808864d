"""A CAD/AVL feed for drills: the simulator's London at its evening peak, XADDed onto the
ingest stream in real time, by a producer that keeps what it could not write and tries again.

The simulation runs from ``peak - warm_up`` (normal-day, 17:00 London time by default: ~20
events a second, nearly all of them AVL pings, with the full fleet of ~1,150 units on duty);
its event times are moved onto today's clock, so the warm-up goes out at once and the rest
as its time comes. Every event written (XADD answered) is remembered by (source, id) with its
text, so a drill can account for each one afterwards and re-send what Redis lost.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from geodata import London
from stream.sim.demand import LONDON_TZ
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load

Key = tuple[str, str]
FLUSH_S = 0.05  # events due are written at most this often, as `bluelamp simulate` does
RETRY_S = 0.2  # after a failed XADD (Redis down), the same events again after this


class Producer:
    """Feeds ``ingest`` on the Redis at ``redis_url`` from a thread; see the module doc."""

    def __init__(
        self,
        redis_url: str,
        ingest: str,
        *,
        scenario: str = "normal-day",
        peak: str = "2026-11-25T17:00",
        warm_up_min: float = 5.0,
        seed: int = 7,
    ) -> None:
        self.redis_url = redis_url
        self.ingest = ingest
        self.written: dict[Key, str] = {}
        self.failed_writes = 0  # XADD attempts that failed (Redis down): retried
        self.resent = 0
        self._events = _rebased(scenario, peak, warm_up_min, seed)
        self._lock = threading.Lock()  # held while writing: pause() waits for it
        self._paused = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="drill-producer")
        self._client = redis.Redis.from_url(redis_url, socket_timeout=5)

    def start(self) -> Producer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(10)
        self._client.close()

    def pause(self) -> None:
        """Hold new events (they go out late on resume); returns once nothing is mid-write.
        Whatever could not be written yet stays held too."""
        self._paused.set()
        with self._lock:
            pass

    def resume(self) -> None:
        self._paused.clear()

    def resend(self, keys: Iterable[Key]) -> int:
        """XADD these written events again (a producer's retry; the spine drops repeats by
        source and id). Raises if Redis does not answer."""
        texts = [self.written[key] for key in keys]
        with self._lock:
            self._xadd(texts)
        self.resent += len(texts)
        return len(texts)

    def _run(self) -> None:
        held: list[tuple[Key, str]] = []
        upcoming = _Upcoming(self._events)
        while not self._stopped.is_set():
            if not self._paused.is_set():
                held += _take_due(upcoming)
                if held:
                    with self._lock:
                        held = self._write(held)
            time.sleep(FLUSH_S if not held else RETRY_S)

    def _write(self, batch: list[tuple[Key, str]]) -> list[tuple[Key, str]]:
        """Write the batch; what is left to write (all of it if Redis did not answer)."""
        try:
            self._xadd([text for _key, text in batch])
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            self.failed_writes += 1
            return batch  # perhaps partly written: writing again is safe (same source, id)
        for key, text in batch:
            self.written[key] = text
        return []

    def _xadd(self, texts: list[str]) -> None:
        pipe = self._client.pipeline(transaction=False)
        for text in texts:
            pipe.xadd(self.ingest, {"event": text})
        pipe.execute()


class _Upcoming:
    """The next event not yet due, looked at before it is taken."""

    def __init__(self, events: Iterator[tuple[float, dict[str, Any]]]) -> None:
        self.events = events
        self.head: tuple[float, dict[str, Any]] | None = next(events, None)

    def pop(self) -> tuple[float, dict[str, Any]]:
        assert self.head is not None
        head, self.head = self.head, next(self.events, None)
        return head


def _take_due(upcoming: _Upcoming) -> list[tuple[Key, str]]:
    now = time.time()
    taken: list[tuple[Key, str]] = []
    while upcoming.head is not None and upcoming.head[0] <= now:
        _t, event = upcoming.pop()
        taken.append(((event["source"], event["id"]), json.dumps(event)))
    return taken


def _rebased(
    scenario: str, peak: str, warm_up_min: float, seed: int
) -> Iterator[tuple[float, dict[str, Any]]]:
    """(when due, by time.time(), event) with event times moved so ``peak`` is now."""
    at = datetime.fromisoformat(peak).replace(tzinfo=LONDON_TZ)
    start = at - timedelta(minutes=warm_up_min)
    chosen = load(scenario).starting(start, warm_up_min / 60 + 2)
    shift = time.time() - at.timestamp()
    sim = Simulation(London.load(), chosen, "closest-idle-own-bcu", seed, SimOptions())
    for event in sim.events():
        when = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp() + shift
        stamp = datetime.fromtimestamp(when, UTC).isoformat(timespec="milliseconds")
        yield when, {**event, "time": stamp.replace("+00:00", "Z")}
