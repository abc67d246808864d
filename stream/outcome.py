"""What became of a submitted event: accepted with its seq, a duplicate, rejected, or (a
command) invalid."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stream.objection import Kind


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # (source, id) was seen before: ignored; seq is the original's
    REJECTED = "rejected"
    # A command that breaks the event contract (stream.events.validate), answered at once by
    # Spine.command and never sequenced; a feed's invalid event is answered rejected.
    INVALID = "invalid"


#: What a feed's submission (Spine.submit) is answered: never ``invalid``.
FEED_VERDICTS = (Verdict.ACCEPTED, Verdict.DUPLICATE, Verdict.REJECTED)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one submitted event. ``source``/``id`` are None only when the text could
    not be read that far; ``seq`` is set for accepted and duplicate; ``reason`` for rejected
    and invalid.
    ``kind``: what kind of refusal a command's rejection is (stream.objection), e.g.
    ``out_of_scope`` for a command outside its submitter's scope (an inspector's BCU,
    stream.trust); the API answers each kind with its status. None for a feed's."""

    verdict: Verdict
    source: str | None
    id: str | None
    seq: int | None = None
    reason: str | None = None
    kind: Kind | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        return None if self.source is None or self.id is None else (self.source, self.id)

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: that deep-copies every field, once per outcome per batch.
        answer = {
            "verdict": self.verdict.value,
            "source": self.source,
            "id": self.id,
            "seq": self.seq,
            "reason": self.reason,
        }
        if self.kind is not None:  # only ever a command's: a feed's answers keep their shape
            answer["kind"] = self.kind.value
        return answer

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str | bytes) -> Outcome:
        return cls.from_dict(json.loads(text))

    @staticmethod
    def many_to_json(outcomes: Sequence[Outcome]) -> str:
        """A batch's outcomes as one message (one publish per batch, not per event)."""
        return json.dumps([o.to_dict() for o in outcomes], separators=(",", ":"))

    @classmethod
    def many_from_json(cls, text: str | bytes) -> list[Outcome]:
        return [cls.from_dict(data) for data in json.loads(text)]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            Verdict(data["verdict"]),
            data["source"],
            data["id"],
            data["seq"],
            data["reason"],
            _kind(data),
        )


def _kind(data: dict[str, Any]) -> Kind | None:
    # "forbidden": how an older sequencer marked the one kind it told apart (a server and a
    # sequencer of different versions run side by side while a deployment is upgraded).
    if kind := data.get("kind"):
        return Kind(kind)
    return Kind.OUT_OF_SCOPE if data.get("forbidden") else None
