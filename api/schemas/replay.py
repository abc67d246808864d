"""A replay's answers (api.routes.replay): the live feed's snapshot and events frames
(api.live), for a past moment, each with the time the log took its last record."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.advice import Advice
from api.schemas.closed import Closed
from api.schemas.picture import BcuCounts, Incident, Kpis, Record, Unit

TIME = "when the log took the record at seq (RFC 3339): the replay's clock"


class MappedIncident(Incident):
    """An incident with the H3 cell it is in, for the map's demand heat."""

    hex: str | None


class FramePicture(Closed):
    seq: int
    as_of: str | None
    kpis: Kpis
    bcus: dict[str, BcuCounts] = Field(description="by BCU code")
    incidents: list[MappedIncident]
    units: list[Unit]


class Touched(Closed):
    """The state now of everything the frame's records are about (null: left the picture)."""

    incidents: dict[str, MappedIncident | None]
    units: dict[str, Unit | None]


class FrameKpis(Kpis):
    bcus: dict[str, BcuCounts]


class ReplaySnapshot(Closed):
    type: Literal["snapshot"]
    seq: int
    time: str = Field(description=TIME)
    picture: FramePicture
    advice: Advice = Field(description="as worked out for the picture then (version 0)")


class ReplayEvents(Closed):
    type: Literal["events"]
    seq: int
    time: str = Field(description=TIME)
    events: list[Record] = Field(description="the records after `after`, in seq order")
    state: Touched
    kpis: FrameKpis
    advice: Advice = Field(description="as worked out for the picture at seq (version 0)")
    more: bool = Field(description="the limit stopped the frame short of the moment asked for")
