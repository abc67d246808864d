"""Mutual aid's rules and effects in the live picture (stream.mutualaid): a request for
another BCU's unit, and its grant or decline, each registered with the picture's rules
(``stream.picture.rules``) as every other event type's are.
"""

from __future__ import annotations

from stream.events import (
    MutualAidDeclined,
    MutualAidGranted,
    MutualAidRequested,
    Recorded,
    Validated,
)
from stream.mutualaid import MutualAid
from stream.objection import Objection, conflict, unknown
from stream.picture.model import Incident, Unit
from stream.picture.rules import (
    APPLIES,
    CHECKS,
    by_person,
    divertable,
    known_unit,
    open_incident,
)
from stream.picture.state import PictureState
from stream.sending import may_send

#: The rules' registries, mutual aid's added: what the fold dispatches to.
__all__ = ["APPLIES", "CHECKS", "open_aid"]


@CHECKS.register(MutualAidRequested)
def _check_aid_requested(
    picture: PictureState, v: Validated, data: MutualAidRequested
) -> Objection | None:
    if data.request_id in picture.mutual_aid:
        return conflict(f"mutual aid request {data.request_id} already exists")
    if not isinstance(incident := open_incident(picture, data.incident_id), Incident):
        return incident
    if not isinstance(unit := known_unit(picture, data.unit_id), Unit):
        return unit
    # What the recommender may offer for this grade (a busy unit, for an I-grade call) or a
    # diversion to an I-grade call: the request is for what the screens advise.
    if not (may_send(unit.status, incident.grade) or divertable(picture, unit, incident)):
        status = unit.status.value.replace("_", " ")
        return conflict(f"unit {unit.callsign} is {status}, not available")
    if unit.bcu != data.from_bcu or incident.bcu != data.to_bcu:
        return conflict(
            f"unit {unit.callsign} is deployed to {unit.bcu} and incident "
            f"{incident.name} is in {incident.bcu}, not {data.from_bcu} and {data.to_bcu}"
        )
    return by_person(v, data.by, "mutual aid")


@APPLIES.register(MutualAidRequested)
def _apply_aid_requested(picture: PictureState, r: Recorded, data: MutualAidRequested) -> None:
    picture.mutual_aid[data.request_id] = MutualAid(
        data.request_id,
        data.incident_id,
        data.unit_id,
        data.from_bcu,
        data.to_bcu,
        data.reason,
        data.by,
        r.event.time,
        r.seq,
    )


def open_aid(picture: PictureState, request_id: str) -> MutualAid | Objection:
    """The mutual aid request, if it is still open; else why not."""
    request = picture.mutual_aid.get(request_id)
    if request is None:
        return unknown(f"no open mutual aid request {request_id} (answered already, or unknown)")
    return request


def _check_answer(
    picture: PictureState, v: Validated, data: MutualAidGranted | MutualAidDeclined
) -> Objection | None:
    if not isinstance(request := open_aid(picture, data.request_id), MutualAid):
        return request
    if (request.incident_id, request.unit_id) != (data.incident_id, data.unit_id):
        return conflict(
            f"mutual aid request {data.request_id} is for {request.unit_id} "
            f"to {request.incident_id}"
        )
    return by_person(v, data.by, "mutual aid")


@CHECKS.register(MutualAidGranted)
def _check_aid_granted(
    picture: PictureState, v: Validated, data: MutualAidGranted
) -> Objection | None:
    return _check_answer(picture, v, data)


@CHECKS.register(MutualAidDeclined)
def _check_aid_declined(
    picture: PictureState, v: Validated, data: MutualAidDeclined
) -> Objection | None:
    return _check_answer(picture, v, data)


@APPLIES.register(MutualAidGranted)
def _apply_aid_granted(picture: PictureState, r: Recorded, data: MutualAidGranted) -> None:
    picture.mutual_aid.pop(data.request_id, None)


@APPLIES.register(MutualAidDeclined)
def _apply_aid_declined(picture: PictureState, r: Recorded, data: MutualAidDeclined) -> None:
    picture.mutual_aid.pop(data.request_id, None)
