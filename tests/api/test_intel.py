"""Incident intelligence through the API, by role: what each may see of a call's context,
that nothing personal travels on any other road (the picture, a timeline, a replay, the
live feed), and that every look at a person or a marker's text is audited."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pypdf import PdfReader
from websockets.asyncio.client import connect

from tests.api.conftest import Api
from tests.stream.factories import Events

#: What is personal in the story below: none of it may reach a screen but the context's.
NAME, BORN, NOTES = "Morwenna Quillfeather", "1987-03-14", "Frightened of uniformed officers"
MARKER_TEXT, MARKER_ADDRESS = "Shotgun licence revoked, weapon not recovered", "1 Test Street"
PERSONAL = (NAME, BORN, NOTES, MARKER_TEXT)


def _story(api: Api, bcu: str = "AW") -> tuple[str, Events]:
    """A call with a firearms marker 20 m away and a victim linked: the call's id."""
    ev = Events(source=api.fresh("intel"))
    incident_id = api.fresh(f"{bcu}-INTEL")
    marker = ev.marker_set(api.fresh("M"), bcu=bcu, text=MARKER_TEXT, offset_m=20)
    marker["data"]["address"] = MARKER_ADDRESS
    api.push(
        marker,
        ev.incident_created(incident_id, bcu=bcu),
        ev.person_linked(incident_id, name=NAME, born=BORN, notes=NOTES),
    )
    return incident_id, ev


def _context(api: Api, user: str, incident_id: str, **params: Any) -> httpx.Response:
    with api.client(user) as client:
        return client.get(f"/api/incidents/{incident_id}/context", params=params)


def _leaks(text: str) -> list[str]:
    return [p for p in PERSONAL if p in text]


def test_the_context_shows_each_role_what_it_may_see(api: Api) -> None:
    incident_id, _ = _story(api)
    full = _context(api, "chief", incident_id).json()
    assert full["sight"] == "full"
    assert [(m["marker_type"], m["text"], m["address"]) for m in full["markers"]] == [
        ("firearms", MARKER_TEXT, MARKER_ADDRESS)
    ]
    assert 19 <= full["markers"][0]["distance_m"] <= 21
    assert [(p["role"], p["name"], p["date_of_birth"], p["notes"]) for p in full["people"]] == [
        ("victim", NAME, BORN, NOTES)
    ]
    own = _context(api, "insp_aw", incident_id).json()  # the call's own BCU: all of it
    assert [own[k] for k in ("sight", "markers", "people")] == [
        full[k] for k in ("sight", "markers", "people")
    ]
    other = _context(api, "insp_ne", incident_id)
    assert other.status_code == 200 and _leaks(other.text) == []
    assert other.json()["sight"] == "warnings"
    assert [m["marker_type"] for m in other.json()["markers"]] == ["firearms"]
    assert [p["role"] for p in other.json()["people"]] == ["victim"]
    planner = _context(api, "plan", incident_id).json()
    assert planner["sight"] == "counts" and _leaks(json.dumps(planner)) == []
    assert (planner["markers"], planner["people"]) == ([], [])
    assert (planner["counts"]["markers"], planner["counts"]["people"]) == (1, 1)
    for user in ("wall", "feed"):
        assert _context(api, user, incident_id).status_code == 403
    assert _context(api, "chief", "NO-SUCH").status_code == 404
    assert _context(api, "chief", incident_id, radius_m=5).status_code == 422


def test_every_look_is_audited_once_and_a_withheld_one_as_a_denial(api: Api) -> None:
    incident_id, _ = _story(api)
    for user in ("chief", "insp_aw", "insp_ne", "plan"):
        assert _context(api, user, incident_id).status_code == 200
    rows = [r for r in api.audit(kind="view") if r["target"] == incident_id]
    assert sorted((r["actor"], r["outcome"], r["action"]) for r in rows) == [
        ("chief", "ok", "view.context"),
        ("insp_aw", "ok", "view.context"),
        ("insp_ne", "denied", "view.context"),
        ("plan", "denied", "view.context"),
    ]
    shown = next(r for r in rows if r["actor"] == "chief")
    assert shown["detail"]["shown"]["people"] == 1 and shown["client"]
    assert _leaks(json.dumps(rows)) == []  # the audit says what was seen, not what it said
    assert all(r["action"].startswith("view.") for r in api.audit(kind="view"))

    # The planner's count: by role and BCU, shown or withheld, naming no one.
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()  # the period's days
    with api.client("plan") as planner:
        answer = planner.get("/api/intel/views", params={"from": today, "to": today})
    assert answer.status_code == 200, answer.text
    counted = {(r["role"], r["bcu"], r["outcome"]): r["views"] for r in answer.json()["rows"]}
    every = api.audit(kind="view", limit=100_000)
    said = {"shown": "ok", "withheld": "denied"}
    for (role, bcu, outcome), views in counted.items():
        same = [r for r in every if (r["role"], r["detail"]["bcu"]) == (role, bcu)]
        assert views == sum(1 for r in same if r["outcome"] == said[outcome])
    assert (
        counted[("commander", "AW", "shown")] >= 1 and counted[("planner", "AW", "withheld")] >= 1
    )
    assert "chief" not in answer.text and incident_id not in answer.text


def test_nothing_personal_travels_on_any_other_road(api: Api) -> None:
    incident_id, _ = _story(api)
    for user in ("chief", "insp_aw", "insp_ne", "plan", "wall"):
        with api.client(user) as client:
            picture = client.get("/api/picture")
            assert picture.status_code == 200 and _leaks(picture.text) == []
            incident = next(
                i for i in picture.json()["incidents"] if i["incident_id"] == incident_id
            )
            assert incident["warnings"] == ["firearms"]  # the icon, for everyone watching
            if user == "wall":
                continue
            detail = client.get(f"/api/incidents/{incident_id}")
            assert detail.status_code == 200 and _leaks(detail.text) == []
            linked = [
                t["event"] for t in detail.json()["timeline"]
                if t["event"]["type"] == "incident.person_linked"
            ]  # fmt: skip
            assert [e["data"] for e in linked] == [
                {"incident_id": incident_id, "role": "victim",
                 "withheld": ["name", "date_of_birth", "notes"]}
            ]  # fmt: skip
            seq = picture.json()["seq"]
            replay = client.get("/api/replay/events", params={"after": max(0, seq - 10), "at": seq})
            assert replay.status_code == 200, replay.text
            assert _leaks(replay.text) == []


def test_the_exports_name_no_one(api: Api) -> None:
    """A debrief (commanders' and planners') says a victim was linked, never who; no report
    in any format carries a person or a marker's text."""
    incident_id, _ = _story(api)
    day = {"from": "2026-11-23", "to": "2026-11-25"}  # the story's days
    with api.client("plan") as planner:
        for name in ("demand", "response", "resources"):
            for fmt in ("json", "csv", "xlsx", "pdf"):
                answer = planner.get(f"/api/reports/{name}", params=day | {"format": fmt})
                assert answer.status_code == 200, (name, fmt, answer.text[:200])
                assert _leaks(_readable(answer.content, fmt)) == [], (name, fmt)
    for user in ("chief", "plan"):
        with api.client(user) as client:
            answer = client.get(f"/api/incidents/{incident_id}/debrief")
        assert answer.status_code == 200, answer.text
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
        assert "victim linked" in text and _leaks(text) == [], user


def _readable(body: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if body[:2] == b"PK":  # XLSX (a zip of XML parts), or a report's CSV files zipped
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return body.decode()


async def test_the_live_feed_carries_no_one_personal_to_any_screen(api: Api) -> None:
    frames: dict[str, list[str]] = {}

    async def listen(user: str, ready: asyncio.Event, done: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {api.token(user)}"}
        async with connect(api.server.ws_url, additional_headers=headers, max_size=None) as ws:
            frames[user] = [str(await ws.recv())]  # the snapshot
            ready.set()
            while not done.is_set():
                try:
                    frames[user].append(str(await asyncio.wait_for(ws.recv(), 0.5)))
                except TimeoutError:
                    continue

    users = ("chief", "insp_aw", "insp_ne", "plan", "wall")
    readies = [asyncio.Event() for _ in users]
    done = asyncio.Event()
    tasks = [asyncio.create_task(listen(u, r, done)) for u, r in zip(users, readies, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
    incident_id, _ = await asyncio.to_thread(_story, api)
    await asyncio.sleep(2)
    done.set()
    await asyncio.gather(*tasks)
    for user in users:
        text = "".join(frames[user])
        assert incident_id in text and "person_linked" in text, user
        assert _leaks(text) == [], user
