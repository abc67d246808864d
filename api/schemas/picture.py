"""The live picture's answers: incidents, units, per-BCU counts, KPIs, demand and the
recorded events of a timeline (api.views and stream.picture make them).

Times are ISO 8601 text as the picture writes it (``str``, not ``datetime``: an older log
may hold times at the ends of the calendar, which are served as they are).

``Incident`` and ``Unit`` are the picture's entities as ``to_dict`` writes them
(``INCIDENT_FIELDS``, ``UNIT_FIELDS``), then what the view adds: ``mirror``
(api.schemas.mirror) holds each to its entity when this module is imported, so a field
added to the picture and not here stops the server instead of going missing from
/openapi.json.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from api.schemas.closed import Closed
from api.schemas.mirror import mirror
from stream import picture as live
from stream.events import Grade, MarkerType, UnitStatus, UnitType
from stream.picture import IncidentStatus


class Incident(Closed):
    """An incident as the picture holds it (``Incident.to_dict``), with its target."""

    incident_id: str
    grade: Grade
    category: str
    lat: float
    lon: float
    borough: str
    bcu: str
    created_at: str
    summary: str | None
    status: IncidentStatus
    units: list[str] = Field(description="attached now, in order of assignment")
    first_unit: str | None
    assigned_at: str | None
    arrived_at: str | None
    closed_at: str | None
    outcome: str | None
    graded_history: list[tuple[str, Grade]] = Field(description="[time, grade], from creation")
    reference: str | None = Field(description="the CAD's reference")
    address: str | None
    target_at: str | None = Field(description="when the attendance target falls due")
    response_seconds: float | None = Field(description="creation to first arrival")
    warnings: list[MarkerType] = Field(
        description="the kinds of active warning marker within 50 m (icons: no text)"
    )


class Unit(Closed):
    """A unit as the picture holds it (``Unit.to_dict``); ``bcu`` is where deployed now."""

    unit_id: str
    callsign: str
    unit_type: UnitType
    home_bcu: str
    bcu: str
    status: UnitStatus
    lat: float
    lon: float
    fix_at: str
    borough: str | None
    incident_id: str | None
    status_since: str | None = Field(description="event time of its last change of status")


mirror(Incident, live.Incident, live.INCIDENT_FIELDS, ("target_at", "response_seconds", "warnings"))
mirror(Unit, live.Unit, live.UNIT_FIELDS)


class BcuCounts(Closed):
    """One BCU at a glance: demand (open I+S) against capacity (on-duty units there)."""

    bcu: str
    open_by_grade: dict[str, int]
    units_by_status: dict[str, int]
    awaiting_unit: int
    demand: int
    capacity: int
    available: int
    load: float


class Kpis(Closed):
    """London-wide figures for the KPI strip, in event time."""

    seq: int
    as_of: str | None
    open_i: int
    open_s: int
    awaiting_unit: int
    available_units: int
    on_duty_units: int
    i_within_target_last_hour: float | None


class Picture(Closed):
    seq: int
    as_of: str | None
    kpis: Kpis
    bcus: dict[str, BcuCounts] = Field(description="by BCU code")
    incidents: list[Incident]
    units: list[Unit]


class IncidentList(Closed):
    seq: int
    total: int = Field(description="how many matched, before the limit")
    incidents: list[Incident]


class UnitList(Closed):
    seq: int
    total: int
    units: list[Unit]


class CloudEvent(Closed):
    """A recorded event as CloudEvents 1.0 JSON. Open: ``data`` differs by ``type``, and a
    producer's extension attributes are kept (stream.envelope allows them)."""

    model_config = ConfigDict(extra="allow")

    specversion: str
    id: str
    source: str
    type: str
    time: str
    data: dict[str, Any]


class Record(Closed):
    """One recorded event as the live feed carries it (stream.wire)."""

    seq: int
    event: CloudEvent
    borough: str | None
    bcu: str | None


class IncidentDetail(Closed):
    seq: int
    incident: Incident | None = Field(description="null once it has left the live picture")
    timeline: list[Record]


class UnitDetail(Closed):
    seq: int
    unit: Unit
    history: list[Record]


class HexDemand(Closed):
    hex: str
    open_by_grade: dict[str, int]
    units_by_status: dict[str, int]
    demand: int
    capacity: int
    load: float


class Demand(Closed):
    seq: int
    bcus: list[BcuCounts]
    hexes: list[HexDemand]


class HourCount(Closed):
    now: int = Field(description="incidents created in the hour up to at")
    usual: float = Field(description="the mean for this hour of the week")


class UsualDemand(Closed):
    at: str
    source: Literal["log", "calibration"]
    weeks: int = Field(description="weeks of log averaged; 0 for the calibration")
    bcus: dict[str, HourCount]


class Feature(Closed):
    """A GeoJSON feature. ``properties`` differ by layer (api.md lists them)."""

    type: str
    id: str
    properties: dict[str, Any]
    geometry: dict[str, Any] = Field(description="a GeoJSON geometry")


class FeatureCollection(Closed):
    type: str
    features: list[Feature]
