"""Bad input on every write route: 422 with a message a person can read, nothing changed,
and the attempt in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api
from tests.stream.factories import OUTSIDE, POINTS, incident_created

UNIT = "{unit}"
INCIDENT = "{incident}"

# (user, path, JSON body or form, what the message must mention)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("chief", f"/api/units/{UNIT}/assignment", {}, "incident_id"),
    ("chief", f"/api/units/{UNIT}/assignment", {"incident_id": ""}, "incident_id"),
    ("chief", f"/api/units/{UNIT}/assignment", {"incident_id": "x", "extra": 1}, "extra"),
    ("chief", f"/api/units/{UNIT}/assignment", {"incident_id": ["x"]}, "incident_id"),
    ("chief", f"/api/units/{UNIT}/redeployment", {"bcu": "ZZ", "reason": "x"}, "BCU"),
    ("chief", f"/api/units/{UNIT}/redeployment", {"bcu": "NE"}, "reason"),
    ("chief", f"/api/units/{UNIT}/redeployment", {"bcu": "NE", "reason": "x" * 201}, "reason"),
    ("chief", f"/api/units/{UNIT}/status", {"status": "asleep"}, "status"),
    ("chief", f"/api/units/{UNIT}/status", {"status": None}, "status"),
    ("chief", f"/api/incidents/{INCIDENT}/closure", {}, "outcome"),
    ("chief", f"/api/incidents/{INCIDENT}/closure", {"outcome": ""}, "outcome"),
    ("feed", "/api/events", {"specversion": "1.0"}, "id"),
    ("feed", "/api/events", incident_created("bad-1", grade="X"), "grade"),
    ("feed", "/api/events", incident_created("bad-2", lat=OUTSIDE[0], lon=OUTSIDE[1]), "outside"),
]


@pytest.mark.parametrize("user,path,body,mentions", CASES)
def test_bad_command_or_event_is_422_changes_nothing_and_is_audited(
    api: Api, user: str, path: str, body: dict[str, Any], mentions: str
) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    target = path.format(unit=unit, incident=incident)
    with api.client("chief") as chief:
        before = chief.get("/api/picture").json()
    with api.client(user) as client:
        answer = client.post(target, json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and mentions.lower() in detail.lower()
    with api.client("chief") as chief:
        after = chief.get("/api/picture").json()
    # The recommender records its advice meanwhile (advice.offered moves seq on): what a
    # refused request could have changed is the incidents and units.
    held = ("incidents", "units")
    assert [after[k] for k in held] == [before[k] for k in held], "a refused request changed it"
    entries = [e for e in api.audit(actor=user, outcome="invalid") if e["status"] == 422]
    assert entries and mentions.lower() in str(entries[0]["detail"]).lower()


def test_a_body_that_is_not_json_is_422(api: Api) -> None:
    with api.client("feed") as feed:
        answer = feed.post(
            "/api/events", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        empty = feed.post("/api/events", json=[])
    assert answer.status_code == 422 and "not JSON" in answer.json()["detail"]
    assert empty.status_code == 422


def test_a_batch_answers_per_event_and_keeps_the_good_ones(api: Api) -> None:
    good = incident_created(api.fresh("ok"), lat=POINTS["NW"][0], lon=POINTS["NW"][1])
    bad = incident_created(api.fresh("bad"), grade="Z")
    with api.client("feed") as feed:
        answer = feed.post("/api/events", json=[good, bad, good])
    assert answer.status_code == 422
    body = answer.json()
    assert body["counts"] == {"accepted": 1, "duplicate": 1, "rejected": 1}
    verdicts = [r["verdict"] for r in body["results"]]
    assert verdicts == ["accepted", "rejected", "duplicate"]
    assert "grade" in body["results"][1]["reason"]
    with api.client("plan") as planner:
        found = planner.get(f"/api/incidents/{good['data']['incident_id']}")
    assert found.status_code == 200


def test_bad_sign_in_input_is_422_and_a_wrong_password_401_both_audited(api: Api) -> None:
    with api.client() as anonymous:
        missing = anonymous.post("/api/token", data={"username": "chief"})
        wrong = anonymous.post("/api/token", data={"username": "chief", "password": "nope"})
    assert missing.status_code == 422 and "password" in missing.json()["detail"]
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    failed = api.audit(action="signin.token", outcome="failed")
    assert failed[0]["actor"] == "chief" and failed[0]["status"] == 401
    invalid = api.audit(action="signin.token", outcome="invalid")
    assert invalid and invalid[0]["status"] == 422
