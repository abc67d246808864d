"""Mutual aid through the API: an inspector asks for another BCU's unit, a commander grants
(the unit is assigned) or declines; every step is an event in the log and an audit entry,
and the open requests are in the advice every screen gets."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.api.conftest import Api


def _open_requests(api: Api, until: Any) -> list[dict[str, Any]]:
    """The advice's open requests, once ``until(requests)`` holds (advice is recomputed at
    most once a second)."""
    deadline = time.monotonic() + 20
    with api.client("chief") as chief:
        while True:
            found = list(chief.get("/api/advice").json()["mutual_aid"])
            if until(found):
                return found
            assert time.monotonic() < deadline, found
            time.sleep(0.2)


def _request(api: Api, unit: str, incident: str, user: str = "insp_aw") -> httpx.Response:
    with api.client(user) as inspector:
        return inspector.post(
            "/api/mutual-aid",
            json={"incident_id": incident, "unit_id": unit, "reason": "nearest unit"},
        )


def test_an_inspector_asks_and_a_commander_grants_which_assigns_the_unit(api: Api) -> None:
    unit, incident = api.unit("NE"), api.incident("AW")
    asked = _request(api, unit, incident)
    assert asked.status_code == 200, asked.text
    request_id = asked.json()["request_id"]
    open_ = _open_requests(api, lambda found: any(a["request_id"] == request_id for a in found))
    mine = next(a for a in open_ if a["request_id"] == request_id)
    assert (mine["from_bcu"], mine["to_bcu"], mine["by"]) == ("NE", "AW", "insp_aw")

    with api.client("insp_aw") as inspector:
        refused = inspector.post(f"/api/mutual-aid/{request_id}/grant")
    assert refused.status_code == 403 and "commander" in refused.json()["detail"]
    with api.client("chief") as chief:
        granted = chief.post(f"/api/mutual-aid/{request_id}/grant")
        assert granted.status_code == 200, granted.text
        unit_now = chief.get(f"/api/units/{unit}").json()["unit"]
        again = chief.post(f"/api/mutual-aid/{request_id}/grant")
    assert (unit_now["status"], unit_now["incident_id"]) == ("en_route", incident)
    assert again.status_code == 404

    events = api.moments(incident)
    kinds = [e["type"] for e in events]
    assert kinds[-3:] == ["mutual_aid.requested", "incident.assigned", "mutual_aid.granted"]
    requested, assigned, grant = events[-3:]
    assert requested["source"] == "bluelamp-api/insp_aw"
    assert requested["data"] | {"request_id": request_id} == {
        "request_id": request_id,
        "incident_id": incident,
        "unit_id": unit,
        "from_bcu": "NE",
        "to_bcu": "AW",
        "reason": "nearest unit",
        "by": "insp_aw",
    }
    assert assigned["source"] == grant["source"] == "bluelamp-api/chief"
    assert grant["data"]["assignment_seq"] == granted.json()["assignment_seq"]
    _open_requests(api, lambda found: all(a["request_id"] != request_id for a in found))

    grants = api.audit(action="mutual_aid.grant")
    decided = {(e["actor"], e["outcome"], e["target"]) for e in grants}
    assert ("chief", "ok", request_id) in decided  # the grant
    assert ("chief", "ok", unit) in decided  # the assignment it made
    assert ("insp_aw", "denied", f"/api/mutual-aid/{request_id}/grant") in decided
    asked_entries = api.audit(actor="insp_aw", action="mutual_aid.request")
    assert [e["outcome"] for e in asked_entries if e["target"] == unit] == ["ok"]


def test_a_commander_declines_with_a_reason_and_the_unit_stays_put(api: Api) -> None:
    unit, incident = api.unit("NE"), api.incident("AW")
    request_id = _request(api, unit, incident).json()["request_id"]
    with api.client("chief") as chief:
        declined = chief.post(
            f"/api/mutual-aid/{request_id}/decline", json={"reason": "Stratford disorder"}
        )
        assert declined.status_code == 200, declined.text
        assert chief.get(f"/api/units/{unit}").json()["unit"]["status"] == "available"
    last = api.moments(incident)[-1]
    assert last["type"] == "mutual_aid.declined"
    assert last["data"]["reason"] == "Stratford disorder" and last["data"]["by"] == "chief"


def test_who_may_ask(api: Api) -> None:
    near, far, incident = api.unit("AW"), api.unit("NE"), api.incident("AW")
    own = _request(api, near, incident)
    assert own.status_code == 409 and "assign" in own.json()["detail"]
    assert _request(api, far, incident, user="plan").status_code == 403
    assert _request(api, far, incident, user="wall").status_code == 403
    missing = _request(api, "no-such-unit", incident)
    assert missing.status_code == 404 and "no-such-unit" in missing.json()["detail"]


def test_me_says_which_units_the_caller_may_command(api: Api) -> None:
    expected = {"chief": "all", "insp_aw": "own_bcu", "plan": "none", "wall": "none"}
    for user, reach in expected.items():
        with api.client(user) as client:
            assert client.get("/api/me").json()["commands"] == reach, user


def test_a_busy_or_diverted_unit_may_be_asked_for_an_emergency_and_granted(api: Api) -> None:
    """What the recommender offers an I-grade call (a busy unit; a unit on its way to a
    lower-grade call) may be asked for across a border; for an E-grade call a busy unit
    may not (for an S-grade one it may: stream.sending)."""
    busy, driving = api.unit("NE"), api.unit("NE")
    emergency, routine, other = api.incident("AW"), api.incident("AW", "E"), api.incident("NE", "S")
    with api.client("chief") as chief:
        assert chief.post(f"/api/units/{busy}/status", json={"status": "busy"}).status_code == 200
    api.assigned(driving, other)
    refused = _request(api, busy, routine)
    assert refused.status_code == 409 and "is busy, not available" in refused.json()["detail"]
    for unit in (busy, driving):
        asked = _request(api, unit, emergency)
        assert asked.status_code == 200, asked.text
        with api.client("chief") as chief:
            granted = chief.post(f"/api/mutual-aid/{asked.json()['request_id']}/grant")
            assert granted.status_code == 200, granted.text
            now = chief.get(f"/api/units/{unit}").json()["unit"]
        assert (now["status"], now["incident_id"]) == ("en_route", emergency)
    with api.client("chief") as chief:
        left = chief.get(f"/api/incidents/{other}").json()["incident"]
    assert (left["status"], left["units"], left["first_unit"]) == ("open", [], None)
    made = [e for e in api.audit(action="mutual_aid.grant") if e["target"] == driving]
    assert [e["detail"].get("diverted_from") for e in made] == [other]
