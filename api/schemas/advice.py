"""Advice's answer (api.advice): nearest units per waiting incident, those at risk, alerts
and mutual aid waiting for a commander."""

from __future__ import annotations

from pydantic import Field

from api.schemas.closed import Closed
from api.schemas.decisions import Recommendations
from stream.events import Grade, UnitType


class Nearest(Closed):
    unit_id: str
    callsign: str
    bcu: str
    unit_type: UnitType
    eta_s: int = Field(description="travel time, seconds")


class Waiting(Closed):
    """A waiting I/S incident and its nearest available units."""

    incident_id: str
    reference: str | None
    grade: Grade
    category: str
    bcu: str
    borough: str
    created_at: str
    target_at: str
    seconds_left: int
    slack_s: int | None = Field(description="seconds left minus the best ETA; null: no unit")
    nearest: list[Nearest]


class Alert(Closed):
    """``no_irv`` (a BCU) or ``i_unassigned`` (an incident, with its id and reference)."""

    kind: str
    bcu: str
    text: str
    key: str = Field(description="what an acknowledgement names")
    incident_id: str | None = None
    reference: str | None = None


class AcknowledgedAlert(Alert):
    acknowledged_by: str
    acknowledged_at: str


class AidWaiting(Closed):
    """A mutual aid request waiting for a commander, with what a screen names it by."""

    request_id: str
    incident_id: str
    unit_id: str
    from_bcu: str
    to_bcu: str
    reason: str
    by: str
    requested_at: str
    seq: int
    callsign: str
    grade: Grade
    category: str


class Advice(Closed):
    seq: int
    as_of: str | None
    waiting: list[Waiting]
    at_risk: list[str] = Field(description="incident ids, least slack first")
    alerts: list[Alert]
    acknowledged: list[AcknowledgedAlert]
    mutual_aid: list[AidWaiting]
    version: int = Field(description="counts the advice this process has computed")
    recommendations: Recommendations | None = Field(
        description="the recommender's latest (a few seconds behind at most); null until ready"
    )
