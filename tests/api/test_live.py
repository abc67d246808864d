"""The live feed over a real WebSocket: a snapshot, then every event once and in order;
resuming with ``since`` gets exactly what was missed; a slow client is dropped, not waited
for; no credential, the wrong role or a foreign Origin gets nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.api.conftest import PASSWORD, USERS, Api
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream.factories import POINTS, incident_created, unit_location


def _ws(api: Api | LiveServer, user_token: str, max_queue: int | None = 16, **params: Any) -> Any:
    url = api.server.ws_url if isinstance(api, Api) else api.ws_url
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return connect(
        f"{url}?{query}" if query else url,
        additional_headers={"Authorization": f"Bearer {user_token}"},
        max_size=None,
        max_queue=max_queue,
    )


async def _frame(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout)))


async def _events_until(ws: ClientConnection, last_seq: int, timeout: float = 20) -> list[int]:
    """The seqs of every event received until ``last_seq`` is among them."""
    seqs: list[int] = []
    deadline = time.monotonic() + timeout
    while not seqs or seqs[-1] < last_seq:
        frame = await _frame(ws, max(0.1, deadline - time.monotonic()))
        if frame["type"] == "events":
            seqs.extend(e["seq"] for e in frame["events"])
            assert frame["seq"] == frame["events"][-1]["seq"]
    return seqs


def _pings(api: Api, unit: str, n: int) -> list[dict[str, Any]]:
    lat, lon = POINTS["AW"]
    return [
        unit_location(unit, lat + i * 1e-5, lon, source="live", id=api.fresh("p")) for i in range(n)
    ]


async def test_snapshot_then_every_live_event_in_order(api: Api) -> None:
    unit = api.unit("AW")
    async with _ws(api, api.token("plan")) as ws:
        snapshot = await _frame(ws)
        assert snapshot["type"] == "snapshot"
        assert unit in {u["unit_id"] for u in snapshot["picture"]["units"]}
        start = snapshot["seq"]
        results = await asyncio.to_thread(api.push, *_pings(api, unit, 50))
        last = results[-1]["seq"]
        seqs = await _events_until(ws, last)
    assert seqs == list(range(start + 1, last + 1)), "a gap or a repeat in the live feed"


async def test_reconnecting_with_since_gets_exactly_what_was_missed(api: Api) -> None:
    unit = api.unit("AW")
    async with _ws(api, api.token("insp_aw")) as ws:
        seen = (await _frame(ws))["seq"]
    missed = await asyncio.to_thread(api.push, *_pings(api, unit, 30))
    async with _ws(api, api.token("insp_aw"), since=seen) as ws:
        first = await _frame(ws)
        assert first["type"] == "events", "a recent since resumes without a snapshot"
        seqs = [e["seq"] for e in first["events"]]
        if seqs[-1] < missed[-1]["seq"]:
            seqs += await _events_until(ws, missed[-1]["seq"])
        live = await asyncio.to_thread(api.push, *_pings(api, unit, 5))
        seqs += await _events_until(ws, live[-1]["seq"])
    # The recommender may record advice (advice.offered) among the pings, even in the
    # frame that carries the last ping: every seq up to it, each once and in order.
    assert [s for s in seqs if s <= live[-1]["seq"]] == list(range(seen + 1, live[-1]["seq"] + 1))
    replayed = [e["seq"] for e in first["events"] if e["event"]["type"] == "unit.location"]
    assert replayed and replayed == [m["seq"] for m in missed][: len(replayed)]


async def test_cloudevents_extras_come_back_live_and_replayed_as_sent(api: Api) -> None:
    unit = api.unit("AW")
    sent = _pings(api, unit, 1)[0] | {
        "subject": unit,
        "datacontenttype": "application/json; charset=utf-8",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "hops": 2,
    }
    async with _ws(api, api.token("plan")) as ws:
        start = (await _frame(ws))["seq"]
        seq = (await asyncio.to_thread(api.push, sent))[0]["seq"]
        live = await _event_at(ws, seq)
    async with _ws(api, api.token("plan"), since=start) as ws:
        replayed = await _event_at(ws, seq)
    assert live == replayed == sent


async def _event_at(ws: ClientConnection, seq: int) -> dict[str, Any]:
    while True:
        frame = await _frame(ws)
        found = [e["event"] for e in frame.get("events", []) if e["seq"] == seq]
        if found:
            return dict(found[0])


async def test_a_since_far_behind_or_ahead_gets_a_snapshot(api: Api) -> None:
    async with _ws(api, api.token("plan"), since=10**9) as ws:
        frame = await _frame(ws)
    assert frame["type"] == "snapshot" and frame["seq"] < 10**9


async def test_a_token_in_the_query_works_and_the_wrong_role_or_none_is_refused(
    api: Api,
) -> None:
    async with connect(f"{api.server.ws_url}?token={api.token('chief')}") as ws:
        assert (await _frame(ws))["type"] == "snapshot"
    for token, code, name in (("", 4401, "unauthorized"), (api.token("feed"), 4403, "forbidden")):
        async with connect(f"{api.server.ws_url}?token={token}") as ws:
            frame = await _frame(ws)
            assert frame == {"type": "error", "code": name, "reason": frame["reason"]}
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == code
    denied = api.audit(actor="feed", outcome="denied")
    assert any(e["target"] == "/ws" for e in denied)


async def test_a_page_from_another_origin_is_refused_in_the_handshake(api: Api) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            f"{api.server.ws_url}?token={api.token('chief')}", origin="http://evil.example"
        ):
            pass
    assert refused.value.response.status_code == 403
    denied = api.audit(action="live", outcome="denied")
    assert any("evil.example" in e["detail"]["reason"] and e["status"] == 403 for e in denied)
    own = f"http://127.0.0.1:{api.server.port}"
    async with connect(f"{api.server.ws_url}?token={api.token('chief')}", origin=own) as ws:
        assert (await _frame(ws))["type"] == "snapshot"


@pytest.fixture
def small_queue_server(tmp_path: Path) -> Any:
    server = LiveServer(
        {
            "BLUELAMP_WS_QUEUE_LIMIT": "2000",
            "BLUELAMP_INGEST_BATCH": "200",
            "BLUELAMP_WS_SEND_TIMEOUT_S": "1",
            "BLUELAMP_WS_HEARTBEAT_S": "0.5",
            "BLUELAMP_LOGIN_ATTEMPTS": "1000",
        },
        tmp_path,
    )
    from api.accounts import Accounts
    from api.database import open_database

    accounts = Accounts(open_database(migrated(server.env["BLUELAMP_DATABASE_URL"])))
    for name in ("plan", "feed"):
        accounts.add(name, PASSWORD, *USERS[name])
    server.start()
    yield server
    server.stop()


def _token(server: LiveServer, user: str) -> str:
    answer = httpx.post(f"{server.url}/api/token", data={"username": user, "password": PASSWORD})
    return str(answer.json()["access_token"])


async def test_a_slow_client_is_dropped_and_does_not_delay_a_fast_one(
    small_queue_server: LiveServer,
) -> None:
    server = small_queue_server
    plan, feed = _token(server, "plan"), _token(server, "feed")
    slow = _stuck_client(server, plan)
    total, summary = 0, "x" * 200  # bulky events fill the slow socket sooner (~15 MB)
    batches, size = 30, 1_000
    # The fast client reads all the time, in its own task, with no cap on what its library
    # buffers: on a busy machine a client that stops reading while the test posts is a slow
    # client, and the server is right to drop it.
    async with _ws(server, plan, max_queue=None) as fast:
        start = (await _frame(fast))["seq"]
        reading = asyncio.create_task(_events_until(fast, start + batches * size, timeout=180))
        async with httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {feed}"}, timeout=60
        ) as client:
            for batch in range(batches):
                events = [
                    incident_created(
                        f"slow-{batch}-{i}", "S", *POINTS["CN"], summary=summary, id=f"s{batch}-{i}"
                    )
                    for i in range(size)
                ]
                answer = await client.post("/api/events", json=events)
                assert answer.status_code == 200, answer.text
                total += len(events)
        # All of it reaches the fast client while the slow one has not read a byte: had
        # the fan-out waited for the slow socket, this would never complete.
        seqs = await reading
    assert seqs == list(range(start + 1, start + total + 1))
    # Dropped: the server stops feeding it, and once what was already in flight drains,
    # hangs up (the close frame itself cannot get through a full socket).
    slow.settimeout(30)
    while chunk := slow.recv(1 << 20):
        assert len(chunk) > 0
    slow.close()
    metrics = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {plan}"})
    assert 'bluelamp_websocket_dropped_total{reason="too_slow"} 1.0' in metrics.text
    assert "bluelamp_websocket_clients 0.0" in metrics.text


def _stuck_client(server: LiveServer, token: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then reads nothing, with a small
    receive buffer (set before connecting, so the kernel cannot grow it). Client libraries
    keep reading into memory of their own, so this one is done by hand."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.connect(("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):  # a byte at a time: leave the frames unread
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


async def test_a_quiet_feed_sends_heartbeats(small_queue_server: LiveServer) -> None:
    async with _ws(small_queue_server, _token(small_queue_server, "plan")) as ws:
        snapshot = await _frame(ws)
        beat = await _frame(ws, timeout=5)
    assert beat["type"] == "heartbeat" and beat["seq"] == snapshot["seq"]
    assert beat["time"].endswith("Z")


async def test_frames_carry_the_state_of_everything_the_events_changed(api: Api) -> None:
    unit, incident = api.unit("AW"), api.incident("AW")
    async with _ws(api, api.token("chief")) as ws:
        await _frame(ws)
        with api.client("chief") as chief:
            chief.post(f"/api/units/{unit}/assignment", json={"incident_id": incident})
            closed = chief.post(f"/api/incidents/{incident}/closure", json={"outcome": "done"})
        state: dict[str, dict[str, Any]] = {"incidents": {}, "units": {}}
        seqs = []
        while not seqs or seqs[-1] < closed.json()["seq"]:
            frame = await _frame(ws)
            if frame["type"] == "events":
                seqs += [e["seq"] for e in frame["events"]]
                for kind in ("incidents", "units"):
                    state[kind].update(frame["state"][kind])
                assert frame["kpis"]["seq"] >= frame["seq"]
    # The close names only the incident; the unit it released comes with it all the same.
    assert state["incidents"][incident]["status"] == "closed"
    assert state["units"][unit]["status"] == "available"
    assert state["units"][unit]["incident_id"] is None
    assert state["incidents"][incident]["hex"].startswith("88")


async def test_advice_that_falls_due_after_the_last_event_still_arrives(api: Api) -> None:
    """Advice is recomputed at most once a second, so the frame of an event that came
    moments after the last computation carries the advice from before it. With nothing
    after it on the feed, the advice that includes it must still come, on its own."""
    async with _ws(api, api.token("plan")) as ws:
        await _frame(ws)  # the snapshot's advice was computed just now
        first, second = api.incident("AW"), api.incident("AW")
        deadline = time.monotonic() + 8  # a heartbeat is 15 s away: not what brings it
        waiting: set[str] = set()
        while second not in waiting:
            frame = await _frame(ws, max(0.1, deadline - time.monotonic()))
            assert frame["type"] != "heartbeat", "the feed went quiet without the advice"
            if frame.get("advice"):
                waiting = {w["incident_id"] for w in frame["advice"]["waiting"]}
    assert first in waiting


def test_advice_names_the_nearest_units_and_what_is_at_risk(api: Api) -> None:
    near, incident = api.unit("SW"), api.incident("SW")
    with api.client("plan") as planner:
        deadline = time.monotonic() + 10
        while True:
            advice = planner.get("/api/advice").json()
            waiting = {w["incident_id"]: w for w in advice["waiting"]}
            if incident in waiting:
                break
            assert time.monotonic() < deadline, "the advice never included the incident"
            time.sleep(0.3)
    entry = waiting[incident]
    assert entry["nearest"][0]["unit_id"] == near  # 100 m away; the others are far
    assert entry["nearest"][0]["eta_s"] > 0 and entry["grade"] == "I"
    assert entry["slack_s"] == entry["seconds_left"] - entry["nearest"][0]["eta_s"]
    assert {"no_irv", "i_unassigned"} >= {a["kind"] for a in advice["alerts"]}


async def _rankings(ws: ClientConnection, after_seq: int, timeout: float = 30) -> list[str]:
    """The incidents whose units the socket's advice ranks, from the first answer of the
    recommender made at or after ``after_seq``."""
    deadline = time.monotonic() + timeout
    while True:
        frame = await _frame(ws, max(0.1, deadline - time.monotonic()))
        recommendations = (frame.get("advice") or {}).get("recommendations") or {}
        if recommendations.get("seq", -1) >= after_seq:
            return [c["incident_id"] for c in recommendations["calls"]]


async def test_each_screen_s_feed_carries_the_rankings_it_shows_and_no_more(api: Api) -> None:
    """The recommender's per-call rankings are most of the advice (about 1 KB a waiting
    call): a commander's feed carries every call's, an inspector's its own BCU's, the wall's
    and a planner's none (their screens show move-ups, breaches and cover). The REST advice
    keeps them all."""
    api.unit("AW"), api.unit("NE")
    async with (
        _ws(api, api.token("chief"), max_queue=None) as chief,
        _ws(api, api.token("insp_aw"), max_queue=None) as inspector,
        _ws(api, api.token("wall"), max_queue=None) as wall,
    ):
        own, other = api.fresh("AW-I"), api.fresh("NE-I")
        created = api.push(
            incident_created(own, lat=POINTS["AW"][0] + 0.001, lon=POINTS["AW"][1]),
            incident_created(other, lat=POINTS["NE"][0] + 0.001, lon=POINTS["NE"][1]),
        )
        after = max(r["seq"] for r in created)
        assert {own, other} <= set(await _rankings(chief, after))
        seen = await _rankings(inspector, after)
        assert own in seen and other not in seen
        assert await _rankings(wall, after) == []
    with api.client("wall") as client:
        rest = client.get("/api/advice").json()["recommendations"]
    assert rest is not None and other in {c["incident_id"] for c in rest["calls"]}
