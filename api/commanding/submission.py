"""A command submitted through the spine as its caller, and the sequencer's outcome as the
answer (``Done``) or a ``Refusal`` with the status and reason the API gives.

The event is validated by the spine (an ``invalid`` outcome: 422). Before it is sent, this
process's picture is asked what the sequencer will ask its own (``Picture.check``: the
caller's scope, then the event type's rule), so a command the picture refuses is answered
at once; the sequencer decides again against the picture as it is then (this one may lag).
Either way an objection's kind is the status (api.commanding.orders.objected) and its
reason the words, so a command refused only at sequencing reads the same.
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
from api.commanding.orders import Command, Refusal, invalid, objected, scope_of
from api.security import Principal
from api.services import Services
from stream.envelope import cloud_event
from stream.events import InvalidEvent, Validated, parse_event, to_dict
from stream.objection import Kind, Objection
from stream.outcome import Outcome, Verdict
from stream.picture import Picture
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
    scope = scope_of(who) if scope is None else scope
    if (early := precheck(services.spine.picture, command, event, scope, key)) is not None:
        # Never sent: the audit gets the request's body, but no event id.
        return Refusal(early.status, early.reason, early.target, early.outcome, body)
    try:
        outcome = await services.spine.command(event, scope, timeout=COMMAND_TIMEOUT_S)
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


def precheck(
    picture: Picture, command: Command, event: dict[str, Any], scope: Scope, key: str | None
) -> Refusal | None:
    """The refusal the picture's check gives ``event`` on this process's ``picture`` (a
    fast path: the sequencer checks again), or None to send it."""
    try:
        # No borough or BCU: the API's commands name no point (none creates anything).
        objection = picture.check(Validated(parse_event(event)), scope)
    except InvalidEvent:
        return None  # the spine refuses it, with the contract's reason
    if objection is None or (key is not None and objection.kind is Kind.CONFLICT):
        # With an Idempotency-Key, the state refusing it may be this very command's effect
        # (a retry of one carried out): only the log knows, and the sequencer answers it a
        # duplicate, or the same refusal.
        return None
    return objected(command.target, objection)


def refusal_of(command: Command, outcome: Outcome) -> Refusal | None:
    """The refusal an outcome means, or None for accepted and duplicate."""
    target = command.target
    if outcome.verdict is Verdict.INVALID:
        return invalid(target, outcome.reason or "invalid")
    if outcome.verdict is Verdict.REJECTED:
        # No kind: rejected before the picture was asked (the entry's signature), or by an
        # older sequencer; a 409 with the reason, as every rejection was before kinds.
        kind = outcome.kind or Kind.CONFLICT
        return objected(target, Objection(kind, outcome.reason or "refused"))
    return None


def _failed(command: Command, detail: dict[str, Any], reason: str) -> Refusal:
    return Refusal(503, reason, command.target, AuditOutcome.FAILED, detail)


def _event(who: Principal, command: Command, key: str | None) -> dict[str, Any]:
    source = RESERVED_PREFIX + who.name
    return cloud_event(
        _event_id(who, key), source, command.type.value, datetime.now(UTC), command.data
    )


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
