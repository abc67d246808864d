"""What became of a submitted event: accepted with its seq, a duplicate, or rejected."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # (source, id) was seen before: ignored; seq is the original's
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    source: str | None
    id: str | None
    seq: int | None = None
    reason: str | None = None

    @property
    def key(self) -> tuple[str, str] | None:
        return None if self.source is None or self.id is None else (self.source, self.id)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> Outcome:
        data = json.loads(text)
        return cls(
            Verdict(data["verdict"]), data["source"], data["id"], data["seq"], data["reason"]
        )
