"""The bodies of command requests, as the OpenAPI schema shows them (the answer to one is
api.schemas.commands)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from stream.events import PRINTABLE, Grade, UnitStatus

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=PRINTABLE)]
Words = Annotated[str, Field(min_length=1, max_length=200, pattern=PRINTABLE)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Assignment(Strict):
    incident_id: Ident


class Redeployment(Strict):
    bcu: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="a Met BCU code, e.g. CN")]
    reason: Words


class StatusChange(Strict):
    status: UnitStatus = Field(
        description="available, at_station, busy, refreshment or custody; off_duty takes the "
        "unit off duty; on_scene records its arrival at the incident it is assigned to. "
        "en_route comes from an assignment."
    )


class Closure(Strict):
    outcome: Words


class Regrade(Strict):
    grade: Grade = Field(description="I, S, E or R; the attendance target follows the grade")


class Arrival(Strict):
    unit_id: Ident = Field(description="a unit assigned to the incident, now there")


class Note(Strict):
    text: Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]


class Acknowledgement(Strict):
    key: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            pattern=PRINTABLE,
            description="the alert's key, as GET /api/advice gives it",
        ),
    ]


class AidRequest(Strict):
    incident_id: Ident
    unit_id: Ident
    reason: Words = Field(description="why this unit, in words a commander reads")


class Decline(Strict):
    reason: Words


class Dismissal(Strict):
    reason: Words = Field(description="why the move-up is not taken, for the ledger")
