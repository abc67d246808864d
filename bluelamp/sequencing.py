"""``bluelamp sequence``: the sequencer in a process of its own.

A server competes for the sequencer lease in its own process unless ``BLUELAMP_SEQUENCE`` is
false. Then this command sequences beside the servers, on a core of its own: validating,
deciding and appending each batch no longer shares a server's event loop (and GIL) with the
fold, the live feed and the requests (docs/performance.md, docs/operations.md). Run two for
failover: the Redis lease lets one sequence at a time, and the other takes over within a
lease period of the first dying, exactly as servers do.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from api.security import signing_key
from bluelamp.settings import Settings
from geodata import London
from stream.spine import Spine
from stream.trust import entry_key


class NoSharedBus(ValueError):
    """The in-process bus cannot be sequenced from another process."""


async def sequence(settings: Settings, stop: asyncio.Event) -> None:
    """Sequence the ingest stream until ``stop`` is set. The servers' secret signs their
    commands, so this process needs the same ``BLUELAMP_SECRET_KEY`` to check them."""
    if settings.redis_url.startswith("memory://"):
        raise NoSharedBus(
            "BLUELAMP_REDIS_URL is memory://, which only its own process can reach: a separate "
            "sequencer needs the Redis the servers use"
        )
    key = entry_key(signing_key(settings))
    london = await asyncio.to_thread(London.load, settings.boundaries, settings.h3_resolution)
    async with Spine.open(
        settings, london, database_schema=settings.database_schema, signing_key=key
    ):
        await stop.wait()


def run(settings: Settings) -> None:
    """:func:`sequence` until SIGTERM or SIGINT."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await sequence(settings, stop)

    asyncio.run(main())
