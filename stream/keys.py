"""Every Redis key and channel Bluelamp uses, in one place (producers rely on the first three).

All names share a prefix (``BLUELAMP_KEY_PREFIX``, default ``bluelamp``) so that several
deployments, or test runs, can share one Redis.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = "bluelamp"

    @property
    def ingest(self) -> str:
        """Stream producers XADD events to (field ``event``): durable, read by a group."""
        return f"{self.prefix}:ingest"

    @property
    def rejected(self) -> str:
        """Stream of events that failed validation or a business rule: text + reason."""
        return f"{self.prefix}:rejected"

    @property
    def live(self) -> str:
        """Pub/sub channel of accepted events with their seq: fan-out, never the record."""
        return f"{self.prefix}:live"

    @property
    def group(self) -> str:
        """Consumer group of the sequencer on the ingest stream."""
        return f"{self.prefix}-sequencer"

    @property
    def lease(self) -> str:
        """Who sequences: SET NX PX with the holder's token."""
        return f"{self.prefix}:sequencer:lease"

    @property
    def outcomes(self) -> str:
        """Pub/sub channel of each processed event's outcome, for submitters awaiting it."""
        return f"{self.prefix}:outcomes"

    def outcome(self, source: str, event_id: str) -> str:
        """A short-lived copy of one outcome, for a submitter that subscribed late."""
        return f"{self.prefix}:outcome:{source}:{event_id}"

    def signin_attempts(self, scope: str, digest: str) -> str:
        """Sign-in attempts in the current window, counted per ``scope`` ("user": every
        client without a device cookie for that name; "device": one signed-in browser).
        ``digest`` is a fixed-length hash, never the user's text: a key stays small."""
        return f"{self.prefix}:signin:{scope}:{digest}"
