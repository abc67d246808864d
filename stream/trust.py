"""Who may speak as Bluelamp itself on the ingest stream, and within what scope.

Anyone who can reach the ingest stream (a feed's XADD, ``POST /api/events``) chooses the
``source`` of what it sends, but sources under ``bluelamp-api/`` name a person who gave a
command through the API, and the timeline and the log treat them as that person's actions.
So the API's own entries are signed: the spine signs each command it submits for the API
(HMAC-SHA256 with a key derived from the server's secret) over the exact event text and the
command's scope, and carries the signature in extra fields of the ingest entry. The
sequencer refuses, with the reason, any event under the reserved prefix whose entry does
not carry a valid signature, and holds a signed command to its scope (an inspector's BCU)
against the picture at the moment of sequencing, so no lag of a serving process's picture
lets an inspector command another BCU's unit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stream.events import (
    AlertAcknowledged,
    Event,
    IncidentClosed,
    IncidentGraded,
    IncidentNoted,
    InvalidEvent,
    Validated,
)
from stream.objection import Kind, Objection

if TYPE_CHECKING:  # only for annotations: the picture's rules import RESERVED_PREFIX
    from stream.picture import Picture

RESERVED_PREFIX = "bluelamp-api/"
# Derived, not the secret itself: the token-signing key then never signs anything else, and
# a signature over an ingest entry can never pass for a token's.
_KEY_PURPOSE = b"bluelamp: ingest entries submitted by the API, v1"


def entry_key(secret: str) -> bytes:
    """The key the spine signs the API's ingest entries with, derived from the server's
    secret (every server and sequencer of one deployment shares that secret)."""
    return hmac.new(secret.encode(), _KEY_PURPOSE, hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class Scope:
    """What a command may touch: an inspector's BCU (only units deployed there), or
    everything (``bcu`` None: a commander's, or an operator without a BCU)."""

    bcu: str | None = None

    def to_text(self) -> str:
        return "" if self.bcu is None else json.dumps({"bcu": self.bcu}, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> Scope:
        if not text:
            return cls()
        data = json.loads(text)
        bcu = data.get("bcu") if isinstance(data, dict) else None
        return cls(bcu if isinstance(bcu, str) else None)


EVERYTHING = Scope()


@dataclass(frozen=True, slots=True)
class Seal:
    """The extra fields of a signed ingest entry: its scope (as text) and the signature."""

    scope: str
    signature: str  # hex HMAC-SHA256 over the scope and the event text


def _mac(key: bytes, scope: str, text: bytes) -> str:
    # The scope is JSON or empty, never holding a newline: the newline separates the two
    # unambiguously, so no scope can be moved into the event text or out of it.
    return hmac.new(key, scope.encode() + b"\n" + text, hashlib.sha256).hexdigest()


def seal(key: bytes, text: str | bytes, scope: Scope = EVERYTHING) -> Seal:
    """Sign one ingest entry: ``text`` exactly as it will be XADDed."""
    raw = text.encode() if isinstance(text, str) else text
    scope_text = scope.to_text()
    return Seal(scope_text, _mac(key, scope_text, raw))


def is_reserved(source: str) -> bool:
    return source.startswith(RESERVED_PREFIX)


def reserved_reason(source: str) -> str:
    return (
        f"source {source!r} is reserved: sources starting {RESERVED_PREFIX!r} are Bluelamp's "
        "own commands, made through the API; a feed must send events under its own source"
    )


def refuse_reserved(event: Event) -> None:
    """For submitters that are never the API (feeds): a reserved source is refused at once."""
    if is_reserved(event.source):
        raise InvalidEvent(reserved_reason(event.source))


@dataclass(frozen=True, slots=True)
class Trust:
    """The sequencer's side: which entries speak for the API, and with what scope.
    ``key`` None (no secret configured) trusts no entry with a reserved source."""

    key: bytes | None = None

    def scope_of(self, text: bytes | str, sealed: Seal | None, event: Event) -> Scope:
        """The scope an entry speaks with. Raises InvalidEvent for an entry under the
        reserved prefix without a valid signature, or with a signature that does not hold."""
        if sealed is None:
            refuse_reserved(event)
            return EVERYTHING
        raw = text.encode() if isinstance(text, str) else text
        if self.key is None or not hmac.compare_digest(
            _mac(self.key, sealed.scope, raw), sealed.signature
        ):
            raise InvalidEvent(
                "the entry's signature does not match its event and scope (tampered with, or "
                "signed with another deployment's secret)"
            )
        try:
            return Scope.from_text(sealed.scope)
        except ValueError:
            raise InvalidEvent("the entry's scope is not readable") from None


def out_of_scope(picture: Picture, v: Validated, scope: Scope) -> Objection | None:
    """Why this command is outside its scope at this moment of the picture (None: within).

    Asked before the picture's rules (stream.picture.fold), by the API before it sends a
    command and by the sequencer when it sequences one. An unknown unit or incident is left
    to the rules, which refuse it anyway.
    """
    if scope.bcu is None:
        return None
    data = v.event.data
    unit_id = getattr(data, "unit_id", None)
    if not isinstance(unit_id, str):
        if isinstance(data, INCIDENT_COMMANDS):
            return _incident_out_of_scope(picture, data, scope.bcu)
        return _outside(f"an inspector of {scope.bcu} may command only units, not {v.event.type}")
    unit = picture.units.get(unit_id)
    if unit is None or unit.bcu == scope.bcu:
        return None
    return _outside(
        f"unit {unit.callsign} ({unit.unit_id}) is deployed to {unit.bcu}; an inspector of "
        f"{scope.bcu} may command only units deployed there"
    )


#: Commands about an incident (not a unit) an inspector may give for their BCU's incidents
#: (closing only where the API's settings allow it: the API decides that).
INCIDENT_COMMANDS = (IncidentClosed, IncidentGraded, IncidentNoted, AlertAcknowledged)


def _incident_out_of_scope(
    picture: Picture,
    data: IncidentClosed | IncidentGraded | IncidentNoted | AlertAcknowledged,
    bcu: str,
) -> Objection | None:
    if isinstance(data, AlertAcknowledged):
        if data.bcu == bcu:
            return None
        return _outside(
            f"the alert is about {data.bcu}; an inspector of {bcu} acknowledges only {bcu}'s"
        )
    incident = picture.incidents.get(data.incident_id)
    if incident is None or incident.bcu == bcu:
        return None  # an unknown incident is left to the rules
    return _outside(
        f"incident {incident.name} is in {incident.bcu}; an inspector of {bcu} may act only on "
        f"{bcu}'s incidents"
    )


def _outside(reason: str) -> Objection:
    return Objection(Kind.OUT_OF_SCOPE, reason)
