"""The command layer without a server: what each request becomes for its caller on a picture,
or the refusal (status, audit outcome, reason) the routes answer with."""

from __future__ import annotations

from api.audit import AuditOutcome
from api.commanding import mutual_aid, orders
from api.commanding.bodies import Acknowledgement, AidRequest, Assignment, Closure, Note, Regrade
from api.commanding.orders import Command, Refusal
from api.commanding.submission import precheck, refusal_of
from api.security import Principal, Role
from stream.events import EventType, UnitStatus
from stream.objection import Kind
from stream.outcome import Outcome, Verdict
from stream.picture import Picture, fold
from tests.stream.factories import Events, recorded

OUT_OF_SCOPE, CONFLICT = Kind.OUT_OF_SCOPE, Kind.CONFLICT
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
    assigned = orders.assign("U1", Assignment(incident_id="I1"))
    assert assigned == Command(
        "U1", EventType.INCIDENT_ASSIGNED, {"incident_id": "I1", "unit_id": "U1"}
    )
    noted = orders.note(INSP_AW, "I2", Note(text="enquiries done"))
    assert noted.data["by"] == "insp_aw"
    assert _precheck(_picture(), INSP_AW, noted) is None  # closed: still noted


def test_what_is_no_event_rule_is_refused_in_the_api() -> None:
    picture = _picture()
    no_closing = orders.close(INSP_AW, "I1", Closure(outcome="done"), False)
    _refused(no_closing, 403, AuditOutcome.DENIED, "only commanders close")
    en_route = orders.set_status(picture, "U1", UnitStatus.EN_ROUTE)
    _refused(en_route, 422, AuditOutcome.INVALID, "assignment")
    early = orders.set_status(picture, "U1", UnitStatus.ON_SCENE)
    _refused(early, 409, AuditOutcome.CONFLICT, "AW1 is not assigned to an incident")
    nowhere = orders.set_status(picture, "NOPE", UnitStatus.ON_SCENE)
    _refused(nowhere, 404, AuditOutcome.INVALID, "unknown unit NOPE")
    grade = picture.incidents["I1"].grade
    same = orders.regrade(picture, CHIEF, "I1", Regrade(grade=grade))
    _refused(same, 409, AuditOutcome.CONFLICT, f"already grade {grade.value}")
    # Another BCU's incident: not told its grade, but refused for the BCU before sending.
    theirs = orders.regrade(picture, INSP_NE, "I1", Regrade(grade=grade))
    assert isinstance(theirs, Command)
    _refused(_precheck(picture, INSP_NE, theirs), 403, AuditOutcome.DENIED, "inspector of NE")


def test_the_pictures_rules_refuse_before_sending_with_the_status_of_their_kind() -> None:
    picture = _picture()
    unknown = _precheck(picture, CHIEF, orders.assign("NOPE", Assignment(incident_id="I1")))
    _refused(unknown, 404, AuditOutcome.INVALID, "unknown unit NOPE")
    other_bcu = _precheck(picture, INSP_NE, orders.assign("U1", Assignment(incident_id="I1")))
    _refused(other_bcu, 403, AuditOutcome.DENIED, "inspector of NE")
    closure = orders.close(CHIEF, "I2", Closure(outcome="done"), True)
    assert isinstance(closure, Command)
    _refused(_precheck(picture, CHIEF, closure), 409, AuditOutcome.CONFLICT, "I2 is closed")
    assert _precheck(picture, CHIEF, orders.assign("U1", Assignment(incident_id="I1"))) is None


def test_an_alert_acknowledged_already_is_refused_by_the_rule_naming_by_whom() -> None:
    picture = _picture()
    picture.apply(recorded(picture.seq + 1, Events().acknowledged("no_irv", "AW", by="ann")))
    seen = {"key": "no_irv:AW", "kind": "no_irv", "bcu": "AW", "acknowledged_by": "ann"}
    advice = {"alerts": [], "acknowledged": [seen]}
    again = orders.acknowledge(advice, CHIEF, Acknowledgement(key="no_irv:AW"))
    assert isinstance(again, Command)
    _refused(_precheck(picture, CHIEF, again), 409, AuditOutcome.CONFLICT, "acknowledged by ann")
    gone = orders.acknowledge(advice, CHIEF, Acknowledgement(key="no_irv:NE"))
    _refused(gone, 404, AuditOutcome.INVALID, "no active alert")


def test_with_an_idempotency_key_a_conflict_is_left_to_the_sequencer() -> None:
    """The state that refuses it may be the command's own effect: a retry's answer is the
    first one's seq, which only the log knows."""
    picture = _picture()
    closure = orders.close(CHIEF, "I2", Closure(outcome="done"), True)
    assert isinstance(closure, Command)
    assert _precheck(picture, CHIEF, closure, key="k1") is None
    unknown = orders.assign("NOPE", Assignment(incident_id="I1"))
    _refused(_precheck(picture, CHIEF, unknown, key="k1"), 404, AuditOutcome.INVALID, "NOPE")


def _precheck(
    picture: Picture, who: Principal, command: Command, key: str | None = None
) -> Refusal | None:
    event = {
        "specversion": "1.0",
        "id": "e1",
        "source": f"bluelamp-api/{who.name}",
        "type": command.type.value,
        "time": "2026-01-01T00:00:00Z",
        "data": command.data,
    }
    return precheck(picture, command, event, orders.scope_of(who), key)


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
    forbidden = Outcome(Verdict.REJECTED, "s", "1", reason="deployed to NE", kind=OUT_OF_SCOPE)
    _refused(refusal_of(command, forbidden) or command, 403, AuditOutcome.DENIED, "NE")
    unknown = Outcome(Verdict.REJECTED, "s", "1", reason="unknown unit U1", kind=Kind.UNKNOWN)
    _refused(refusal_of(command, unknown) or command, 404, AuditOutcome.INVALID, "unknown")
    rejected = Outcome(Verdict.REJECTED, "s", "1", reason="unit U1 is off duty", kind=CONFLICT)
    _refused(refusal_of(command, rejected) or command, 409, AuditOutcome.CONFLICT, "off duty")
    # No kind (the entry's signature, or an older sequencer's answer): a 409, as ever.
    unsigned = Outcome(Verdict.REJECTED, "s", "1", reason="the entry's signature does not")
    _refused(refusal_of(command, unsigned) or command, 409, AuditOutcome.CONFLICT, "signature")
    older = Outcome.from_dict(forbidden.to_dict() | {"kind": None, "forbidden": True})
    assert older.kind is OUT_OF_SCOPE
    assert refusal_of(command, Outcome(Verdict.ACCEPTED, "s", "1", seq=7)) is None
