"""A command submitted through the spine as its caller, and the sequencer's outcome as the
answer (``Done``) or a ``Refusal`` with the status and reason the API gives.

The event is validated once, by the spine (an ``invalid`` outcome: 422), and decided once,
by the sequencer against the picture as it is then: ``forbidden`` (outside the caller's
scope) is the same 403 as the fast path in api.commanding.orders, any other rejection a 409
with the picture's reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError

from api.audit import AuditOutcome
from api.commanding.orders import Command, Refusal, conflict, denied, invalid, scope_of
from api.security import Principal
from api.services import Services
from stream.events import parse_event, to_dict
from stream.outcome import Outcome, Verdict
from stream.spine import OutcomeTimeout
from stream.trust import RESERVED_PREFIX, Scope

COMMAND_TIMEOUT_S = 10.0
NO_SEQUENCER = (
    "no sequencer answered in time; the command is queued and will be decided when one runs "
    "(retry with the same Idempotency-Key to learn the result)"
)
NO_BUS = (
    "the message bus (Redis) is not answering, so the command may not have been sent; retry "
    "in a few seconds (with the same Idempotency-Key it is carried out once)"
)
KEY_REUSED = "this Idempotency-Key was used for a different command"


@dataclass(frozen=True)
class Done:
    """A command in the log (or found there, a retry): what the caller and the audit get."""

    seq: int
    event_id: str
    duplicate: bool
    detail: dict[str, Any]  # for the audit: the request's body, the event id, seq, duplicate

    def answer(self) -> dict[str, Any]:
        return {"seq": self.seq, "event_id": self.event_id, "duplicate": self.duplicate}


async def submit(
    services: Services,
    who: Principal,
    command: Command,
    key: str | None,
    body: dict[str, Any],
    scope: Scope | None = None,
) -> Done | Refusal:
    """Submit ``command`` as ``who``, held to ``scope`` (default: what ``who`` may command);
    ``key`` is the Idempotency-Key sent, ``body`` the request's, for the audit."""
    event = _event(who, command, key)
    detail = body | {"event_id": event["id"]}
    try:
        outcome = await services.spine.command(
            event, scope_of(who) if scope is None else scope, timeout=COMMAND_TIMEOUT_S
        )
    except OutcomeTimeout:
        return _failed(command, detail, NO_SEQUENCER)
    except RedisError:
        # Redis down or restarting: the spine recovers by itself, so this is a retry later.
        return _failed(command, detail, NO_BUS)
    if (refused := refusal_of(command, outcome)) is not None:
        return Refusal(refused.status, refused.reason, refused.target, refused.outcome, detail)
    assert outcome.seq is not None
    duplicate = outcome.verdict is Verdict.DUPLICATE
    if duplicate and not await _same_command(services, outcome.seq, event):
        return Refusal(422, KEY_REUSED, command.target, AuditOutcome.INVALID, detail)
    # Read-your-writes: the next GET on this worker shows the change.
    await services.spine.wait_for_seq(outcome.seq, timeout=COMMAND_TIMEOUT_S)
    done = {"seq": outcome.seq, "duplicate": duplicate}
    return Done(outcome.seq, event["id"], duplicate, detail | done)


def refusal_of(command: Command, outcome: Outcome) -> Refusal | None:
    """The refusal an outcome means, or None for accepted and duplicate."""
    target = command.target
    if outcome.verdict is Verdict.INVALID:
        return invalid(target, outcome.reason or "invalid")
    if outcome.forbidden:  # the sequencer's scope check: the same 403 as the fast path
        return denied(target, outcome.reason or "outside your BCU")
    if outcome.verdict is Verdict.REJECTED:
        return conflict(target, outcome.reason or "refused")
    return None


def _failed(command: Command, detail: dict[str, Any], reason: str) -> Refusal:
    return Refusal(503, reason, command.target, AuditOutcome.FAILED, detail)


def _event(who: Principal, command: Command, key: str | None) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": _event_id(who, key),
        "source": RESERVED_PREFIX + who.name,
        "type": command.type.value,
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data": command.data,
    }


def _event_id(who: Principal, key: str | None) -> str:
    if key is None:
        return uuid.uuid4().hex
    # Per user: two people's keys never collide; the same person's retry is one event.
    return hashlib.sha256(f"{who.name}\n{key}".encode()).hexdigest()[:40]


async def _same_command(services: Services, seq: int, event: dict[str, Any]) -> bool:
    """Whether the logged event ``seq`` is this command (an honest retry), not another
    command sent with the same Idempotency-Key."""
    (logged,) = await asyncio.to_thread(services.spine.log.read, seq - 1, 1)
    first, again = to_dict(logged.event), to_dict(parse_event(event))
    return all(first[k] == again[k] for k in ("type", "source", "data"))
