"""What each event's ``data`` holds: the domain's enums and the frozen payload models.

Grades, unit types and statuses, the Met's BCU codes, and one model per event type; each
rejects a field it does not know. stream.events wraps them in CloudEvents envelopes.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from stream.envelope import NO_NUL, PRINTABLE, Ident


class Grade(StrEnum):
    IMMEDIATE = "I"
    SIGNIFICANT = "S"
    EXTENDED = "E"
    REFERRED = "R"


#: Attendance targets in seconds from creation: I within 15 minutes, S within an hour; E and R
#: have no live target.
TARGET_SECONDS: dict[Grade, int] = {Grade.IMMEDIATE: 15 * 60, Grade.SIGNIFICANT: 60 * 60}


class UnitType(StrEnum):
    IRV = "IRV"
    ARV = "ARV"
    DOG = "DOG"
    TSG = "TSG"
    TRAFFIC = "TRAFFIC"
    FOOT = "FOOT"
    CYCLE = "CYCLE"


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    BUSY = "busy"  # other work: reports, an enquiry
    OFF_DUTY = "off_duty"
    AT_STATION = "at_station"  # in the station (parade, after custody): can be sent
    REFRESHMENT = "refreshment"  # a meal break: not sent (a commander stands it down first)
    CUSTODY = "custody"  # booking a prisoner in: tied up for hours


#: Statuses a unit can be sent from (advice, capacity's "available"): a unit at station
#: can go, only with a longer start; one on a break or in custody cannot until it says so.
DISPATCHABLE: frozenset[UnitStatus] = frozenset({UnitStatus.AVAILABLE, UnitStatus.AT_STATION})


#: The 12 Met BCU codes. geodata holds their boroughs and shapes.
BCU_CODES: frozenset[str] = frozenset(
    {"AW", "CN", "CE", "AS", "EA", "NA", "NE", "NW", "SN", "SE", "SW", "WA"}
)

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PRINTABLE)
]
# Coordinates must be JSON numbers: "51.5" or true is a producer bug worth telling, not guessing.
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]


def _bcu_code(value: str) -> str:
    code = value.strip().upper()
    if code not in BCU_CODES:
        raise ValueError(f"must be one of the Met BCU codes {', '.join(sorted(BCU_CODES))}")
    return code


#: A Met BCU code, as sent in any case and with spaces about it; held in upper case.
BcuCode = Annotated[str, AfterValidator(_bcu_code)]


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


#: Whether each payload type has an incident_id, a unit_id (see :func:`subjects`).
_NAMES: dict[type[Payload], tuple[bool, bool]] = {}


def subjects(data: Payload) -> tuple[str | None, str | None]:
    """The incident and the unit an event's data names (None where it names none), for the
    fold, the log's indexes and the live frames. Which fields a type has is asked of the
    class once, as those ask it of every event, and a getattr that misses costs a pydantic
    ``__getattr__``."""
    kind = type(data)
    found = _NAMES.get(kind)
    if found is None:
        fields = kind.model_fields
        found = _NAMES[kind] = ("incident_id" in fields, "unit_id" in fields)
    incident, unit = found
    return (
        getattr(data, "incident_id") if incident else None,  # noqa: B009
        getattr(data, "unit_id") if unit else None,  # noqa: B009
    )


class IncidentCreated(Payload):
    incident_id: Ident
    grade: Grade
    category: Text
    lat: Lat
    lon: Lon
    summary: Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)] | None = None
    # The CAD's own reference ("CAD 4711/25NOV"), what people say on the radio, and where.
    reference: Text | None = None
    address: Text | None = None


class IncidentGraded(Payload):
    incident_id: Ident
    grade: Grade


class IncidentAssigned(Payload):
    incident_id: Ident
    unit_id: Ident


class IncidentArrived(Payload):
    incident_id: Ident
    unit_id: Ident


class IncidentClosed(Payload):
    incident_id: Ident
    outcome: Text


class IncidentNoted(Payload):
    """A line added to the incident's log by a person (``by``)."""

    incident_id: Ident
    text: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PRINTABLE),
    ]
    by: Ident


class AlertAcknowledged(Payload):
    """Someone has seen an alert and is dealing with it. The alert is named by what raised it
    (``kind``, ``bcu`` and, for an incident's alert, ``incident_id``): see ``alert_key``."""

    kind: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z_]+$")]
    bcu: BcuCode
    incident_id: Ident | None = None
    by: Ident

    @property
    def key(self) -> str:
        return alert_key(self.kind, self.bcu, self.incident_id)


def alert_key(kind: str, bcu: str | None, incident_id: str | None = None) -> str:
    """An alert's stable name: the same condition keeps it from one computation to the next."""
    return ":".join(p for p in (kind, bcu or "", incident_id) if p is not None)


class UnitOnDuty(Payload):
    unit_id: Ident
    callsign: Ident
    unit_type: UnitType
    home_bcu: BcuCode
    lat: Lat
    lon: Lon


class UnitOffDuty(Payload):
    unit_id: Ident


class UnitStatusChanged(Payload):
    unit_id: Ident
    status: UnitStatus


class UnitLocated(Payload):
    unit_id: Ident
    lat: Lat
    lon: Lon


class UnitRedeployed(Payload):
    unit_id: Ident
    bcu: BcuCode
    reason: Text


class MutualAidRequested(Payload):
    """An inspector asks for a unit deployed to another BCU (stream.mutualaid)."""

    request_id: Ident
    incident_id: Ident
    unit_id: Ident
    from_bcu: BcuCode
    to_bcu: BcuCode
    reason: Text
    by: Ident


class MutualAidGranted(Payload):
    request_id: Ident
    incident_id: Ident
    unit_id: Ident
    by: Ident
    assignment_seq: Annotated[int, Field(ge=1, strict=True)]


class MutualAidDeclined(Payload):
    request_id: Ident
    incident_id: Ident
    unit_id: Ident
    by: Ident
    reason: Text


class AdviceKind(StrEnum):
    ASSIGNMENT = "assignment"  # a unit for a waiting call: taken by assigning it
    MOVE = "move"  # a move-up: accepted or dismissed by a person
    BACKUP = "backup"  # a unit beside one running late to an I-grade call: taken by assigning it


#: Advice on which unit goes to a call: taken by assigning that unit.
FOR_A_CALL = frozenset({AdviceKind.ASSIGNMENT, AdviceKind.BACKUP})


class AdviceOffered(Payload):
    """The recommender's advice as the screens showed it (stream.recommend), recorded once
    so the ledger can say what became of it: the best unit for a waiting call, or a move-up
    (an available unit to stand by at ``lat``/``lon`` in ``bcu``)."""

    advice_id: Ident
    kind: AdviceKind
    unit_id: Ident
    incident_id: Ident | None = None
    bcu: BcuCode  # the call's BCU, or where the move goes
    lat: Lat | None = None
    lon: Lon | None = None
    eta_s: Annotated[int, Field(ge=0, strict=True)] | None = None
    gain: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    reason: Text

    @model_validator(mode="after")
    def _what_it_needs(self) -> AdviceOffered:
        if self.kind in FOR_A_CALL and self.incident_id is None:
            raise ValueError(f"{self.kind.value} advice names its incident_id")
        if self.kind is AdviceKind.MOVE and (self.lat is None or self.lon is None):
            raise ValueError("a move-up names where the unit goes (lat and lon)")
        return self


class AdviceAccepted(Payload):
    """A person takes a move-up (``by``): the unit is told to stand by there."""

    advice_id: Ident
    unit_id: Ident
    by: Ident


class AdviceDismissed(Payload):
    """A person turns a move-up down, with the reason (``by``)."""

    advice_id: Ident
    unit_id: Ident
    reason: Text
    by: Ident


# -- intelligence: warning markers on places, people linked to incidents --------------------


class MarkerType(StrEnum):
    """What a location's warning marker warns of (the officer safety and safeguarding
    markers a force's systems carry; the wall shows each as an icon)."""

    FIREARMS = "firearms"  # firearms believed at the address
    WEAPONS = "weapons"  # other weapons (knives, crossbows) known there
    VIOLENT = "violent_towards_police"
    VULNERABLE_ADULT = "vulnerable_adult"
    VULNERABLE_CHILD = "vulnerable_child"
    MENTAL_HEALTH = "mental_health"
    DOMESTIC_ABUSE = "domestic_abuse"  # a history of domestic abuse at the address
    DANGEROUS_DOG = "dangerous_dog"
    DRUGS = "drugs"


class PersonRole(StrEnum):
    CALLER = "caller"
    VICTIM = "victim"
    SUSPECT = "suspect"
    WITNESS = "witness"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would take a number as a Unix time, which no CAD means."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date in the calendar") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Notes = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PRINTABLE)
]
#: A person's keyed hash (stream.privacy): what a link keeps once retention removed the name.
Pseudonym = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class LocationMarkerSet(Payload):
    """A warning marker on a place, set or renewed (the same ``marker_id`` again replaces
    it): shown with calls near it until cleared or past its review date."""

    marker_id: Ident
    lat: Lat
    lon: Lon
    address: Text | None = None
    marker_type: MarkerType
    text: Notes
    review_date: IsoDate


class LocationMarkerCleared(Payload):
    marker_id: Ident


class IncidentPersonLinked(Payload):
    """A person linked to an incident in a role. A feed sends the name and date of birth;
    past its retention period the log keeps only the ``pseudonym`` (stream.privacy)."""

    incident_id: Ident
    role: PersonRole
    name: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, min_length=1, max_length=100, pattern=PRINTABLE
            ),
        ]
        | None
    ) = None
    date_of_birth: IsoDate | None = None
    notes: Notes | None = None
    pseudonym: Pseudonym | None = None

    @model_validator(mode="after")
    def _named(self) -> IncidentPersonLinked:
        if self.pseudonym is None and (self.name is None or self.date_of_birth is None):
            raise ValueError("a person is linked by name and date_of_birth")
        if self.pseudonym is not None and (self.name or self.date_of_birth or self.notes):
            raise ValueError("a pseudonymised link holds no name, date_of_birth or notes")
        return self


class IncidentPersonUnlinked(Payload):
    """The link made by ``incident.person_linked`` with this role, name and date of birth
    (or pseudonym) undone: linked in error, or to the wrong incident."""

    incident_id: Ident
    role: PersonRole
    name: Text | None = None
    date_of_birth: IsoDate | None = None
    pseudonym: Pseudonym | None = None

    @model_validator(mode="after")
    def _named(self) -> IncidentPersonUnlinked:
        if self.pseudonym is None and (self.name is None or self.date_of_birth is None):
            raise ValueError("a person is unlinked by name and date_of_birth")
        return self
