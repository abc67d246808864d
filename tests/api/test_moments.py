"""Past moments over HTTP: ``?at=`` a seq or a time on the picture, incidents, units, demand
and advice gives what the live server answered at that moment (recorded while a feed ran),
on PostgreSQL and on SQLite with snapshots; a time means what the log had taken by then;
no such moment is a 422 that says why; asking changes nothing live."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.conftest import Api, serving
from tests.live import LiveServer
from tests.stream.factories import Events


@pytest.fixture(scope="module")
def sqlite_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server on the embedded bus and SQLite, taking a snapshot every 7 records, so a
    past moment is a snapshot plus a replay."""
    server = LiveServer({"BLUELAMP_SNAPSHOT_EVERY": "7"}, tmp_path_factory.mktemp("moments"))
    with serving(server, server.env["BLUELAMP_DATABASE_URL"]) as api:
        yield api


@pytest.fixture(params=["postgresql", "sqlite"])
def server(request: pytest.FixtureRequest) -> Api:
    name = "api" if request.param == "postgresql" else "sqlite_api"
    found: Api = request.getfixturevalue(name)
    return found


def _story(ev: Events, tag: str) -> list[list[dict[str, Any]]]:
    """A small night in batches: units come on duty, calls come in, are sent, attended,
    closed; a unit goes busy and off duty."""
    units, calls = [f"{tag}-U{n}" for n in range(4)], [f"{tag}-C{n}" for n in range(5)]
    batches: list[list[dict[str, Any]]] = [[ev.on_duty(u) for u in units[:2]]]
    batches += [[ev.on_duty(units[2]), ev.incident_created(calls[0])]]
    batches += [[ev.incident_created(c, grade="S", bcu="NE") for c in calls[1:3]]]
    batches += [[ev.assigned(calls[0], units[0])], [ev.arrived(calls[0], units[0])]]
    batches += [[ev.on_duty(units[3]), ev.assigned(calls[1], units[1])]]
    batches += [[ev.incident_created(calls[3]), ev.incident_created(calls[4], grade="S")]]
    batches += [[ev.closed(calls[0])], [ev.status(units[0], "busy")]]
    batches += [[ev.assigned(calls[3], units[2]), ev.arrived(calls[1], units[1])]]
    batches += [[ev.off_duty(units[3])], [ev.closed(calls[1], "arrest")]]
    return batches


def _get(api: Api, path: str, user: str = "chief", **params: Any) -> httpx.Response:
    with api.client(user) as client:
        return client.get(path, params=params)


def _live(api: Api, seq_at_least: int) -> dict[str, Any]:
    """The live picture once it has applied ``seq_at_least``."""
    deadline = time.monotonic() + 10
    while True:
        answer = _get(api, "/api/picture", include_closed="true").json()
        if answer["seq"] >= seq_at_least:
            return dict(answer)
        assert time.monotonic() < deadline, f"the picture never reached seq {seq_at_least}"
        time.sleep(0.05)


def test_the_picture_at_a_past_seq_is_the_one_the_server_had_then(server: Api) -> None:
    ev = Events(source=f"moments-{uuid.uuid4().hex[:8]}")
    seen: dict[int, dict[str, Any]] = {}
    for batch in _story(ev, "P"):
        results = server.push(*batch)
        picture = _live(server, max(r["seq"] for r in results))
        seen[picture["seq"]] = picture
    for seq in random.Random(16).sample(sorted(seen), k=len(seen)):
        past = _get(server, "/api/picture", include_closed="true", at=str(seq))
        assert past.status_code == 200, past.text
        assert past.json() == seen[seq], seq
    # Open incidents only, as the live answer gives them.
    seq = sorted(seen)[len(seen) // 2]
    open_now = _get(server, "/api/picture", at=str(seq)).json()["incidents"]
    assert open_now == [i for i in seen[seq]["incidents"] if i["status"] != "closed"]


def test_incidents_units_demand_and_advice_answer_for_the_moment(server: Api) -> None:
    ev = Events(source=f"moments-{uuid.uuid4().hex[:8]}")
    batches = _story(ev, "Q")
    server.push(*[e for batch in batches[:3] for e in batch])  # 3 on duty, 3 calls waiting
    then = _live(server, 0)["seq"]
    server.push(*[e for batch in batches[3:] for e in batch])
    later = _live(server, then + 1)["seq"]

    incidents = _get(server, "/api/incidents", at=str(then), bcu="NE").json()
    assert incidents["seq"] == then
    assert {i["incident_id"] for i in incidents["incidents"]} >= {"Q-C1", "Q-C2"}
    mine = [i["status"] for i in incidents["incidents"] if i["incident_id"].startswith("Q-")]
    assert mine == ["open", "open"]  # one is sent a unit later: not yet
    units = _get(server, "/api/units", at=str(then)).json()
    statuses = {u["unit_id"]: u["status"] for u in units["units"] if u["unit_id"].startswith("Q-")}
    assert statuses == {"Q-U0": "available", "Q-U1": "available", "Q-U2": "available"}
    demand = _get(server, "/api/demand", at=str(then)).json()
    assert demand["seq"] == then
    advice = _get(server, "/api/advice", at=str(then)).json()
    assert (advice["seq"], advice["version"], advice["recommendations"]) == (then, 0, None)
    waiting = {w["incident_id"] for w in advice["waiting"]}
    assert {"Q-C0", "Q-C1", "Q-C2"} <= waiting
    # Nothing of it reached the live picture: it is where the feed left it.
    live = _get(server, "/api/units").json()
    assert live["seq"] >= later
    now = {u["unit_id"]: u["status"] for u in live["units"] if u["unit_id"].startswith("Q-")}
    assert (now["Q-U0"], now["Q-U3"]) == ("busy", "off_duty"), now  # came and went since


def test_a_time_is_what_the_log_had_taken_by_then(server: Api) -> None:
    ev = Events(source=f"moments-{uuid.uuid4().hex[:8]}")
    first = server.push(ev.incident_created(f"T-{ev.source}"))[0]["seq"]
    time.sleep(0.05)
    between = datetime.now(UTC)
    time.sleep(0.05)
    second = server.push(ev.incident_created(f"T2-{ev.source}"))[0]["seq"]
    answer = _get(server, "/api/picture", at=between.isoformat())
    assert answer.status_code == 200, answer.text
    assert first <= answer.json()["seq"] < second
    ids = {i["incident_id"] for i in answer.json()["incidents"]}
    assert f"T-{ev.source}" in ids and f"T2-{ev.source}" not in ids
    zulu = _get(server, "/api/picture", at=between.isoformat().replace("+00:00", "Z"))
    assert zulu.json()["seq"] == answer.json()["seq"]


def test_no_such_moment_is_a_422_that_says_why(server: Api) -> None:
    server.push(Events(source=f"moments-{uuid.uuid4().hex[:8]}").on_duty("W-U0"))
    last = _live(server, 0)["seq"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    cases = {
        "0": "not in the log",
        str(last + 1000): "holds seqs 1 to",
        "yesterday": "neither a seq nor an RFC 3339 time",
        "2026-11-26T02:00:00": "must carry a time zone",
        future: "in the future",
        "2001-01-01T00:00:00Z": "before the log: the log begins at",
        "0001-01-01T00:00:00+01:00": "before the log: the log begins at",
        "9999-12-31T23:59:59-01:00": "in the future",
        "\u00b2": "neither a seq nor an RFC 3339 time",  # a digit to str.isdigit, not a seq
        "\u0661\u0662": "neither a seq nor an RFC 3339 time",
    }
    for path in ("/api/picture", "/api/incidents", "/api/units", "/api/demand", "/api/advice"):
        for at, why in cases.items():
            answer = _get(server, path, at=at)
            assert answer.status_code == 422, (path, at, answer.text)
            assert why in answer.json()["detail"], (path, at, answer.json())
    assert _get(server, "/api/picture", "wall", at=str(last)).status_code == 200
    assert _get(server, "/api/incidents", "wall", at=str(last)).status_code == 403
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get("/api/picture", params={"at": str(last)}).status_code == 401


def _without_hex(incident: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if incident is None else {k: v for k, v in incident.items() if k != "hex"}


def _open(picture: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A picture's open incidents and its units by id, as a screen's store keeps them."""
    incidents = {i["incident_id"]: i for i in picture["incidents"] if i["status"] != "closed"}
    return incidents, {u["unit_id"]: u for u in picture["units"]}


def test_a_replay_played_forward_shows_what_the_live_server_had_at_each_seq(server: Api) -> None:
    """The snapshot at one moment, then events frames to each later one, applied as a screen
    applies the live feed's (upsert what the frame says it touched), give the picture the
    live server had at each of those seqs; the replay's clock never goes back."""
    ev = Events(source=f"replay-{uuid.uuid4().hex[:8]}")
    seen: dict[int, dict[str, Any]] = {}
    for batch in _story(ev, "R"):
        results = server.push(*batch)
        picture = _live(server, max(r["seq"] for r in results))
        seen[picture["seq"]] = picture
    seqs = sorted(seen)
    first = _get(server, "/api/replay/snapshot", "insp_ne", at=str(seqs[0]))
    assert first.status_code == 200, first.text
    frame = first.json()
    assert (frame["type"], frame["seq"]) == ("snapshot", seqs[0])
    assert all(i["hex"] for i in frame["picture"]["incidents"])
    incidents, units = _open(frame["picture"])
    assert {k: _without_hex(v) for k, v in incidents.items()} == _open(seen[seqs[0]])[0]
    clock, after = datetime.fromisoformat(frame["time"]), seqs[0]
    for seq in seqs[1:]:
        answer = _get(server, "/api/replay/events", "insp_ne", after=after, at=str(seq))
        assert answer.status_code == 200, answer.text
        frame = answer.json()
        assert (frame["type"], frame["seq"], frame["more"]) == ("events", seq, False)
        assert [e["seq"] for e in frame["events"]] == list(range(after + 1, seq + 1))
        for ident, state in frame["state"]["incidents"].items():
            if state is None or state["status"] == "closed":
                incidents.pop(ident, None)
            else:
                incidents[ident] = state
        for ident, state in frame["state"]["units"].items():
            units[ident] = state
        want_incidents, want_units = _open(seen[seq])
        assert {k: _without_hex(v) for k, v in incidents.items()} == want_incidents, seq
        assert units == want_units, seq
        assert frame["kpis"] == seen[seq]["kpis"] | {"bcus": seen[seq]["bcus"]}, seq
        assert frame["advice"]["seq"] == seq and frame["advice"]["version"] == 0
        assert datetime.fromisoformat(frame["time"]) >= clock
        clock, after = datetime.fromisoformat(frame["time"]), seq


def test_a_replay_steps_one_event_at_a_time_and_only_forward(server: Api) -> None:
    ev = Events(source=f"replay-{uuid.uuid4().hex[:8]}")
    pushed = [r["seq"] for r in server.push(*[e for b in _story(ev, "S") for e in b])]
    start, end = pushed[0], pushed[-1]
    step = _get(server, "/api/replay/events", after=start, at=str(end), limit=1).json()
    assert [e["seq"] for e in step["events"]] == [start + 1]
    assert (step["seq"], step["more"]) == (start + 1, True)
    nothing = _get(server, "/api/replay/events", after=end, at=str(end)).json()
    assert (nothing["seq"], nothing["events"], nothing["more"]) == (end, [], False)
    back = _get(server, "/api/replay/events", after=end, at=str(start))
    assert back.status_code == 422 and "a replay plays forward" in back.json()["detail"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for path, params in (
        ("/api/replay/snapshot", {"at": future}),
        ("/api/replay/events", {"after": start, "at": "2001-01-01T00:00:00Z"}),
        ("/api/replay/events", {"after": start}),
    ):
        answer = _get(server, path, **params)
        assert answer.status_code == 422, (path, params, answer.text)
        assert answer.json()["detail"], answer.text
    assert _get(server, "/api/replay/snapshot", "feed", at=str(end)).status_code == 403
    assert _get(server, "/api/replay/snapshot", "wall", at=str(end)).status_code == 200
    advice = _get(server, "/api/replay/snapshot", "wall", at=str(end)).json()["advice"]
    assert (advice["version"], advice["recommendations"]) == (0, None)  # the ledger has them
