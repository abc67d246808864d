"""Why an event cannot be accepted now: the kind of refusal, and the reason in words.

The picture's rules (stream.picture.rules) and the scope a command is held to
(stream.trust) answer with an :class:`Objection`. The sequencer carries a command's kind in
its outcome, and the API answers each kind with one HTTP status (api.commanding), the same
whether its own check before sending or the sequencer's refused the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    UNKNOWN = "unknown"  # names an incident, unit or request the picture does not hold
    CONFLICT = "conflict"  # the picture as it is now does not allow it
    INVALID = "invalid"  # no state of the picture would allow it
    OUT_OF_SCOPE = "out_of_scope"  # outside what its submitter may command (stream.trust)


@dataclass(frozen=True, slots=True)
class Objection:
    kind: Kind
    reason: str  # a short sentence a person can act on


def unknown(reason: str) -> Objection:
    return Objection(Kind.UNKNOWN, reason)


def conflict(reason: str) -> Objection:
    return Objection(Kind.CONFLICT, reason)


def invalid(reason: str) -> Objection:
    return Objection(Kind.INVALID, reason)
