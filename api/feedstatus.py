"""Whether what this server shows is current, for the outage banner on every screen.

A WebSocket that stays open is not enough: when Redis restarts, the database refuses, or the
disk under the log fills, the socket lives on while nothing new can be logged, and a screen
would go on looking current. So every process checks, once a second, what sequencing needs:

- its live subscription to Redis is up;
- the event log answers;
- no ingest entry has waited longer than ``feed_stale_s`` to be decided (whichever process
  sequences: an entry is acknowledged and removed once logged or rejected).

A change is sent to every open socket as ``{"type": "status", "ok": ..., "reason": ...}``
(api.live); the browser shows the reason in the banner until an ``ok`` status.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import orjson

from stream.spine import Spine

log = logging.getLogger(__name__)
CHECK_EVERY_S = 1.0
CHECK_TIMEOUT_S = 2.0


@dataclass
class FeedStatus:
    """The latest verdict; ``version`` counts changes (0: never changed, all well)."""

    ok: bool = True
    reason: str = ""
    version: int = 0
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def set(self, ok: bool, reason: str) -> None:
        if (ok, reason) == (self.ok, self.reason):
            return
        if ok != self.ok:
            log.warning("live feed %s", "current again" if ok else f"held up: {reason}")
        self.ok, self.reason = ok, reason
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def changed(self) -> None:
        """Until the next change."""
        await self._changed.wait()

    def frame(self) -> str:
        return orjson.dumps({"type": "status", "ok": self.ok, "reason": self.reason}).decode()


async def watch(status: FeedStatus, spine: Spine, stale_s: float) -> None:
    """Keep ``status`` up to date until cancelled."""
    log_check: asyncio.Task[int] | None = None
    while True:
        reason, log_check = await _held_up(spine, stale_s, log_check)
        status.set(reason is None, reason or "")
        await asyncio.sleep(CHECK_EVERY_S)


async def _held_up(
    spine: Spine, stale_s: float, log_check: asyncio.Task[int] | None
) -> tuple[str | None, asyncio.Task[int] | None]:
    """Why the feed is held up (None: it is not), and a log check still running if any (a
    hung database must not pile up threads: the next round waits on the same check)."""
    if not spine.hub.connected.is_set():
        return "the server lost its connection to Redis and is reconnecting", log_check
    if log_check is None:
        log_check = asyncio.create_task(asyncio.to_thread(spine.log.last_seq))
    done, _ = await asyncio.wait({log_check}, timeout=CHECK_TIMEOUT_S)
    if not done:
        return "the event log (database) does not answer", log_check
    if log_check.exception() is not None:
        return "the event log (database) does not answer", None
    try:
        since = await asyncio.wait_for(spine.bus.waiting_since(), CHECK_TIMEOUT_S)
    except Exception:
        return "Redis does not answer", None
    if since is not None and time.time() - since / 1000 > stale_s:
        return f"new events have waited more than {stale_s:g} s to be logged", None
    return None, None
