"""The incident's whole life through the API: close (inspectors too, unless the setting
keeps it for commanders), a second unit, regrade, arrival, notes, and acknowledged alerts.
Each command is role-checked, audited, and a conflict is a 409 with the reason."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.accounts import Accounts
from api.database import open_database
from tests.api.conftest import PASSWORD, Api
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream.factories import POINTS, incident_created, unit_on_duty, unit_status


def _timeline(client: httpx.Client, incident: str) -> list[dict[str, Any]]:
    return list(client.get(f"/api/incidents/{incident}").json()["timeline"])


def test_a_second_unit_joins_an_assigned_incident_and_both_arrive(api: Api) -> None:
    first, second, incident = api.unit("AW"), api.unit("AW"), api.incident("AW")
    with api.client("insp_aw") as inspector:
        for unit in (first, second):
            sent = inspector.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
            assert sent.status_code == 200, sent.text
        arrived = inspector.post(f"/api/incidents/{incident}/arrival", json={"unit_id": second})
        assert arrived.status_code == 200, arrived.text
        again = inspector.post(f"/api/incidents/{incident}/arrival", json={"unit_id": second})
        assert again.status_code == 409 and "already on scene" in again.json()["detail"]
        detail = inspector.get(f"/api/incidents/{incident}").json()
    assert detail["incident"]["units"] == [first, second]
    assert detail["incident"]["status"] == "on_scene"
    kinds = [(e["type"], e["data"].get("unit_id")) for e in api.moments(incident)]
    assert kinds[1:] == [
        ("incident.assigned", first),
        ("incident.assigned", second),
        ("incident.arrived", second),
    ]
    outcomes = [
        e["outcome"]
        for e in api.audit(actor="insp_aw", action="incident.arrive")
        if e["target"] == incident
    ]
    assert outcomes == ["conflict", "ok"]  # newest first


def test_arrival_needs_the_unit_to_be_assigned_there(api: Api) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    with api.client("chief") as chief:
        early = chief.post(f"/api/incidents/{incident}/arrival", json={"unit_id": unit})
        unknown = chief.post(f"/api/incidents/{incident}/arrival", json={"unit_id": "NOPE"})
    assert early.status_code == 409 and "is not assigned to incident" in early.json()["detail"]
    assert unknown.status_code == 404


def test_regrade_moves_the_target_and_refuses_the_same_grade(api: Api) -> None:
    incident = api.incident("AW", grade="S")
    with api.client("insp_aw") as inspector:
        up = inspector.post(f"/api/incidents/{incident}/grade", json={"grade": "I"})
        assert up.status_code == 200, up.text
        same = inspector.post(f"/api/incidents/{incident}/grade", json={"grade": "I"})
        bad = inspector.post(f"/api/incidents/{incident}/grade", json={"grade": "X"})
        now = inspector.get(f"/api/incidents/{incident}").json()["incident"]
    assert same.status_code == 409 and "already grade I" in same.json()["detail"]
    assert bad.status_code == 422
    assert now["grade"] == "I"
    created = now["created_at"]
    assert now["target_at"] > created and now["graded_history"][-1][1] == "I"


def test_a_note_goes_on_the_incident_log_with_who_wrote_it(api: Api) -> None:
    incident = api.incident("AW")
    with api.client("insp_aw") as inspector:
        noted = inspector.post(
            f"/api/incidents/{incident}/notes", json={"text": "caller rang back"}
        )
        assert noted.status_code == 200, noted.text
        empty = inspector.post(f"/api/incidents/{incident}/notes", json={"text": ""})
        control = inspector.post(f"/api/incidents/{incident}/notes", json={"text": "a\nb"})
        closed = inspector.post(f"/api/incidents/{incident}/closure", json={"outcome": "no trace"})
        assert closed.status_code == 200, closed.text
        later = inspector.post(f"/api/incidents/{incident}/notes", json={"text": "PNC checked"})
        timeline = _timeline(inspector, incident)
    assert empty.status_code == control.status_code == 422
    assert later.status_code == 200, "a closed incident still takes notes"
    notes = [t["event"] for t in timeline if t["event"]["type"] == "incident.noted"]
    assert [n["data"] for n in notes] == [
        {"incident_id": incident, "text": "caller rang back", "by": "insp_aw"},
        {"incident_id": incident, "text": "PNC checked", "by": "insp_aw"},
    ]
    assert notes[0]["source"] == "bluelamp-api/insp_aw"
    noted_entries = api.audit(actor="insp_aw", action="incident.note", outcome="ok")
    assert [e["target"] for e in noted_entries[:2]] == [incident, incident]


def test_an_inspector_acts_only_on_their_bcus_incidents_and_is_told_why(api: Api) -> None:
    incident = api.incident("AW")
    with api.client("insp_ne") as inspector:
        answers = [
            inspector.post(f"/api/incidents/{incident}/closure", json={"outcome": "x"}),
            inspector.post(f"/api/incidents/{incident}/grade", json={"grade": "S"}),
            inspector.post(f"/api/incidents/{incident}/notes", json={"text": "x"}),
        ]
    for answer in answers:
        assert answer.status_code == 403
        assert "is in AW; an inspector of NE" in answer.json()["detail"]
    denied = {e["action"] for e in api.audit(actor="insp_ne", outcome="denied")}
    assert {"incident.close", "incident.regrade", "incident.note"} <= denied


def test_closing_twice_is_a_conflict(api: Api) -> None:
    incident = api.incident("AW")
    with api.client("chief") as chief:
        first = chief.post(f"/api/incidents/{incident}/closure", json={"outcome": "arrest"})
        second = chief.post(f"/api/incidents/{incident}/closure", json={"outcome": "arrest"})
    assert first.status_code == 200 and second.status_code == 409
    assert "is closed" in second.json()["detail"]


def _wait_for(api: Api, found: Callable[[dict[str, Any]], Any]) -> Any:
    """Advice is recomputed at most once a second: wait until it shows what is expected."""
    deadline = time.monotonic() + 30
    with api.client("chief") as chief:
        while True:
            advice = chief.get("/api/advice").json()
            if result := found(advice):
                return result
            assert time.monotonic() < deadline, advice
            api.push(unit_status(_ticker(api), "busy"))  # the picture moves: advice follows
            time.sleep(0.2)


_TICKERS: dict[int, str] = {}


def _ticker(api: Api) -> str:
    """A dog unit in SN whose status changes move the picture (and so the advice) on."""
    if id(api) not in _TICKERS:
        _TICKERS[id(api)] = api.unit("SN", unit_type="DOG")
    return _TICKERS[id(api)]


def _alert(key: str, listed: str = "alerts") -> Callable[[dict[str, Any]], Any]:
    return lambda advice: next((a for a in advice[listed] if a["key"] == key), None)


def test_an_acknowledged_alert_leaves_the_active_list_and_a_new_breach_alerts_again(
    api: Api,
) -> None:
    key = "no_irv:WA"  # no test puts an IRV in WA but this one
    _wait_for(api, _alert(key))
    with api.client("insp_aw") as aw:
        other = aw.post("/api/alerts/acknowledgement", json={"key": key})
    assert other.status_code == 403 and "acknowledges only AW" in other.json()["detail"]
    with api.client("chief") as chief:
        done = chief.post("/api/alerts/acknowledgement", json={"key": key})
        assert done.status_code == 200, done.text
        twice = chief.post("/api/alerts/acknowledgement", json={"key": key})
        unknown = chief.post("/api/alerts/acknowledgement", json={"key": "no_irv:XX"})
    assert twice.status_code == 409 and "acknowledged by chief" in twice.json()["detail"]
    assert unknown.status_code == 404
    seen = _wait_for(api, _alert(key, "acknowledged"))
    assert seen["acknowledged_by"] == "chief" and seen["acknowledged_at"]
    assert api.audit(actor="chief", action="alert.acknowledge", outcome="ok")[0]["target"] == key
    # An IRV comes on duty in WA: the shortage is over. When it goes busy, a new one alerts.
    irv = api.unit("WA")
    _wait_for(api, lambda a: not _alert(key)(a) and not _alert(key, "acknowledged")(a))
    with api.client("chief") as chief:
        assert chief.post(f"/api/units/{irv}/status", json={"status": "busy"}).status_code == 200
    again = _wait_for(api, _alert(key))
    assert "acknowledged_by" not in again


# -- the setting -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def commanders_close(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server where policy keeps closing incidents for commanders."""
    workdir = tmp_path_factory.mktemp("policy")
    url = migrated(f"sqlite:///{workdir}/bluelamp.sqlite3")
    accounts = Accounts(open_database(url))
    accounts.add("insp_aw", PASSWORD, "inspector", "AW")
    accounts.add("chief", PASSWORD, "commander")
    accounts.add("feed", PASSWORD, "feed")
    server = LiveServer(
        {"BLUELAMP_DATABASE_URL": url, "BLUELAMP_INSPECTORS_MAY_CLOSE": "false"}, workdir
    ).start()
    yield server
    server.stop()


def _as(server: LiveServer, user: str) -> httpx.Client:
    token = httpx.post(
        f"{server.url}/api/token", data={"username": user, "password": PASSWORD}
    ).json()["access_token"]
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})


def test_with_the_setting_off_only_commanders_close(commanders_close: LiveServer) -> None:
    lat, lon = POINTS["AW"]
    with _as(commanders_close, "feed") as feed:
        pushed = feed.post(
            "/api/events",
            json=[incident_created("P1", lat=lat, lon=lon), unit_on_duty("PU", lat=lat, lon=lon)],
        )
        assert pushed.status_code == 200, pushed.text
    with _as(commanders_close, "insp_aw") as inspector:
        refused = inspector.post("/api/incidents/P1/closure", json={"outcome": "x"})
        noted = inspector.post("/api/incidents/P1/notes", json={"text": "still theirs to note"})
    assert refused.status_code == 403
    assert "BLUELAMP_INSPECTORS_MAY_CLOSE" in refused.json()["detail"]
    assert noted.status_code == 200
    with _as(commanders_close, "chief") as chief:
        assert chief.post("/api/incidents/P1/closure", json={"outcome": "x"}).status_code == 200


def test_the_setting_is_on_by_default(tmp_path: Path) -> None:
    from api.settings import ApiSettings

    assert ApiSettings().inspectors_may_close is True
