"""Handlers registered per event payload type: how every fold of the log finds what one
event does.

The live picture's rules and effects (``stream.picture.rules``) and the reports' read
models (``reports.fold``) each keep a :class:`ByPayload` table, fill it with
``@table.register(PayloadClass)`` beside each handler, and look up ``type(data)``: one dict
lookup per event (an ``isinstance`` chain tries the types in turn, and a fold runs on every
record of the log). A table is a dict, so that lookup stays in C on the picture's hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from stream.events import Payload

S = TypeVar("S")  # what a handler reads or changes: the picture, a read model's batch
R = TypeVar("R")  # what it is handed with the payload: Validated or Recorded
T = TypeVar("T")  # what it returns
P = TypeVar("P", bound=Payload)


class ByPayload(dict[type[Payload], Callable[[S, R, Any], T]]):
    """Payload class -> its handler, called as ``handler(subject, record, data)``."""

    def register(self, kind: type[P]) -> Callable[[Callable[[S, R, P], T]], Callable[[S, R, P], T]]:
        """Decorator: ``fn`` handles payloads of exactly ``kind`` (one handler per kind)."""

        def register(fn: Callable[[S, R, P], T]) -> Callable[[S, R, P], T]:
            if kind in self:
                raise ValueError(f"{kind.__name__} already has a handler: {self[kind]}")
            self[kind] = fn
            return fn

        return register
