"""Retention in the server (stream/retention.py): applied every ``retention_every_s`` (a
day by default) in a worker thread, when a pseudonym key is configured. Several servers on
one database may each run it: a second run finds nothing left to rewrite."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from stream import retention
from stream.log import EventLog

logger = logging.getLogger(__name__)
FIRST_AFTER_S = 60.0


def apply_once(log: EventLog, people_days: int, key: bytes) -> dict[str, int]:
    made = retention.plan(log, datetime.now(UTC), people_days, key)
    retention.apply(log, made)
    return made.summary()


async def run(
    log: EventLog,
    people_days: int,
    key: bytes | None,
    every_s: float,
    first_s: float = FIRST_AFTER_S,
) -> None:
    """Apply retention now and then until cancelled; say why not when it cannot run."""
    if not every_s:
        return
    if key is None or len(key) < 32:
        logger.warning(
            "retention is not applied: BLUELAMP_PSEUDONYM_KEY is not set (at least 32 "
            "characters); linked people and expired markers stay in the log until it is"
        )
        return
    await asyncio.sleep(min(FIRST_AFTER_S, every_s))
    while True:
        try:
            done = await asyncio.to_thread(apply_once, log, people_days, key)
            if any(done.values()):
                logger.info("retention applied: %s", done)
        except Exception:  # the next run tries again; the server goes on
            logger.exception("retention failed; trying again in %.0f s", every_s)
        await asyncio.sleep(every_s)
