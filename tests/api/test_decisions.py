"""Decision support over HTTP: units ranked for an incident (each figure recomputed from the
units' and incident's own records with the scalar travel time), move-ups and cover, what-if
with no side effect, who may ask, and the live advice carrying the recommender's answer."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from geodata.travel import CrowFliesModel
from tests.api.conftest import Api
from tests.stream.factories import (
    incident_arrived,
    incident_assigned,
    incident_created,
    unit_location,
    unit_off_duty,
    unit_on_duty,
    unit_status,
)

TRAVEL = CrowFliesModel()
WIDE = "since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z"


def _get(api: Api, user: str, path: str) -> Any:
    with api.client(user) as client:
        answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_units_for_an_incident_are_ranked_with_etas_and_margins_that_recompute(api: Api) -> None:
    units = [api.unit("SE"), api.unit("SE"), api.unit("SE", "ARV")]
    incident = api.incident("SE")
    answer = _get(api, "insp_ne", f"/api/incidents/{incident}/recommendations")
    assert answer["incident_id"] == incident and answer["grade"] == "I"
    now = datetime.fromisoformat(answer["as_of"])
    record = _get(api, "chief", f"/api/incidents/{incident}")["incident"]
    target = datetime.fromisoformat(record["created_at"]).timestamp() + 15 * 60
    suggested = {s["unit_id"]: s for s in answer["suggestions"]}
    assert set(units) <= set(suggested) or len(suggested) == 5
    for unit_id in units:
        if unit_id not in suggested:
            continue
        unit = _get(api, "chief", f"/api/units/{unit_id}")["unit"]
        eta = TRAVEL.seconds(
            unit["lat"], unit["lon"], record["lat"], record["lon"], unit["unit_type"], now
        )
        s = suggested[unit_id]
        assert s["eta_s"] == round(eta)
        assert abs(s["margin_s"] - (target - now.timestamp() - eta)) <= 1
        assert s["reasons"] and "inside the target" in s["reasons"][0]
        assert 0 <= s["cover_after"] <= s["cover_before"] <= 1
    costs = [s["cost"] for s in answer["suggestions"]]
    assert costs == sorted(costs)
    best = min(
        TRAVEL.seconds(*_where(api, u), record["lat"], record["lon"], "IRV", now) for u in units[:2]
    )
    assert answer["best_eta_s"] <= round(best)
    assert answer["send_within_s"] == answer["seconds_left"] - answer["best_eta_s"]


def _where(api: Api, unit_id: str) -> tuple[float, float]:
    unit = _get(api, "chief", f"/api/units/{unit_id}")["unit"]
    return unit["lat"], unit["lon"]


def test_who_may_ask_and_what_cannot_be_ranked(api: Api) -> None:
    incident = api.incident("NW")
    path = f"/api/incidents/{incident}/recommendations"
    for user in ("plan", "wall", "feed"):
        with api.client(user) as client:
            assert client.get(path).status_code == 403, user
    with api.client("chief") as chief:
        missing = chief.get("/api/incidents/NOPE-1/recommendations")
        assert missing.status_code == 404 and "no incident" in missing.json()["detail"]
        routine = api.incident("NW", grade="E")
        no_target = chief.get(f"/api/incidents/{routine}/recommendations")
        assert no_target.status_code == 409 and "no attendance target" in no_target.json()["detail"]
        closed = chief.post(f"/api/incidents/{incident}/closure", json={"outcome": "resolved"})
        assert closed.status_code == 200, closed.text
        gone = chief.get(path)
        assert gone.status_code == 409 and "closed" in gone.json()["detail"]


def test_moves_cover_and_breaches_cover_every_bcu_and_list_waiting_calls(api: Api) -> None:
    api.unit("WA")
    incident = api.incident("WA")
    answer = _get(api, "wall", "/api/recommendations/moves")
    codes = {"AS", "AW", "CE", "CN", "EA", "NA", "NE", "NW", "SE", "SN", "SW", "WA"}
    assert set(answer["cover"]) == codes == set(answer["expected_breaches"])
    assert all(0 <= v <= 1 for v in answer["cover"].values())
    assert incident in [c["incident_id"] for c in answer["calls"]]
    sends = [c["send_within_s"] for c in answer["calls"] if c["send_within_s"] is not None]
    assert sends == sorted(sends)  # the queue in order of time to breach
    for move in answer["moves"]:
        assert move["gain"] >= 0.05 and move["cover_after"] > move["cover_before"]


def test_what_if_changes_nothing_and_says_what_sending_a_unit_costs(api: Api) -> None:
    unit, incident = api.unit("EA"), api.incident("EA")
    before = _get(api, "chief", "/api/picture")["seq"]
    with api.client("insp_ne") as inspector:
        sent = inspector.post("/api/whatif", json={"unit_id": unit, "incident_id": incident})
        moved = inspector.post("/api/whatif", json={"unit_id": unit, "bcu": "wa"})
        neither = inspector.post("/api/whatif", json={"unit_id": unit})
        ghost = inspector.post("/api/whatif", json={"unit_id": "NOPE", "bcu": "AW"})
    assert sent.status_code == 200, sent.text
    ea = sent.json()["bcus"]["EA"]
    assert ea["after"] <= ea["before"]
    assert moved.status_code == 200, moved.text
    assert moved.json()["bcus"]["WA"]["after"] >= moved.json()["bcus"]["WA"]["before"]
    assert neither.status_code == 422 and "either" in neither.text
    assert ghost.status_code == 404
    # The recommender's ledger may record advice meanwhile (advice.offered), nothing else.
    after = _get(api, "chief", "/api/picture")["seq"]
    logged = _get(api, "chief", f"/api/replay/events?after={before}&at={after}")["events"]
    assert {r["event"]["type"] for r in logged} <= {"advice.offered"}, logged
    assert _get(api, "chief", f"/api/units/{unit}")["unit"]["status"] == "available"
    with api.client("plan") as planner:
        assert planner.post("/api/whatif", json={"unit_id": unit, "bcu": "AW"}).status_code == 403


def test_the_live_advice_carries_the_recommender_s_answer(api: Api) -> None:
    api.unit("SW")
    incident = api.incident("SW")
    deadline = time.monotonic() + 30
    while True:
        advice = _get(api, "wall", "/api/advice")
        found = advice.get("recommendations") or {}
        if incident in [c["incident_id"] for c in found.get("calls", [])]:
            break
        assert time.monotonic() < deadline, "the recommender never reached the advice"
        time.sleep(0.5)
    assert found["seq"] <= advice["seq"]


def _a_move(api: Api) -> dict[str, Any]:
    """A move-up the recommender offers of a unit outside NE (insp_ne's BCU)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        moves = _get(api, "chief", "/api/recommendations/moves")["moves"]
        found = [m for m in moves if m["from_bcu"] != "NE" and m.get("advice_id")]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError("no move-up was offered for units bunched in one place")


def _until_waiting(api: Api, user: str, path: str, body: Any = None) -> httpx.Response:
    """POST ``path`` until the offer it names is in the picture (it is recorded a moment
    after the recommender shows it): the first answer that is not 404."""
    deadline = time.monotonic() + 30
    with api.client(user) as client:
        while True:
            answer = client.post(path, json=body)
            if answer.status_code != 404 or time.monotonic() > deadline:
                return answer
            time.sleep(0.3)


def test_a_move_up_is_recorded_and_decided_once_by_a_person_who_commands_the_unit(api: Api) -> None:
    for _ in range(6):  # bunched in one place: moving some of them gains cover
        api.unit("EA")
    move = _a_move(api)
    path = f"/api/recommendations/{move['advice_id']}"
    with api.client("insp_ne") as other_bcu:
        refused = other_bcu.post(f"{path}/acceptance")
    assert refused.status_code in (403, 404), refused.text  # 404 only if not recorded yet
    taken = _until_waiting(api, "chief", f"{path}/acceptance")
    assert taken.status_code == 200, taken.text
    with api.client("chief2") as second:
        again = second.post(f"{path}/dismissal", json={"reason": "too late"})
    assert again.status_code == 404 and "waiting for a decision" in again.json()["detail"]
    audit = api.audit(action="advice.accept")
    assert any(e["target"] == move["advice_id"] and e["outcome"] == "ok" for e in audit)
    with api.client("chief") as chief:
        log = chief.get(f"/api/units/{move['unit_id']}").json()
    assert log["unit"]["unit_id"] == move["unit_id"]


def test_a_call_s_best_unit_is_recorded_as_advice_in_the_incident_s_log(api: Api) -> None:
    api.unit("SN")
    incident = api.incident("SN")
    deadline = time.monotonic() + 60
    while True:
        timeline = _get(api, "chief", f"/api/incidents/{incident}")["timeline"]
        offered = [t for t in timeline if t["event"]["type"] == "advice.offered"]
        if offered:
            break
        assert time.monotonic() < deadline, "the best unit was never recorded as advice"
        time.sleep(0.5)
    data = offered[0]["event"]["data"]
    assert offered[0]["event"]["source"] == "bluelamp-api/recommender"
    assert data["kind"] == "assignment" and data["incident_id"] == incident
    recs = _get(api, "chief", f"/api/incidents/{incident}/recommendations")
    assert data["unit_id"] in [s["unit_id"] for s in recs["suggestions"]]


def test_the_ledger_shows_commanders_what_became_of_the_advice_and_the_planner_counts_it(
    api: Api,
) -> None:
    for _ in range(6):
        api.unit("NA")
    move = _a_move(api)
    path = f"/api/recommendations/{move['advice_id']}"
    answer = _until_waiting(api, "chief", f"{path}/dismissal", {"reason": "keeping cover here"})
    assert answer.status_code in (200, 404), answer.text
    outcome = "dismissed" if answer.status_code == 200 else None
    deadline = time.monotonic() + 30
    while True:
        # Advice carries the picture's time (here the factories' day): a window that holds it.
        ledger = _get(api, "chief", f"/api/recommendations/ledger?{WIDE}")["entries"]
        mine = [e for e in ledger if e["advice_id"] == move["advice_id"]]
        if mine and (outcome is None or mine[0]["outcome"] == outcome):
            break
        assert time.monotonic() < deadline, "the ledger never showed the move-up"
        time.sleep(0.5)
    if outcome:
        assert (
            mine[0]["outcome_by"] == "chief" and mine[0]["dismiss_reason"] == "keeping cover here"
        )
    assert mine[0]["kind"] == "move" and mine[0]["unit_id"] == move["unit_id"]
    with api.client("plan") as planner:
        assert planner.get("/api/recommendations/ledger").status_code == 403
        day = mine[0]["offered_at"][:10]
        report = planner.get(f"/api/reports/advice?from={day}&to={day}")
    assert report.status_code == 200, report.text
    tables = {t["name"]: t for t in report.json()["tables"]}
    counted = {(r[0], r[1]): r[2] for r in tables["by_outcome"]["rows"]}
    moves = [
        e
        for e in _get(api, "chief", f"/api/recommendations/ledger?{WIDE}&limit=5000")["entries"]
        if e["kind"] == "move" and e["offered_at"][:10] == day
    ]
    for result in ("accepted", "dismissed", "expired", "open"):
        assert counted[("move-up", result)] == sum(e["outcome"] == result for e in moves), result


def test_an_inspector_is_offered_no_unit_that_may_not_go_and_sees_which_need_mutual_aid(
    api: Api,
) -> None:
    """Signed in as AW's inspector: off-duty, committed and stood-down units are never
    offered; another BCU's unit may be (advice for any BCU), carrying its BCU, which with
    /api/me's ``own_bcu`` marks it as one to ask mutual aid for: assigning it is refused."""
    lat, lon = 51.5185, -0.1760  # Paddington, AW: away from the other tests' units
    near = {"lat": lat + 0.001, "lon": lon}
    names = ("OWN", "OFF", "TO_I", "TO_S", "MEAL", "CE")
    ids = {name: api.fresh(f"AW-{name}-") for name in names}
    api.push(*(unit_on_duty(ids[n], home_bcu="CE" if n == "CE" else "AW", **near) for n in names))
    other = api.fresh("AW-I")
    lesser = api.fresh("AW-S")
    api.push(
        unit_off_duty(ids["OFF"]),
        unit_status(ids["MEAL"], "refreshment"),
        incident_created(other, "I", lat=lat, lon=lon + 0.002),
        incident_created(lesser, "S", lat=lat, lon=lon + 0.002),
        incident_assigned(other, ids["TO_I"]),
        incident_assigned(lesser, ids["TO_S"]),
    )
    incident = api.fresh("AW-I")
    api.push(incident_created(incident, "I", lat=lat, lon=lon))
    answer = _get(api, "insp_aw", f"/api/incidents/{incident}/recommendations")
    offered = {s["unit_id"]: s for s in answer["suggestions"]}
    never = {ids[n] for n in ("OFF", "TO_I", "TO_S", "MEAL")}
    assert not never & set(offered), answer["suggestions"]
    assert ids["OWN"] in offered and ids["CE"] in offered
    for unit_id, s in offered.items():
        unit = _get(api, "chief", f"/api/units/{unit_id}")["unit"]
        assert unit["status"] in ("available", "at_station", "busy") and s["diverted_from"] is None
        assert s["bcu"] == unit["bcu"]
    me = _get(api, "insp_aw", "/api/me")
    assert me["commands"] == "own_bcu" and me["bcu"] == "AW"
    assert offered[ids["CE"]]["bcu"] == "CE" and offered[ids["OWN"]]["bcu"] == "AW"
    with api.client("insp_aw") as inspector:
        sent = {"incident_id": incident}
        theirs = inspector.post(f"/api/units/{ids['CE']}/assignment", json=sent)
        assert theirs.status_code == 403, theirs.text
        aid = {"incident_id": incident, "unit_id": ids["CE"], "reason": "nearest to the call"}
        asked = inspector.post("/api/mutual-aid", json=aid)
        assert asked.status_code == 200, asked.text


def test_a_diversion_the_recommender_advises_is_accepted_and_its_call_waits_again(
    api: Api,
) -> None:
    """An I-grade call about to breach with no free unit near: the recommender advises the
    unit driving past to an S-grade call; assigned as advised, it is accepted (the rules'
    diversion), the S-grade call waits again with no first unit and the I-grade call has it."""
    lat, lon = 51.4927, -0.2240  # Hammersmith, AW: away from the other tests' units
    driving, lesser, urgent = api.fresh("AW-DIV-"), api.fresh("AW-S"), api.fresh("AW-I")
    api.push(
        unit_on_duty(driving, home_bcu="AW", lat=lat, lon=lon),
        incident_created(lesser, "S", lat=lat + 0.03, lon=lon),
        incident_assigned(lesser, driving),
    )
    as_of = datetime.fromisoformat(_get(api, "chief", "/api/picture")["kpis"]["as_of"])
    # Created 14 minutes ago (event time): a minute to its target, which only a unit already
    # there (the one driving past) can make.
    created = (as_of - timedelta(minutes=14)).isoformat()
    api.push(incident_created(urgent, "I", lat=lat, lon=lon, time=created))
    answer = _get(api, "insp_aw", f"/api/incidents/{urgent}/recommendations")
    advised = [s for s in answer["suggestions"] if s["unit_id"] == driving]
    assert advised and advised[0]["diverted_from"] == lesser, answer["suggestions"]
    assert any("which waits again" in r for r in advised[0]["reasons"])
    with api.client("insp_aw") as inspector:
        sent = inspector.post(f"/api/units/{driving}/assignment", json={"incident_id": urgent})
    assert sent.status_code == 200, sent.text
    audited = [e for e in api.audit(action="unit.assign") if e["target"] == driving]
    assert audited[0]["detail"]["diverted_from"] == lesser  # the audit says which call waits
    unit = _get(api, "chief", f"/api/units/{driving}")["unit"]
    assert (unit["status"], unit["incident_id"]) == ("en_route", urgent)
    left = _get(api, "chief", f"/api/incidents/{lesser}")["incident"]
    assert (left["status"], left["units"], left["first_unit"]) == ("open", [], None)
    taken = _get(api, "chief", f"/api/incidents/{urgent}")["incident"]
    assert (taken["status"], taken["units"], taken["first_unit"]) == (
        "assigned",
        [driving],
        driving,
    )


def test_a_unit_at_an_e_grade_appointment_may_leave_it_for_an_emergency_over_http(
    api: Api,
) -> None:
    """Four minutes to an I-grade call's target, the only unit near it on scene at an E-grade
    appointment beside it: advised ("leaves the E-grade call it is at"), assigned, accepted;
    the audit names the appointment, which waits for another unit with its arrival kept."""
    lat, lon = 51.4850, -0.2050  # Fulham, AW: away from the other tests' units
    there, appointment, urgent = api.fresh("AW-APPT-"), api.fresh("AW-E"), api.fresh("AW-I")
    api.push(
        unit_on_duty(there, home_bcu="AW", lat=lat, lon=lon),
        incident_created(appointment, "E", lat=lat, lon=lon),
        incident_assigned(appointment, there),
        incident_arrived(appointment, there),
    )
    as_of = datetime.fromisoformat(_get(api, "chief", "/api/picture")["kpis"]["as_of"])
    created = (as_of - timedelta(minutes=11)).isoformat()
    api.push(incident_created(urgent, "I", lat=lat + 0.002, lon=lon, time=created))
    answer = _get(api, "insp_aw", f"/api/incidents/{urgent}/recommendations")
    advised = [s for s in answer["suggestions"] if s["unit_id"] == there]
    assert advised and advised[0]["diverted_from"] == appointment, [
        (s["unit_id"], s["eta_s"], s["margin_s"]) for s in answer["suggestions"]
    ]
    assert any("leaves the E-grade call it is at" in r for r in advised[0]["reasons"])
    with api.client("insp_aw") as inspector:
        sent = inspector.post(f"/api/units/{there}/assignment", json={"incident_id": urgent})
    assert sent.status_code == 200, sent.text
    audited = [e for e in api.audit(action="unit.assign") if e["target"] == there]
    assert audited[0]["detail"]["diverted_from"] == appointment
    left = _get(api, "chief", f"/api/incidents/{appointment}")["incident"]
    assert (left["status"], left["units"], left["first_unit"]) == ("open", [], there)


def test_a_unit_running_late_is_backed_up_and_the_advice_recorded(
    api: Api,
) -> None:
    """An I-grade call whose only unit has crawled 600 m in six minutes: by its progress it
    arrives long after the target. The recommender advises the ranking's best unit for the
    call as a back-up (its reasons say why), records it (advice.offered, kind backup), and
    a commander sends it beside the first."""
    scene, set_off = (51.522, -0.212), (51.55, -0.17)  # North Kensington, AW; Kilburn
    late, near, urgent = api.fresh("AW-LATE-"), api.fresh("AW-NEAR-"), api.fresh("AW-I")
    api.push(unit_on_duty(late, home_bcu="AW", lat=set_off[0], lon=set_off[1]))
    as_of = datetime.fromisoformat(_get(api, "chief", "/api/picture")["kpis"]["as_of"])
    sent = (as_of - timedelta(minutes=6)).isoformat()
    api.push(
        incident_created(urgent, "I", lat=scene[0], lon=scene[1], time=sent),
        incident_assigned(urgent, late, time=sent),
        unit_location(late, set_off[0] - 0.005, set_off[1] + 0.002, time=as_of.isoformat()),
        unit_on_duty(near, home_bcu="AW", lat=scene[0], lon=scene[1]),
    )
    backup, others = _until_backed_up(api, urgent)
    # The ranking's best for the call, as for any, of the units no back-up for a call
    # nearer its target took (other tests' calls share this picture).
    chosen = backup["suggestion"]["unit_id"]
    ranked = _get(api, "chief", f"/api/incidents/{urgent}/recommendations")["suggestions"]
    taken = {b["suggestion"]["unit_id"] for b in others}
    assert chosen == next(s["unit_id"] for s in ranked if s["unit_id"] not in taken)
    assert late not in [s["unit_id"] for s in ranked]
    assert backup["running_late"]["unit_id"] == late
    assert backup["running_late"]["margin_s"] < 0 <= backup["suggestion"]["margin_s"]
    assert "after the target" in backup["reasons"][0]
    timeline = _get(api, "chief", f"/api/incidents/{urgent}")["timeline"]
    offered = [t["event"]["data"] for t in timeline if t["event"]["type"] == "advice.offered"]
    assert [(o["kind"], o["unit_id"]) for o in offered] == [("backup", chosen)]
    assert offered[0]["advice_id"] == backup["advice_id"]
    with api.client("chief") as commander:
        assigned = commander.post(f"/api/units/{chosen}/assignment", json={"incident_id": urgent})
    assert assigned.status_code == 200, assigned.text
    taken = _get(api, "chief", f"/api/incidents/{urgent}")["incident"]
    assert taken["units"] == [late, chosen]


def _until_backed_up(api: Api, incident_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The back-up advised for the incident, and those before it in the same advice."""
    deadline = time.monotonic() + 60
    while True:
        latest = _get(api, "chief", "/api/recommendations/moves")
        ids = [b["incident_id"] for b in latest["backups"]]
        if incident_id in ids and latest["backups"][ids.index(incident_id)].get("advice_id"):
            at = ids.index(incident_id)
            return latest["backups"][at], latest["backups"][:at]
        assert time.monotonic() < deadline, latest["backups"]
        time.sleep(0.5)
