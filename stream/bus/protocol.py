"""The bus's contract: what the spine needs from a bus, and the values it passes.

``Bus`` is the interface both backends (stream.bus.redis, stream.bus.memory) implement;
``Entry`` is an ingest entry as the sequencer reads it, ``Rejection`` a refused event as it
is kept on the rejected stream.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from stream.keys import Keys
from stream.outcome import Outcome
from stream.trust import Seal

#: Rejections kept on the rejected stream (the oldest go first), by either backend.
REJECTED_MAXLEN = 1_000_000


class Entry(NamedTuple):
    """One ingest entry as the sequencer reads it."""

    id: str  # the stream entry id, "<ms>-<n>"
    text: bytes | None  # the event text as sent; None: the entry has no "event" field
    seal: Seal | None = None  # the API's signature and scope (stream.trust); None: unsigned


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused event: its text as sent, why, and its (source, id) if they could be read."""

    text: bytes | str
    reason: str
    source: str | None = None
    event_id: str | None = None
    # The ingest entry rejected, if it came from the stream: its rejection is kept only by
    # whoever acknowledges that entry (Bus.settle), so it is written exactly once.
    entry_id: str | None = None


def always() -> bool:
    """Every batch of outcomes is wanted (``Bus.outcomes``'s default)."""
    return True


class Bus(Protocol):
    """What the spine needs from a bus."""

    keys: Keys

    async def add(self, texts: Sequence[str | bytes]) -> None:
        """Append events to the ingest stream (what a producer's XADD does)."""

    async def add_signed(self, entries: Sequence[tuple[str, Seal]]) -> None:
        """Append the API's own events, each with its signature and scope (stream.trust)."""

    async def claim(self, consumer: str) -> list[Entry]:
        """Entries delivered to any consumer but never acknowledged (a dead sequencer's)."""

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        """New ingest entries for this consumer, waiting up to ``block_ms`` for some."""

    async def ack(self, entry_ids: Sequence[str]) -> None:
        """The entries are in the log (or rejected): done with them."""

    async def reject(self, rejections: Sequence[Rejection]) -> None:
        """Keep rejected events, with their reasons, on the rejected stream."""

    async def settle(self, entry_ids: Sequence[str], rejections: Sequence[Rejection]) -> None:
        """Acknowledge ingest entries and keep their rejections, as one atomic step: each
        rejection naming an entry is kept only if this call acknowledged that entry, so a
        batch retried after a failure (or an entry settled by another sequencer already)
        never keeps a rejection twice. Rejections without an entry are always kept."""

    async def rejected(self, count: int = 100) -> list[dict[str, str]]:
        """The most recent rejections, newest last."""

    async def waiting_since(self) -> int | None:
        """When (epoch ms) the oldest ingest entry not yet logged nor rejected arrived; None
        when none waits. A sequencer acknowledges and removes what it has decided, so an old
        entry here means sequencing is held up (the outage banner says so)."""

    async def publish(self, messages: Sequence[str]) -> None:
        """Fan accepted events out on the live channel."""

    def live(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[str]]:
        """Subscribe to the live channel: an iterator of messages from now on."""

    async def post_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        """Tell submitters what became of their events."""

    def outcomes(
        self, wanted: Callable[[], bool] = always
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Outcome]]:
        """Subscribe to outcomes from now on: those of each batch posted while ``wanted()``
        (a subscriber with nobody waiting need not read them; a waiter is registered before
        its event is queued, so before its outcome is posted)."""

    async def recent_outcome(self, source: str, event_id: str) -> Outcome | None:
        """A rejection posted shortly before (for a submitter that listened too late)."""

    async def acquire_lease(self, token: str, ttl_ms: int) -> bool:
        """Take (or keep) the sequencer lease; True if ``token`` holds it now."""

    async def release_lease(self, token: str) -> None:
        """Give the lease up if ``token`` holds it."""

    async def close(self) -> None: ...


def entry_ms(entry_id: bytes | str) -> int:
    """The arrival time (epoch ms) an ingest entry id "<ms>-<n>" starts with."""
    ident = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(ident.split("-", 1)[0])


def new_token() -> str:
    """A lease holder's identity: unique per sequencer instance."""
    return uuid.uuid4().hex
