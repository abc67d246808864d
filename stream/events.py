"""The event types, their CloudEvents 1.0 envelopes, and the parsing and validation of events.

Every change in the operational picture is one of the events below (the README's event
catalogue): an envelope (stream.envelope) around its type's payload. This module holds the
``EventType`` names, one envelope model per type, the ``Event`` union, ``parse_event`` and
``validate``, and ``Recorded``/``Validated``. Parsing is strict and every failure carries a
reason a person can act on; the caller keeps the original text next to that reason
(``bluelamp:rejected``), so nothing is lost.

The payload models and the domain's enums (grades, unit types and statuses, BCU codes) are
defined in stream.payloads; this module also exports them, and the rest of Bluelamp imports
them from here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field, TypeAdapter, ValidationError

from stream.envelope import EXAMPLE_TIME, OUT_OF_RANGE, PRINTABLE, Envelope
from stream.payloads import (
    BCU_CODES,
    DISPATCHABLE,
    TARGET_SECONDS,
    AdviceAccepted,
    AdviceDismissed,
    AdviceKind,
    AdviceOffered,
    AlertAcknowledged,
    Grade,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    IncidentNoted,
    MutualAidDeclined,
    MutualAidGranted,
    MutualAidRequested,
    Payload,
    UnitLocated,
    UnitOffDuty,
    UnitOnDuty,
    UnitRedeployed,
    UnitStatus,
    UnitStatusChanged,
    UnitType,
    alert_key,
)

__all__ = [
    "BCU_CODES",
    "DISPATCHABLE",
    "PRINTABLE",
    "TARGET_SECONDS",
    "AdviceAccepted",
    "AdviceAcceptedEvent",
    "AdviceDismissed",
    "AdviceDismissedEvent",
    "AdviceKind",
    "AdviceOffered",
    "AdviceOfferedEvent",
    "AlertAcknowledged",
    "AlertAcknowledgedEvent",
    "Event",
    "EventType",
    "Grade",
    "IncidentArrived",
    "IncidentArrivedEvent",
    "IncidentAssigned",
    "IncidentAssignedEvent",
    "IncidentClosed",
    "IncidentClosedEvent",
    "IncidentCreated",
    "IncidentCreatedEvent",
    "IncidentGraded",
    "IncidentGradedEvent",
    "IncidentNoted",
    "IncidentNotedEvent",
    "InvalidEvent",
    "Locate",
    "MutualAidDeclined",
    "MutualAidDeclinedEvent",
    "MutualAidGranted",
    "MutualAidGrantedEvent",
    "MutualAidRequested",
    "MutualAidRequestedEvent",
    "Payload",
    "Place",
    "Recorded",
    "UnitLocated",
    "UnitLocationEvent",
    "UnitOffDuty",
    "UnitOffDutyEvent",
    "UnitOnDuty",
    "UnitOnDutyEvent",
    "UnitRedeployed",
    "UnitRedeployedEvent",
    "UnitStatus",
    "UnitStatusChanged",
    "UnitStatusEvent",
    "UnitType",
    "Validated",
    "alert_key",
    "parse_event",
    "to_dict",
    "to_json",
    "validate",
]


class EventType(StrEnum):
    INCIDENT_CREATED = "incident.created"
    INCIDENT_GRADED = "incident.graded"
    INCIDENT_ASSIGNED = "incident.assigned"
    INCIDENT_ARRIVED = "incident.arrived"
    INCIDENT_CLOSED = "incident.closed"
    UNIT_ON_DUTY = "unit.on_duty"
    UNIT_OFF_DUTY = "unit.off_duty"
    UNIT_STATUS = "unit.status"
    UNIT_LOCATION = "unit.location"
    UNIT_REDEPLOYED = "unit.redeployed"
    MUTUAL_AID_REQUESTED = "mutual_aid.requested"
    MUTUAL_AID_GRANTED = "mutual_aid.granted"
    MUTUAL_AID_DECLINED = "mutual_aid.declined"
    INCIDENT_NOTED = "incident.noted"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ADVICE_OFFERED = "advice.offered"
    ADVICE_ACCEPTED = "advice.accepted"
    ADVICE_DISMISSED = "advice.dismissed"


class IncidentCreatedEvent(Envelope):
    type: Literal[EventType.INCIDENT_CREATED]
    data: IncidentCreated


class IncidentGradedEvent(Envelope):
    type: Literal[EventType.INCIDENT_GRADED]
    data: IncidentGraded


class IncidentAssignedEvent(Envelope):
    type: Literal[EventType.INCIDENT_ASSIGNED]
    data: IncidentAssigned


class IncidentArrivedEvent(Envelope):
    type: Literal[EventType.INCIDENT_ARRIVED]
    data: IncidentArrived


class IncidentClosedEvent(Envelope):
    type: Literal[EventType.INCIDENT_CLOSED]
    data: IncidentClosed


class UnitOnDutyEvent(Envelope):
    type: Literal[EventType.UNIT_ON_DUTY]
    data: UnitOnDuty


class UnitOffDutyEvent(Envelope):
    type: Literal[EventType.UNIT_OFF_DUTY]
    data: UnitOffDuty


class UnitStatusEvent(Envelope):
    type: Literal[EventType.UNIT_STATUS]
    data: UnitStatusChanged


class UnitLocationEvent(Envelope):
    type: Literal[EventType.UNIT_LOCATION]
    data: UnitLocated


class UnitRedeployedEvent(Envelope):
    type: Literal[EventType.UNIT_REDEPLOYED]
    data: UnitRedeployed


class MutualAidRequestedEvent(Envelope):
    type: Literal[EventType.MUTUAL_AID_REQUESTED]
    data: MutualAidRequested


class MutualAidGrantedEvent(Envelope):
    type: Literal[EventType.MUTUAL_AID_GRANTED]
    data: MutualAidGranted


class MutualAidDeclinedEvent(Envelope):
    type: Literal[EventType.MUTUAL_AID_DECLINED]
    data: MutualAidDeclined


class IncidentNotedEvent(Envelope):
    type: Literal[EventType.INCIDENT_NOTED]
    data: IncidentNoted


class AlertAcknowledgedEvent(Envelope):
    type: Literal[EventType.ALERT_ACKNOWLEDGED]
    data: AlertAcknowledged


class AdviceOfferedEvent(Envelope):
    type: Literal[EventType.ADVICE_OFFERED]
    data: AdviceOffered


class AdviceAcceptedEvent(Envelope):
    type: Literal[EventType.ADVICE_ACCEPTED]
    data: AdviceAccepted


class AdviceDismissedEvent(Envelope):
    type: Literal[EventType.ADVICE_DISMISSED]
    data: AdviceDismissed


Event = Annotated[
    IncidentCreatedEvent
    | IncidentGradedEvent
    | IncidentAssignedEvent
    | IncidentArrivedEvent
    | IncidentClosedEvent
    | UnitOnDutyEvent
    | UnitOffDutyEvent
    | UnitStatusEvent
    | UnitLocationEvent
    | UnitRedeployedEvent
    | MutualAidRequestedEvent
    | MutualAidGrantedEvent
    | MutualAidDeclinedEvent
    | IncidentNotedEvent
    | AlertAcknowledgedEvent
    | AdviceOfferedEvent
    | AdviceAcceptedEvent
    | AdviceDismissedEvent,
    Field(discriminator="type"),
]

_EVENT: TypeAdapter[Event] = TypeAdapter(Event)


class InvalidEvent(ValueError):
    """An event that cannot be accepted, with the reason in words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Place(Protocol):
    """Where a point is: what geodata's ``locate`` answers (None = outside London)."""

    @property
    def borough(self) -> str: ...

    @property
    def bcu(self) -> str | None: ...


Locate = Callable[[float, float], Place | None]


@dataclass(frozen=True, slots=True)
class Validated:
    """An event that passed the contract, with the borough and BCU derived from its point."""

    event: Event
    borough: str | None = None
    bcu: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as the log holds it: its gap-free ``seq`` and where it happened."""

    seq: int
    event: Event
    borough: str | None = None
    bcu: str | None = None


def parse_event(raw: str | bytes | Mapping[str, Any]) -> Event:
    """Parse one CloudEvents JSON event strictly, or raise :class:`InvalidEvent`."""
    if not isinstance(raw, str | bytes | bytearray | Mapping):
        raise InvalidEvent(_NOT_AN_OBJECT)
    try:
        if isinstance(raw, str | bytes | bytearray):
            return _EVENT.validate_json(raw)
        return _EVENT.validate_python(raw)
    except ValidationError as exc:
        raise InvalidEvent(_reason(exc, raw)) from None


def validate(raw: str | bytes | Mapping[str, Any], locate: Locate) -> Validated:
    """Parse an event and derive its borough and BCU; a point outside London is invalid."""
    event = parse_event(raw)
    data = event.data
    if not isinstance(data, IncidentCreated | UnitOnDuty | UnitLocated):
        return Validated(event)
    place = locate(data.lat, data.lon)
    if place is None:
        raise InvalidEvent(f"point {data.lat:.5f},{data.lon:.5f} is outside London")
    if place.bcu is None and isinstance(data, IncidentCreated):
        raise InvalidEvent(
            f"point {data.lat:.5f},{data.lon:.5f} is in the {place.borough}, "
            "which the City of London Police polices, not the Met"
        )
    return Validated(event, place.borough, place.bcu)


def to_json(event: Event) -> str:
    """The event as CloudEvents JSON, exactly as a producer could have sent it."""
    return event.model_dump_json(exclude_none=True)


def to_dict(event: Event) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude_none=True)


_NOT_AN_OBJECT = "an event must be a JSON object"
_NOT_A_DICT = ("model_type", "dict_type", "model_attributes_type")
_ENUM_HINTS: dict[str, str] = {
    "grade": "grade must be one of I, S, E, R",
    "unit_type": "unit_type must be one of " + ", ".join(t.value for t in UnitType),
    "status": "status must be one of " + ", ".join(s.value for s in UnitStatus),
}


def _reason(exc: ValidationError, raw: object) -> str:
    """Turn pydantic's errors into one sentence naming each field and what is wrong."""
    parts: list[str] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = [str(p) for p in err["loc"] if not _is_union_tag(p)]
        field = loc[-1] if loc else ""
        if kind == "json_invalid":
            return f"malformed JSON: {err['msg'].removeprefix('Invalid JSON: ')}"
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            got = _raw_type(raw)
            known = ", ".join(t.value for t in EventType)
            if got is None:
                return f"missing field: type (one of {known})"
            return f"unknown event type {got!r} (expected one of {known})"
        if kind in _NOT_A_DICT and not loc:
            return _NOT_AN_OBJECT
        path = ".".join(loc)
        if kind == "missing":
            parts.append(f"missing field: {path}")
        elif kind == "extra_forbidden":
            parts.append(f"unexpected field: {path}")
        elif kind == "enum" and field in _ENUM_HINTS:
            parts.append(_ENUM_HINTS[field])
        elif kind == "literal_error" and field == "specversion":
            parts.append("specversion must be 1.0")
        elif kind in _NOT_A_DICT:
            parts.append(f"{path} must be a JSON object")
        elif kind == "string_pattern_mismatch":
            parts.append(f"{path} must not contain control characters")
        elif kind == "time_out_of_range":
            parts.append(f"{path} is {OUT_OF_RANGE}")
        elif kind == "timezone_aware":
            parts.append(f"{path} must include a UTC offset, e.g. {EXAMPLE_TIME}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            parts.append(f"{path}: {msg}" if path else msg)
    return "; ".join(parts) or "invalid event"


def _is_union_tag(part: object) -> bool:
    kinds = ("incident", "unit", "alert")
    return isinstance(part, str) and "." in part and part.split(".")[0] in kinds


def _raw_type(raw: object) -> str | None:
    if isinstance(raw, str | bytes | bytearray):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if isinstance(raw, Mapping):
        value = raw.get("type")
        return None if value is None else str(value)
    return None
