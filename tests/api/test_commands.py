"""Commands go through the sequencer: conflicts are decided there, answered 409 with the
reason; a retried command with the same Idempotency-Key is carried out once."""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx

from tests.api.conftest import Api


async def _race(api: Api, unit: str, incidents: tuple[str, str]) -> list[httpx.Response]:
    async def assign(user: str, incident: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {api.token(user)}"}
        async with httpx.AsyncClient(base_url=api.url, headers=headers, timeout=30) as client:
            return await client.post(
                f"/api/units/{unit}/assignment", json={"incident_id": incident}
            )

    return list(await asyncio.gather(assign("chief", incidents[0]), assign("chief2", incidents[1])))


def test_two_commanders_assigning_one_unit_at_once_one_wins(api: Api) -> None:
    api.token("chief"), api.token("chief2")  # signed in before the race starts
    for _ in range(5):
        unit = api.unit("CN")
        incidents = (api.incident("CN"), api.incident("CN"))
        answers = asyncio.run(_race(api, unit, incidents))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409], [a.text for a in answers]
        won = next(a for a in answers if a.status_code == 200)
        lost = next(a for a in answers if a.status_code == 409)
        assert "committed to incident" in lost.json()["detail"]
        with api.client("chief") as chief:
            seen = chief.get(f"/api/units/{unit}").json()
        assert seen["seq"] >= won.json()["seq"]
        assert seen["unit"]["status"] == "en_route"
        assert seen["unit"]["incident_id"] in incidents


def test_a_command_is_visible_at_once_and_the_log_names_who_gave_it(api: Api) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    with api.client("insp_aw") as inspector:
        answer = inspector.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
        assert answer.status_code == 200, answer.text
        seq = answer.json()["seq"]
        detail = inspector.get(f"/api/incidents/{incident}").json()
    assert detail["seq"] >= seq
    assert detail["incident"]["status"] == "assigned"
    assert detail["incident"]["units"] == [unit]
    assigned = [t for t in detail["timeline"] if t["event"]["type"] == "incident.assigned"]
    assert [t["seq"] for t in assigned] == [seq]
    assert assigned[0]["event"]["source"] == "bluelamp-api/insp_aw"
    entry = api.audit(actor="insp_aw", action="unit.assign")[0]
    assert entry["outcome"] == "ok" and entry["status"] == 200
    assert entry["detail"]["seq"] == seq and entry["target"] == unit
    assert entry["client"] == "127.0.0.1" and entry["role"] == "inspector"


def test_a_retry_with_the_same_idempotency_key_is_carried_out_once(api: Api) -> None:
    unit, incident = api.unit("AS"), api.incident("AS")
    key = {"Idempotency-Key": api.fresh("retry")}
    with api.client("chief") as chief:
        first = chief.post(
            f"/api/units/{unit}/assignment", json={"incident_id": incident}, headers=key
        )
        again = chief.post(
            f"/api/units/{unit}/assignment", json={"incident_id": incident}, headers=key
        )
        other = chief.post(f"/api/units/{unit}/status", json={"status": "busy"}, headers=key)
    moments = api.moments(incident)
    assert first.status_code == again.status_code == 200
    assert first.json()["seq"] == again.json()["seq"]
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert [e["type"] for e in moments] == ["incident.created", "incident.assigned"]
    assert other.status_code == 422
    assert "different command" in other.json()["detail"]


def test_status_changes_map_to_the_events_they_mean(api: Api) -> None:
    unit, incident = api.unit("SE"), api.incident("SE")
    with api.client("chief") as chief:
        early = chief.post(f"/api/units/{unit}/status", json={"status": "on_scene"})
        assert early.status_code == 409 and "not assigned" in early.json()["detail"]
        en_route = chief.post(f"/api/units/{unit}/status", json={"status": "en_route"})
        assert en_route.status_code == 422 and "assignment" in en_route.json()["detail"]
        chief.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
        arrived = chief.post(f"/api/units/{unit}/status", json={"status": "on_scene"})
        assert arrived.status_code == 200, arrived.text
        assert chief.get(f"/api/incidents/{incident}").json()["incident"]["status"] == "on_scene"
        closed = chief.post(f"/api/incidents/{incident}/closure", json={"outcome": "arrest"})
        assert closed.status_code == 200, closed.text
        after = chief.get(f"/api/incidents/{incident}").json()["incident"]
        assert after["status"] == "closed" and after["outcome"] == "arrest"
        assert chief.get(f"/api/units/{unit}").json()["unit"]["status"] == "available"
        off = chief.post(f"/api/units/{unit}/status", json={"status": "off_duty"})
        assert off.status_code == 200
        assert chief.get(f"/api/units/{unit}").json()["unit"]["status"] == "off_duty"
        again = chief.post(f"/api/units/{unit}/status", json={"status": "available"})
        assert again.status_code == 409 and "off duty" in again.json()["detail"]


def test_the_station_break_and_custody_statuses_are_commands_with_time_in_status(
    api: Api,
) -> None:
    unit, other = api.unit("AW"), api.unit("NE")
    with api.client("insp_aw") as inspector, api.client("plan") as planner:
        for status in ("at_station", "refreshment", "custody", "available"):
            before = inspector.get(f"/api/units/{unit}").json()["unit"]["status_since"]
            answer = inspector.post(f"/api/units/{unit}/status", json={"status": status})
            assert answer.status_code == 200, answer.text
            seen = inspector.get(f"/api/units/{unit}").json()["unit"]
            assert seen["status"] == status
            # The command's event time, stamped by the server: never before the last change.
            assert datetime.fromisoformat(seen["status_since"]) >= datetime.fromisoformat(before)
        # Roles as for every status: not another BCU's unit, and not a planner at all.
        assert (
            inspector.post(f"/api/units/{other}/status", json={"status": "custody"}).status_code
            == 403
        )
        assert (
            planner.post(f"/api/units/{unit}/status", json={"status": "refreshment"}).status_code
            == 403
        )
        wrong = inspector.post(f"/api/units/{unit}/status", json={"status": "tea"})
        assert wrong.status_code == 422 and "refreshment" in wrong.text


def test_unknown_targets_are_404_and_audited(api: Api) -> None:
    with api.client("chief") as chief:
        unit = chief.post("/api/units/NOPE/status", json={"status": "busy"})
        incident = chief.post("/api/incidents/NOPE/closure", json={"outcome": "x"})
    assert unit.status_code == incident.status_code == 404
    assert "unknown unit NOPE" in unit.json()["detail"]
    actions = {
        e["action"] for e in api.audit(actor="chief", outcome="invalid") if e["target"] == "NOPE"
    }
    assert {"unit.status", "incident.close"} <= actions


def test_a_refusal_at_sequencing_reads_as_the_one_before_sending(api: Api) -> None:
    """With an Idempotency-Key a conflict is left to the sequencer (it may be a retry's), so
    the same refusal comes from both places: the same status, words and audit."""
    unit, incident = api.unit("AW"), api.incident("AW")
    with api.client("chief") as chief:
        assert chief.post(f"/api/units/{unit}/status", json={"status": "off_duty"}).is_success
        body = {"incident_id": incident}
        early = chief.post(f"/api/units/{unit}/assignment", json=body)
        key = {"Idempotency-Key": api.fresh("sequenced")}
        late = chief.post(f"/api/units/{unit}/assignment", json=body, headers=key)
        timeline = chief.get(f"/api/incidents/{incident}").json()["timeline"]
    assert early.status_code == late.status_code == 409, (early.text, late.text)
    assert early.json()["detail"] == late.json()["detail"] == f"unit {unit} is off duty"
    assert "incident.assigned" not in [t["event"]["type"] for t in timeline]
    audited = api.audit(actor="chief", action="unit.assign")
    both = [e for e in audited if e["target"] == unit]
    assert [(e["outcome"], e["status"]) for e in both] == [("conflict", 409)] * 2
    # Only the second was sent: the sequencer refused it, so its event id is in the audit.
    assert sorted("event_id" in e["detail"] for e in both) == [False, True]
