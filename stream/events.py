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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field, TypeAdapter, ValidationError

from stream.envelope import PRINTABLE, Envelope
from stream.payloads import (
    BCU_CODES,
    DISPATCHABLE,
    FOR_A_CALL,
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
    IncidentPersonLinked,
    IncidentPersonUnlinked,
    LocationMarkerCleared,
    LocationMarkerSet,
    MarkerType,
    MutualAidDeclined,
    MutualAidGranted,
    MutualAidRequested,
    Payload,
    PersonRole,
    UnitLocated,
    UnitOffDuty,
    UnitOnDuty,
    UnitRedeployed,
    UnitStatus,
    UnitStatusChanged,
    UnitType,
    alert_key,
)
from stream.reasons import NOT_AN_OBJECT, reason

__all__ = [
    "BCU_CODES",
    "DISPATCHABLE",
    "FOR_A_CALL",
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
    "IncidentPersonLinked",
    "IncidentPersonLinkedEvent",
    "IncidentPersonUnlinked",
    "IncidentPersonUnlinkedEvent",
    "InvalidEvent",
    "Locate",
    "LocationMarkerCleared",
    "LocationMarkerClearedEvent",
    "LocationMarkerSet",
    "LocationMarkerSetEvent",
    "MarkerType",
    "MutualAidDeclined",
    "MutualAidDeclinedEvent",
    "MutualAidGranted",
    "MutualAidGrantedEvent",
    "MutualAidRequested",
    "MutualAidRequestedEvent",
    "Payload",
    "PersonRole",
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
    LOCATION_MARKER_SET = "location.marker_set"
    LOCATION_MARKER_CLEARED = "location.marker_cleared"
    INCIDENT_PERSON_LINKED = "incident.person_linked"
    INCIDENT_PERSON_UNLINKED = "incident.person_unlinked"


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


class LocationMarkerSetEvent(Envelope):
    type: Literal[EventType.LOCATION_MARKER_SET]
    data: LocationMarkerSet


class LocationMarkerClearedEvent(Envelope):
    type: Literal[EventType.LOCATION_MARKER_CLEARED]
    data: LocationMarkerCleared


class IncidentPersonLinkedEvent(Envelope):
    type: Literal[EventType.INCIDENT_PERSON_LINKED]
    data: IncidentPersonLinked


class IncidentPersonUnlinkedEvent(Envelope):
    type: Literal[EventType.INCIDENT_PERSON_UNLINKED]
    data: IncidentPersonUnlinked


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
    | AdviceDismissedEvent
    | LocationMarkerSetEvent
    | LocationMarkerClearedEvent
    | IncidentPersonLinkedEvent
    | IncidentPersonUnlinkedEvent,
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
        raise InvalidEvent(NOT_AN_OBJECT)
    try:
        if isinstance(raw, str | bytes | bytearray):
            return _EVENT.validate_json(raw)
        return _EVENT.validate_python(raw)
    except ValidationError as exc:
        raise InvalidEvent(reason(exc, raw, [t.value for t in EventType])) from None


def validate(raw: str | bytes | Mapping[str, Any], locate: Locate) -> Validated:
    """Parse an event and derive its borough and BCU; a point outside London is invalid."""
    event = parse_event(raw)
    data = event.data
    if not isinstance(data, IncidentCreated | UnitOnDuty | UnitLocated | LocationMarkerSet):
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
