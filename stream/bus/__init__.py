"""The message bus between producers, the sequencer and every server process.

Two peers with one interface (``Bus``, stream.bus.protocol), chosen by URL in
:func:`open_bus`: ``redis://`` (stream.bus.redis: Redis streams, pub/sub and a lease, for
several processes on several machines) and ``memory://`` (stream.bus.memory: the same
semantics inside one process, so the demo needs nothing installed). Neither is a mock: the
same contract tests run against both (tests/stream/test_spine_contract.py).

This package exports the public names (``from stream.bus import Bus, RedisBus, ...``) and
:func:`open_bus`; the rest of Bluelamp imports them from here. The Redis backend's timings
(``PUBSUB_HEALTH_S``, ``PUBSUB_PONG_S``, ``OUTCOME_TTL_MS``) are read in stream.bus.redis:
set them there.
"""

from __future__ import annotations

from stream.bus.memory import MemoryBus
from stream.bus.protocol import REJECTED_MAXLEN, Bus, Entry, Rejection, new_token
from stream.bus.redis import RedisBus
from stream.keys import Keys

__all__ = [
    "REJECTED_MAXLEN",
    "Bus",
    "Entry",
    "MemoryBus",
    "RedisBus",
    "Rejection",
    "new_token",
    "open_bus",
]


def open_bus(url: str, keys: Keys) -> Bus:
    """The bus a URL names: memory:// or redis://."""
    if url.startswith("memory://"):
        return MemoryBus(keys)
    return RedisBus(url, keys)
