"""The business rules and effects of the live picture: one check and one apply per event
type, all here (mutual aid's in ``stream.picture.aid_rules``, advice's in
``stream.picture.advice_rules``).

``check`` decides whether an event may be accepted now (an :class:`Objection`: its kind
and a short sentence saying why not, or None); the sequencer asks it before giving the
event a ``seq``, so conflicting commands are decided here, deterministically, in log order,
and the API asks it before sending a command, so both refuse with the same kind and words.
``apply`` changes the picture only as the recorded event says and reads nothing but the
event and the picture (no clock, no I/O); it never raises, even for a record the rules would
have refused (an older log, a bug): a consumer that crashed on it would crash again on every
replay. Each pair is registered per payload class in ``CHECKS`` and ``APPLIES``
(:class:`stream.handlers.ByPayload`)."""

from __future__ import annotations

from stream.events import (
    AlertAcknowledged,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    IncidentNoted,
    Recorded,
    UnitLocated,
    UnitOffDuty,
    UnitOnDuty,
    UnitRedeployed,
    UnitStatus,
    UnitStatusChanged,
    Validated,
)
from stream.handlers import ByPayload
from stream.objection import Objection, conflict, invalid, unknown
from stream.picture.model import COMMITTED, Incident, IncidentStatus, SetOff, Unit
from stream.picture.state import PictureState
from stream.sending import may_divert
from stream.trust import RESERVED_PREFIX

#: Why an event cannot be accepted now (None: it can), per payload class.
CHECKS: ByPayload[PictureState, Validated, Objection | None] = ByPayload()
#: What a recorded event changes, per payload class.
APPLIES: ByPayload[PictureState, Recorded, None] = ByPayload()


def open_incident(picture: PictureState, incident_id: str) -> Incident | Objection:
    """The incident, if the picture has it open; else why not."""
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return unknown(f"unknown incident {incident_id}")
    if incident.status is IncidentStatus.CLOSED:
        return conflict(f"incident {incident.name} is closed")
    return incident


def known_unit(picture: PictureState, unit_id: str) -> Unit | Objection:
    """The unit, if the picture has it (off duty too); else why not."""
    unit = picture.units.get(unit_id)
    return unit if unit is not None else unknown(f"unknown unit {unit_id}")


def by_person(v: Validated, by: str, what: str) -> Objection | None:
    """What people decide (mutual aid, a move-up) is recorded through the API by the person
    named in ``by``, as themselves: a feed, or anyone else, cannot speak for them."""
    if v.event.source != RESERVED_PREFIX + by:
        return invalid(f"{what} is recorded through the API by the person named in by ({by})")
    return None


def _objection(found: Incident | Unit | Objection) -> Objection | None:
    return found if isinstance(found, Objection) else None


@CHECKS.register(IncidentCreated)
def _check_created(picture: PictureState, v: Validated, data: IncidentCreated) -> Objection | None:
    if data.incident_id in picture.incidents:
        return conflict(f"incident {data.incident_id} already exists")
    if v.bcu is None:
        return invalid(f"incident {data.incident_id} is not in a Met BCU")
    return None


@APPLIES.register(IncidentCreated)
def _apply_created(picture: PictureState, r: Recorded, data: IncidentCreated) -> None:
    if data.incident_id in picture.incidents:
        return
    incident = Incident(
        incident_id=data.incident_id,
        grade=data.grade,
        category=data.category,
        lat=data.lat,
        lon=data.lon,
        borough=r.borough or "",
        bcu=r.bcu or "",
        created_at=r.event.time,
        summary=data.summary,
        graded_history=[(r.event.time, data.grade)],
        reference=data.reference,
        address=data.address,
    )
    picture.add_incident(incident)


@CHECKS.register(IncidentGraded)
def _check_graded(picture: PictureState, v: Validated, data: IncidentGraded) -> Objection | None:
    return _objection(open_incident(picture, data.incident_id))


@APPLIES.register(IncidentGraded)
def _apply_graded(picture: PictureState, r: Recorded, data: IncidentGraded) -> None:
    incident = open_incident(picture, data.incident_id)
    if isinstance(incident, Incident):
        picture.set_incident(incident, grade=data.grade)
        incident.graded_history.append((r.event.time, data.grade))
        picture.track_immediate(incident)


@CHECKS.register(IncidentAssigned)
def _check_assigned(
    picture: PictureState, v: Validated, data: IncidentAssigned
) -> Objection | None:
    if not isinstance(incident := open_incident(picture, data.incident_id), Incident):
        return incident
    if not isinstance(unit := known_unit(picture, data.unit_id), Unit):
        return unit
    if unit.status is UnitStatus.OFF_DUTY:
        return conflict(f"unit {unit.unit_id} is off duty")
    if unit.incident_id == data.incident_id:
        return conflict(f"unit {unit.unit_id} is already assigned to incident {incident.name}")
    if unit.incident_id is not None and not divertable(picture, unit, incident):
        return conflict(f"unit {unit.unit_id} is committed to incident {unit.incident_id}")
    return None


def divertable(picture: PictureState, unit: Unit, incident: Incident) -> bool:
    """Whether ``unit``, committed to another incident, may leave it for ``incident``: the
    recommender's diversion (stream.sending.may_divert), on its way to a lower-grade call."""
    left = picture.incidents.get(unit.incident_id) if unit.incident_id is not None else None
    return left is not None and may_divert(unit.status, left.grade, incident.grade)


@APPLIES.register(IncidentAssigned)
def _apply_assigned(picture: PictureState, r: Recorded, data: IncidentAssigned) -> None:
    incident = open_incident(picture, data.incident_id)
    unit = picture.units.get(data.unit_id)
    if not isinstance(incident, Incident) or unit is None:
        return
    # A diversion: the incident it leaves waits again if no other unit is on it, and its
    # first assignment, which never reached it, is undone so its next one counts.
    left = picture.incidents.get(unit.incident_id) if unit.incident_id is not None else None
    was = unit.status
    picture.release(unit, UnitStatus.EN_ROUTE)
    if left is not None and left is not incident and not left.units and not left.arrived_at:
        left.first_unit, left.assigned_at = None, None
    unit.incident_id = incident.incident_id
    picture.set_off[unit.unit_id] = SetOff(
        incident.incident_id, unit.lat, unit.lon, r.event.time, was
    )
    incident.units.append(unit.unit_id)
    if incident.first_unit is None:
        incident.first_unit = unit.unit_id
        incident.assigned_at = r.event.time
    picture.restatus(incident)
    picture.rearm_incident(incident)


@CHECKS.register(IncidentArrived)
def _check_arrived(picture: PictureState, v: Validated, data: IncidentArrived) -> Objection | None:
    if not isinstance(incident := open_incident(picture, data.incident_id), Incident):
        return incident
    if not isinstance(unit := known_unit(picture, data.unit_id), Unit):
        return unit
    if unit.incident_id != data.incident_id:
        return conflict(f"unit {unit.unit_id} is not assigned to incident {incident.name}")
    if unit.status is UnitStatus.ON_SCENE:
        return conflict(f"unit {unit.unit_id} is already on scene at incident {incident.name}")
    return None


@APPLIES.register(IncidentArrived)
def _apply_arrived(picture: PictureState, r: Recorded, data: IncidentArrived) -> None:
    incident = open_incident(picture, data.incident_id)
    unit = picture.units.get(data.unit_id)
    if not isinstance(incident, Incident) or unit is None or unit.incident_id != data.incident_id:
        return
    picture.set_unit(unit, UnitStatus.ON_SCENE)
    picture.set_off.pop(unit.unit_id, None)
    if incident.arrived_at is None:
        incident.arrived_at = r.event.time
    picture.restatus(incident)


@CHECKS.register(IncidentClosed)
def _check_closed(picture: PictureState, v: Validated, data: IncidentClosed) -> Objection | None:
    return _objection(open_incident(picture, data.incident_id))


@APPLIES.register(IncidentClosed)
def _apply_closed(picture: PictureState, r: Recorded, data: IncidentClosed) -> None:
    incident = open_incident(picture, data.incident_id)
    if not isinstance(incident, Incident):
        return
    for unit_id in incident.units:
        unit = picture.units.get(unit_id)
        if unit is not None:
            unit.incident_id = None
            picture.set_off.pop(unit_id, None)
            picture.set_unit(unit, UnitStatus.AVAILABLE)
            picture.side_effects.append((r.seq, "unit", unit_id))
            picture.unit_changed[unit_id] = r.seq
    incident.units.clear()
    picture.set_incident(incident, IncidentStatus.CLOSED)
    incident.closed_at = r.event.time
    incident.outcome = data.outcome
    picture.retire(incident)
    picture.rearm_incident(incident)


@CHECKS.register(IncidentNoted)
def _check_noted(picture: PictureState, v: Validated, data: IncidentNoted) -> Objection | None:
    # A closed incident still takes notes (the result of enquiries) while the picture has it.
    if data.incident_id not in picture.incidents:
        return unknown(f"unknown incident {data.incident_id}")
    return None


@APPLIES.register(IncidentNoted)
def _apply_noted(picture: PictureState, r: Recorded, data: IncidentNoted) -> None:
    """Nothing in the picture changes: the note lives in the log, which is the timeline."""


@CHECKS.register(AlertAcknowledged)
def _check_acknowledged(
    picture: PictureState, v: Validated, data: AlertAcknowledged
) -> Objection | None:
    if data.incident_id is not None and data.incident_id not in picture.incidents:
        return unknown(f"unknown incident {data.incident_id}")
    seen = picture.acknowledged.get(data.key)
    if seen is not None:
        return conflict(f"alert {data.key} was acknowledged by {seen[1]} at {seen[0]:%H:%M:%S} UTC")
    return None


@APPLIES.register(AlertAcknowledged)
def _apply_acknowledged(picture: PictureState, r: Recorded, data: AlertAcknowledged) -> None:
    picture.acknowledged[data.key] = (r.event.time, data.by)


@CHECKS.register(UnitOnDuty)
def _check_on_duty(picture: PictureState, v: Validated, data: UnitOnDuty) -> Objection | None:
    unit = picture.units.get(data.unit_id)
    if unit is not None and unit.status is not UnitStatus.OFF_DUTY:
        return conflict(f"unit {unit.unit_id} is already on duty")
    return None


@APPLIES.register(UnitOnDuty)
def _apply_on_duty(picture: PictureState, r: Recorded, data: UnitOnDuty) -> None:
    old = picture.units.get(data.unit_id)
    if old is not None:  # back on duty: forget the last shift's details
        picture.release(old, UnitStatus.OFF_DUTY)
        picture.count_unit(old, -1)  # its off-duty count: the new shift counts anew
    unit = Unit(
        unit_id=data.unit_id,
        callsign=data.callsign,
        unit_type=data.unit_type,
        home_bcu=data.home_bcu,
        bcu=data.home_bcu,
        status=UnitStatus.AVAILABLE,
        lat=data.lat,
        lon=data.lon,
        fix_at=r.event.time,
        borough=r.borough,
    )
    picture.add_unit(unit)
    picture.rearm(unit)


@CHECKS.register(UnitOffDuty)
def _check_off_duty(picture: PictureState, v: Validated, data: UnitOffDuty) -> Objection | None:
    unit = known_unit(picture, data.unit_id)
    if isinstance(unit, Unit) and unit.status is UnitStatus.OFF_DUTY:
        return conflict(f"unit {unit.unit_id} is already off duty")
    return _objection(unit)


@APPLIES.register(UnitOffDuty)
def _apply_off_duty(picture: PictureState, r: Recorded, data: UnitOffDuty) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture.release(unit, UnitStatus.OFF_DUTY)
    picture.withdraw_offers(data.unit_id)


@CHECKS.register(UnitStatusChanged)
def _check_status(picture: PictureState, v: Validated, data: UnitStatusChanged) -> Objection | None:
    if not isinstance(unit := known_unit(picture, data.unit_id), Unit):
        return unit
    if data.status is UnitStatus.OFF_DUTY:
        return invalid("use unit.off_duty to take a unit off duty")
    if data.status in COMMITTED:
        return invalid(
            f"status {data.status.value} comes from incident.assigned or incident.arrived"
        )
    if unit.status is UnitStatus.OFF_DUTY:
        return conflict(f"unit {unit.unit_id} is off duty")
    return None


@APPLIES.register(UnitStatusChanged)
def _apply_status(picture: PictureState, r: Recorded, data: UnitStatusChanged) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture.release(unit, data.status)


@CHECKS.register(UnitLocated)
def _check_located(picture: PictureState, v: Validated, data: UnitLocated) -> Objection | None:
    return _objection(known_unit(picture, data.unit_id))


@APPLIES.register(UnitLocated)
def _apply_located(picture: PictureState, r: Recorded, data: UnitLocated) -> None:
    # ~90% of all traffic: a position changes no count, so touch nothing else.
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        unit.lat, unit.lon, unit.fix_at, unit.borough = data.lat, data.lon, r.event.time, r.borough


@CHECKS.register(UnitRedeployed)
def _check_redeployed(
    picture: PictureState, v: Validated, data: UnitRedeployed
) -> Objection | None:
    if not isinstance(unit := known_unit(picture, data.unit_id), Unit):
        return unit
    if unit.status is UnitStatus.OFF_DUTY:
        return conflict(f"unit {unit.unit_id} is off duty")
    if unit.bcu == data.bcu:
        return conflict(f"unit {unit.unit_id} is already deployed to {data.bcu}")
    return None


@APPLIES.register(UnitRedeployed)
def _apply_redeployed(picture: PictureState, r: Recorded, data: UnitRedeployed) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture.set_unit(unit, bcu=data.bcu)
