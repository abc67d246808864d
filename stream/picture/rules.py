"""The business rules and effects of the live picture: one check and one apply per event
type, all here.

``check`` decides whether an event may be accepted now (a short sentence saying why not,
or None); the sequencer asks it before giving the event a ``seq``, so conflicting commands
are decided here, deterministically, in log order. ``apply`` changes the picture only as
the recorded event says and reads nothing but the event and the picture (no clock, no
I/O); it never raises, even for a record the rules would have refused (an older log, a
bug): a consumer that crashed on it would crash again on every replay. Each pair is
registered per payload class in ``CHECKS`` and ``APPLIES`` (:class:`stream.handlers.ByPayload`).
"""

from __future__ import annotations

from stream.events import (
    DISPATCHABLE,
    AlertAcknowledged,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    IncidentNoted,
    MutualAidDeclined,
    MutualAidGranted,
    MutualAidRequested,
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
from stream.mutualaid import MutualAid
from stream.picture.model import COMMITTED, Incident, IncidentStatus, Unit
from stream.picture.state import PictureState
from stream.trust import RESERVED_PREFIX

#: Why an event cannot be accepted now (None: it can), per payload class.
CHECKS: ByPayload[PictureState, Validated, str | None] = ByPayload()
#: What a recorded event changes, per payload class.
APPLIES: ByPayload[PictureState, Recorded, None] = ByPayload()


def _open_incident(picture: PictureState, incident_id: str) -> tuple[Incident | None, str | None]:
    incident = picture.incidents.get(incident_id)
    if incident is None:
        return None, f"unknown incident {incident_id}"
    if incident.status is IncidentStatus.CLOSED:
        return None, f"incident {incident_id} is closed"
    return incident, None


def _known_unit(picture: PictureState, unit_id: str) -> tuple[Unit | None, str | None]:
    unit = picture.units.get(unit_id)
    return (unit, None) if unit is not None else (None, f"unknown unit {unit_id}")


@CHECKS.register(IncidentCreated)
def _check_created(picture: PictureState, v: Validated, data: IncidentCreated) -> str | None:
    if data.incident_id in picture.incidents:
        return f"incident {data.incident_id} already exists"
    if v.bcu is None:
        return f"incident {data.incident_id} is not in a Met BCU"
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
def _check_graded(picture: PictureState, v: Validated, data: IncidentGraded) -> str | None:
    return _open_incident(picture, data.incident_id)[1]


@APPLIES.register(IncidentGraded)
def _apply_graded(picture: PictureState, r: Recorded, data: IncidentGraded) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    if incident is not None:
        picture.set_incident(incident, grade=data.grade)
        incident.graded_history.append((r.event.time, data.grade))
        picture.track_immediate(incident)


@CHECKS.register(IncidentAssigned)
def _check_assigned(picture: PictureState, v: Validated, data: IncidentAssigned) -> str | None:
    incident, reason = _open_incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is off duty"
    if unit.incident_id == data.incident_id:
        return f"unit {unit.unit_id} is already assigned to incident {data.incident_id}"
    if unit.incident_id is not None:
        return f"unit {unit.unit_id} is committed to incident {unit.incident_id}"
    return None


@APPLIES.register(IncidentAssigned)
def _apply_assigned(picture: PictureState, r: Recorded, data: IncidentAssigned) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    unit = picture.units.get(data.unit_id)
    if incident is None or unit is None:
        return
    picture.release(unit, UnitStatus.EN_ROUTE)
    unit.incident_id = incident.incident_id
    incident.units.append(unit.unit_id)
    if incident.first_unit is None:
        incident.first_unit = unit.unit_id
        incident.assigned_at = r.event.time
    picture.restatus(incident)
    picture.rearm_incident(incident)


@CHECKS.register(IncidentArrived)
def _check_arrived(picture: PictureState, v: Validated, data: IncidentArrived) -> str | None:
    incident, reason = _open_incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.incident_id != data.incident_id:
        return f"unit {unit.unit_id} is not assigned to incident {data.incident_id}"
    if unit.status is UnitStatus.ON_SCENE:
        return f"unit {unit.unit_id} is already on scene at incident {data.incident_id}"
    return None


@APPLIES.register(IncidentArrived)
def _apply_arrived(picture: PictureState, r: Recorded, data: IncidentArrived) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    unit = picture.units.get(data.unit_id)
    if incident is None or unit is None or unit.incident_id != data.incident_id:
        return
    picture.set_unit(unit, UnitStatus.ON_SCENE)
    if incident.arrived_at is None:
        incident.arrived_at = r.event.time
    picture.restatus(incident)


@CHECKS.register(IncidentClosed)
def _check_closed(picture: PictureState, v: Validated, data: IncidentClosed) -> str | None:
    return _open_incident(picture, data.incident_id)[1]


@APPLIES.register(IncidentClosed)
def _apply_closed(picture: PictureState, r: Recorded, data: IncidentClosed) -> None:
    incident, _ = _open_incident(picture, data.incident_id)
    if incident is None:
        return
    for unit_id in incident.units:
        unit = picture.units.get(unit_id)
        if unit is not None:
            unit.incident_id = None
            picture.set_unit(unit, UnitStatus.AVAILABLE)
            picture.side_effects.append((r.seq, "unit", unit_id))
    incident.units.clear()
    picture.set_incident(incident, IncidentStatus.CLOSED)
    incident.closed_at = r.event.time
    incident.outcome = data.outcome
    picture.retire(incident)
    picture.rearm_incident(incident)


@CHECKS.register(IncidentNoted)
def _check_noted(picture: PictureState, v: Validated, data: IncidentNoted) -> str | None:
    # A closed incident still takes notes (the result of enquiries) while the picture has it.
    if data.incident_id not in picture.incidents:
        return f"unknown incident {data.incident_id}"
    return None


@APPLIES.register(IncidentNoted)
def _apply_noted(picture: PictureState, r: Recorded, data: IncidentNoted) -> None:
    """Nothing in the picture changes: the note lives in the log, which is the timeline."""


@CHECKS.register(AlertAcknowledged)
def _check_acknowledged(picture: PictureState, v: Validated, data: AlertAcknowledged) -> str | None:
    if data.incident_id is not None and data.incident_id not in picture.incidents:
        return f"unknown incident {data.incident_id}"
    seen = picture.acknowledged.get(data.key)
    if seen is not None:
        return f"alert {data.key} was acknowledged by {seen[1]} at {seen[0]:%H:%M:%S} UTC"
    return None


@APPLIES.register(AlertAcknowledged)
def _apply_acknowledged(picture: PictureState, r: Recorded, data: AlertAcknowledged) -> None:
    picture.acknowledged[data.key] = (r.event.time, data.by)


@CHECKS.register(UnitOnDuty)
def _check_on_duty(picture: PictureState, v: Validated, data: UnitOnDuty) -> str | None:
    unit = picture.units.get(data.unit_id)
    if unit is not None and unit.status is not UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is already on duty"
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
def _check_off_duty(picture: PictureState, v: Validated, data: UnitOffDuty) -> str | None:
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is not None and unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is already off duty"
    return reason


@APPLIES.register(UnitOffDuty)
def _apply_off_duty(picture: PictureState, r: Recorded, data: UnitOffDuty) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture.release(unit, UnitStatus.OFF_DUTY)


@CHECKS.register(UnitStatusChanged)
def _check_status(picture: PictureState, v: Validated, data: UnitStatusChanged) -> str | None:
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if data.status is UnitStatus.OFF_DUTY:
        return "use unit.off_duty to take a unit off duty"
    if data.status in COMMITTED:
        return f"status {data.status.value} comes from incident.assigned or incident.arrived"
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is off duty"
    return None


@APPLIES.register(UnitStatusChanged)
def _apply_status(picture: PictureState, r: Recorded, data: UnitStatusChanged) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture.release(unit, data.status)


@CHECKS.register(UnitLocated)
def _check_located(picture: PictureState, v: Validated, data: UnitLocated) -> str | None:
    return None if data.unit_id in picture.units else f"unknown unit {data.unit_id}"


@APPLIES.register(UnitLocated)
def _apply_located(picture: PictureState, r: Recorded, data: UnitLocated) -> None:
    # ~90% of all traffic: a position changes no count, so touch nothing else.
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        unit.lat, unit.lon, unit.fix_at, unit.borough = data.lat, data.lon, r.event.time, r.borough


@CHECKS.register(UnitRedeployed)
def _check_redeployed(picture: PictureState, v: Validated, data: UnitRedeployed) -> str | None:
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status is UnitStatus.OFF_DUTY:
        return f"unit {unit.unit_id} is off duty"
    if unit.bcu == data.bcu:
        return f"unit {unit.unit_id} is already deployed to {data.bcu}"
    return None


@APPLIES.register(UnitRedeployed)
def _apply_redeployed(picture: PictureState, r: Recorded, data: UnitRedeployed) -> None:
    unit = picture.units.get(data.unit_id)
    if unit is not None:
        picture.set_unit(unit, bcu=data.bcu)


# -- mutual aid (stream.mutualaid) ----------------------------------------------------------


def _by_check(v: Validated, by: str) -> str | None:
    """Mutual aid is asked for and decided by people, through the API, as themselves."""
    if v.event.source != RESERVED_PREFIX + by:
        return f"mutual aid is recorded through the API by the person named in by ({by})"
    return None


@CHECKS.register(MutualAidRequested)
def _check_aid_requested(
    picture: PictureState, v: Validated, data: MutualAidRequested
) -> str | None:
    if data.request_id in picture.mutual_aid:
        return f"mutual aid request {data.request_id} already exists"
    incident, reason = _open_incident(picture, data.incident_id)
    if incident is None:
        return reason
    unit, reason = _known_unit(picture, data.unit_id)
    if unit is None:
        return reason
    if unit.status not in DISPATCHABLE:
        return f"unit {unit.callsign} is {unit.status.value.replace('_', ' ')}, not available"
    if unit.bcu != data.from_bcu or incident.bcu != data.to_bcu:
        return (
            f"unit {unit.callsign} is deployed to {unit.bcu} and incident "
            f"{incident.incident_id} is in {incident.bcu}, not {data.from_bcu} and {data.to_bcu}"
        )
    return _by_check(v, data.by)


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


def _check_answer(
    picture: PictureState, v: Validated, data: MutualAidGranted | MutualAidDeclined
) -> str | None:
    request = picture.mutual_aid.get(data.request_id)
    if request is None:
        return f"no open mutual aid request {data.request_id} (answered already, or unknown)"
    if (request.incident_id, request.unit_id) != (data.incident_id, data.unit_id):
        return (
            f"mutual aid request {data.request_id} is for {request.unit_id} "
            f"to {request.incident_id}"
        )
    return _by_check(v, data.by)


@CHECKS.register(MutualAidGranted)
def _check_aid_granted(picture: PictureState, v: Validated, data: MutualAidGranted) -> str | None:
    return _check_answer(picture, v, data)


@CHECKS.register(MutualAidDeclined)
def _check_aid_declined(picture: PictureState, v: Validated, data: MutualAidDeclined) -> str | None:
    return _check_answer(picture, v, data)


@APPLIES.register(MutualAidGranted)
def _apply_aid_granted(picture: PictureState, r: Recorded, data: MutualAidGranted) -> None:
    picture.mutual_aid.pop(data.request_id, None)


@APPLIES.register(MutualAidDeclined)
def _apply_aid_declined(picture: PictureState, r: Recorded, data: MutualAidDeclined) -> None:
    picture.mutual_aid.pop(data.request_id, None)
