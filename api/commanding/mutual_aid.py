"""Mutual aid as commands: an inspector's request for another BCU's unit, and a commander's
grant (an assignment, then the grant naming its seq) or decline.

Asking touches no unit, so it is not held to the inspector's BCU (it is submitted with the
scope ``EVERYTHING``); stream.mutualaid and the picture hold the rules.
"""

from __future__ import annotations

from typing import Any

from api.commanding.bodies import AidRequest, Decline
from api.commanding.orders import Command, Refusal, conflict, objected, scope_of
from api.security import Principal
from stream.events import EventType
from stream.mutualaid import MutualAid
from stream.objection import Objection
from stream.picture import Picture, known_unit, open_aid, open_incident


def request(
    picture: Picture, who: Principal, body: AidRequest, request_id: str
) -> Command | Refusal:
    """The request ``request_id``: a unit deployed to another BCU than the caller's."""
    # The BCUs the event names come from the picture: it must have both (the rules' words).
    if isinstance(incident := open_incident(picture, body.incident_id), Objection):
        return objected(body.unit_id, incident)
    if isinstance(unit := known_unit(picture, body.unit_id), Objection):
        return objected(body.unit_id, unit)
    if scope_of(who).bcu in (None, unit.bcu):
        reason = f"you may assign {unit.callsign} yourself; mutual aid is for another BCU's unit"
        return conflict(body.unit_id, reason)
    data = {
        "request_id": request_id,
        "incident_id": body.incident_id,
        "unit_id": body.unit_id,
        "from_bcu": unit.bcu,
        "to_bcu": incident.bcu,
        "reason": body.reason,
        "by": who.name,
    }
    return Command(body.unit_id, EventType.MUTUAL_AID_REQUESTED, data)


def open_request(picture: Picture, request_id: str) -> MutualAid | Refusal:
    """The request a grant or decline answers: the rules' own lookup, for their words."""
    aid = open_aid(picture, request_id)
    return objected(request_id, aid) if isinstance(aid, Objection) else aid


def assignment(aid: MutualAid) -> Command:
    """A grant's first step: the commander's assignment of the unit to the incident."""
    data = {"incident_id": aid.incident_id, "unit_id": aid.unit_id}
    return Command(aid.unit_id, EventType.INCIDENT_ASSIGNED, data)


def grant(aid: MutualAid, who: Principal, assignment_seq: int) -> Command:
    data = _answer(aid, who) | {"assignment_seq": assignment_seq}
    return Command(aid.request_id, EventType.MUTUAL_AID_GRANTED, data)


def decline(aid: MutualAid, who: Principal, body: Decline) -> Command:
    data = _answer(aid, who) | {"reason": body.reason}
    return Command(aid.request_id, EventType.MUTUAL_AID_DECLINED, data)


def _answer(aid: MutualAid, who: Principal) -> dict[str, Any]:
    return {
        "request_id": aid.request_id,
        "incident_id": aid.incident_id,
        "unit_id": aid.unit_id,
        "by": who.name,
    }
