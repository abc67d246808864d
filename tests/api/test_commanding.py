"""The command layer without a server: what each request becomes for its caller on a picture,
or the refusal (status, audit outcome, reason) the routes answer with."""

from __future__ import annotations

from api.audit import AuditOutcome
from api.commanding import mutual_aid, orders
from api.commanding.bodies import AidRequest, Assignment, Closure, Note, Regrade
from api.commanding.orders import Command, Refusal
from api.commanding.submission import refusal_of
from api.security import Principal, Role
from stream.events import EventType, UnitStatus
from stream.outcome import Outcome, Verdict
from stream.picture import Picture, fold
from tests.stream.factories import Events, recorded

CHIEF = Principal("chief", Role.COMMANDER)
INSP_AW = Principal("insp_aw", Role.INSPECTOR, "AW")
INSP_NE = Principal("insp_ne", Role.INSPECTOR, "NE")


def _picture() -> Picture:
    ev = Events()
    raws = [
        ev.on_duty("U1", "AW", callsign="AW1"),
        ev.on_duty("U2", "NE", callsign="NE2"),
        ev.incident_created("I1", bcu="AW"),
        ev.incident_created("I2", bcu="AW"),
        ev.closed("I2"),
    ]
    return fold(recorded(seq, raw) for seq, raw in enumerate(raws, 1))


def _refused(result: object, status: int, outcome: AuditOutcome, words: str) -> None:
    assert isinstance(result, Refusal), result
    assert (result.status, result.outcome) == (status, outcome), result
    assert words in result.reason, result.reason


def test_a_command_names_its_event_and_target() -> None:
    assigned = orders.assign(_picture(), INSP_AW, "U1", Assignment(incident_id="I1"))
    assert assigned == Command(
        "U1", EventType.INCIDENT_ASSIGNED, {"incident_id": "I1", "unit_id": "U1"}
    )
    noted = orders.note(_picture(), INSP_AW, "I2", Note(text="enquiries done"))
    assert isinstance(noted, Command) and noted.data["by"] == "insp_aw"  # closed: still noted


def test_refusals_before_sending_carry_the_status_the_api_answers() -> None:
    picture = _picture()
    unknown = orders.assign(picture, CHIEF, "NOPE", Assignment(incident_id="I1"))
    _refused(unknown, 404, AuditOutcome.INVALID, "no unit 'NOPE' in the live picture")
    other_bcu = orders.assign(picture, INSP_NE, "U1", Assignment(incident_id="I1"))
    _refused(other_bcu, 403, AuditOutcome.DENIED, "inspector of NE")
    closed = orders.close(picture, CHIEF, "I2", Closure(outcome="done"), True)
    _refused(closed, 409, AuditOutcome.CONFLICT, "is closed")
    no_closing = orders.close(picture, INSP_AW, "I1", Closure(outcome="done"), False)
    _refused(no_closing, 403, AuditOutcome.DENIED, "only commanders close")
    en_route = orders.set_status(picture, CHIEF, "U1", UnitStatus.EN_ROUTE)
    _refused(en_route, 422, AuditOutcome.INVALID, "assignment")
    grade = picture.incidents["I1"].grade
    same = orders.regrade(picture, CHIEF, "I1", Regrade(grade=grade))
    _refused(same, 409, AuditOutcome.CONFLICT, f"already grade {grade.value}")


def test_mutual_aid_is_for_another_bcus_unit() -> None:
    picture = _picture()
    body = AidRequest(incident_id="I1", unit_id="U2", reason="nearest")
    asked = mutual_aid.request(picture, INSP_AW, body, "R1")
    assert isinstance(asked, Command) and asked.data["from_bcu"] == "NE"
    own = AidRequest(incident_id="I1", unit_id="U1", reason="nearest")
    _refused(mutual_aid.request(picture, INSP_AW, own, "R2"), 409, AuditOutcome.CONFLICT, "AW1")
    _refused(mutual_aid.open_request(picture, "R9"), 404, AuditOutcome.INVALID, "R9")


def test_the_sequencers_outcome_maps_to_the_status_once() -> None:
    command = Command("U1", EventType.UNIT_STATUS, {"unit_id": "U1", "status": "busy"})
    invalid = Outcome(Verdict.INVALID, "s", "1", reason="status must be one of ...")
    _refused(refusal_of(command, invalid) or command, 422, AuditOutcome.INVALID, "status")
    forbidden = Outcome(Verdict.REJECTED, "s", "1", reason="deployed to NE", forbidden=True)
    _refused(refusal_of(command, forbidden) or command, 403, AuditOutcome.DENIED, "NE")
    rejected = Outcome(Verdict.REJECTED, "s", "1", reason="unit U1 is off duty")
    _refused(refusal_of(command, rejected) or command, 409, AuditOutcome.CONFLICT, "off duty")
    assert refusal_of(command, Outcome(Verdict.ACCEPTED, "s", "1", seq=7)) is None
