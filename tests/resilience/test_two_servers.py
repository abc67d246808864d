"""Two ``bluelamp serve`` processes on one Redis (a private redis-server, keeping nothing on
disk) and one PostgreSQL (behind a proxy the test can make refuse connections): London as a
production deployment runs it. A command through either server is seen by browsers on both;
the leader killed with SIGKILL, Redis restarted empty, PostgreSQL refusing for a while: after
each, every event Redis took is in the log exactly once with no gap in seq, both servers
hold the same picture, every live-feed client saw every seq once, and exactly one server
sequences, with no manual step.

Everything runs in threads beside the main one (the WebSocket clients, the feed, the
proxy): Playwright's sync API owns the main thread's event loop while a browser is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import psycopg
import pytest
import redis
from playwright.sync_api import Browser, Page
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from api.services import ACTIVE_CACHE_S
from benchmarks.probe import probed
from tests.api.conftest import PASSWORD
from tests.dashboard.conftest import add_users, sign_in
from tests.live import LiveServer
from tests.resilience.conftest import postgres_schema, through
from tests.resilience.faults import RedisServer, TcpProxy, wait_until
from tests.stream.factories import POINTS

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.browser]

DEADLINE_S = 60.0  # for anything that should happen by itself; generous for a busy machine
OUTAGE_S = 10.0  # how long PostgreSQL refuses connections
REDIS_DOWN_S = 2.0  # how long Redis is away before it comes back empty (> the lease)
# Whichever server takes the lease after each restart, by the third one a server that had
# sequenced before takes it afresh (where the group was never made again: NOGROUP).
RESTARTS = 3
FEED_PER_S = 40  # the feed's XADD rate during each drill
# A server or the database not answering yet is waited out; anything else fails at once.
TRANSIENT = (httpx.HTTPError, OSError, psycopg.Error)


def event(kind: str, data: dict[str, Any], source: str = "two-servers") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": uuid.uuid4().hex,
        "source": source,
        "type": kind,
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def on_duty(unit_id: str, bcu: str = "AW") -> dict[str, Any]:
    lat, lon = POINTS[bcu]
    data = {"unit_id": unit_id, "callsign": unit_id, "unit_type": "IRV", "home_bcu": bcu}
    return event("unit.on_duty", data | {"lat": lat, "lon": lon})


def created(incident_id: str, bcu: str = "AW") -> dict[str, Any]:
    lat, lon = POINTS[bcu]
    data = {"incident_id": incident_id, "grade": "I", "category": "violence"}
    return event("incident.created", data | {"lat": lat + 0.001, "lon": lon})


# -- the infrastructure the test controls --------------------------------------------------


class Feeder:
    """A CAD/AVL feed XADDing location pings for one unit, in a thread: ``sent`` holds the
    id of every event Redis took."""

    def __init__(self, redis_url: str, ingest: str, unit_id: str) -> None:
        self.redis = redis.Redis.from_url(redis_url)
        self.ingest = ingest
        self.unit_id = unit_id
        self.sent: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Feeder:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.redis.close()

    def wait_sent(self, count: float, what: str) -> None:
        """Until Redis has taken more than ``count`` of this feed's events."""
        wait_until(lambda: len(self.sent) > count, DEADLINE_S, what, retry_on=TRANSIENT)

    def _run(self) -> None:
        lat, lon = POINTS["AW"]
        while not self._stop.wait(1 / FEED_PER_S):
            ping = event("unit.location", {"unit_id": self.unit_id, "lat": lat, "lon": lon})
            with contextlib.suppress(redis.RedisError):  # not taken: not counted
                self.redis.xadd(self.ingest, {"event": json.dumps(ping)})
                self.sent.append(ping["id"])


@dataclass
class Watcher:
    """A live-feed client in a thread of its own, counting seqs. When its server goes away it
    resumes with ``since`` on the next one, as behind a load balancer."""

    urls: list[str]
    token: str
    start: int | None = None  # the first snapshot's seq
    seqs: list[int] = field(default_factory=list)
    snapshots: int = 0  # after the first: a resume that did not replay
    reconnects: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def last(self) -> int | None:
        return self.seqs[-1] if self.seqs else self.start

    def __enter__(self) -> Watcher:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        wait_until(
            lambda: self.start is not None,
            DEADLINE_S,
            "the live feed's first snapshot",
            retry_on=TRANSIENT,
        )
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def assert_gap_free(self, upto: int) -> None:
        assert self.start is not None
        assert self.snapshots == 0, "a resume got a snapshot instead of what it missed"
        assert self.seqs == list(range(self.start + 1, upto + 1)), (
            f"gap or repeat: from {self.start}, {len(self.seqs)} seqs, to {self.last}"
        )

    async def _run(self) -> None:
        turn = 0
        while not self._stop.is_set():
            url = self.urls[turn % len(self.urls)]
            if self.last is not None:
                url += f"?since={self.last}"
            try:
                headers = {"Authorization": f"Bearer {self.token}"}
                async with connect(url, additional_headers=headers, max_size=None) as ws:
                    while not self._stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            self._take(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                self.reconnects += 1
                turn += 1
                await asyncio.sleep(0.3)

    def _take(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            if self.start is None:
                self.start = frame["seq"]
            else:
                self.snapshots += 1
        elif frame["type"] == "events":
            self.seqs.extend(e["seq"] for e in frame["events"])


@dataclass
class Cluster:
    servers: list[LiveServer]
    redis: RedisServer
    proxy: TcpProxy
    dsn: str  # PostgreSQL itself, not through the proxy
    schema: str
    prefix: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str) -> str:
        if user not in self.tokens:
            form = {"username": user, "password": PASSWORD}
            answer = httpx.post(f"{self.servers[0].url}/api/token", data=form, timeout=30)
            assert answer.status_code == 200, answer.text
            self.tokens[user] = answer.json()["access_token"]
        return self.tokens[user]

    def call(self, server: LiveServer, method: str, path: str, user: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token(user)}", **kw.pop("headers", {})}
        return httpx.request(method, f"{server.url}{path}", headers=headers, timeout=30, **kw)

    def push(self, server: LiveServer, *events: dict[str, Any]) -> int:
        """Events in through ``server``'s HTTP ingest; all accepted; the last seq."""
        answer = self.call(server, "POST", "/api/events", "feed", json=list(events))
        assert answer.status_code == 200, answer.text
        return int(answer.json()["results"][-1]["seq"])

    def command(self, server: LiveServer, path: str, body: dict[str, Any]) -> int:
        """A commander's command through ``server``, retried with the same Idempotency-Key
        while no sequencer answers (503), as the API asks clients to; its seq."""
        key = uuid.uuid4().hex
        for _ in range(5):
            answer = self.call(
                server, "POST", path, "commander", json=body, headers={"Idempotency-Key": key}
            )
            if answer.status_code != 503:
                break
        assert answer.status_code == 200, answer.text
        return int(answer.json()["seq"])

    def picture(self, server: LiveServer) -> dict[str, Any]:
        answer = self.call(server, "GET", "/api/picture", "commander")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        options = f"-csearch_path={self.schema}"
        with psycopg.connect(self.dsn, autocommit=True, options=options) as conn:
            return list(conn.execute(query, args).fetchall())

    def last_seq(self) -> int:
        ((count, last),) = self.sql("SELECT count(*), coalesce(max(seq), 0) FROM events")
        assert count == last, f"the log's seqs have a gap: {count} rows up to seq {last}"
        return int(last)

    def wait_pictures(self, seq: int) -> None:
        for server in self.servers:
            at = partial(lambda s: self.picture(s)["seq"] == seq, server)
            wait_until(at, DEADLINE_S, f"{server.url}'s picture at seq {seq}", retry_on=TRANSIENT)

    def leader(self) -> LiveServer:
        """The one server that holds the sequencer lease (its /readyz says so)."""

        def leading() -> list[LiveServer] | None:
            found = [s for s in self.servers if "leading" in _sequencer_role(s)]
            return found if len(found) == 1 else None

        found = wait_until(leading, DEADLINE_S, "exactly one server sequencing", retry_on=TRANSIENT)
        return found[0]

    def ingest(self) -> str:
        return f"{self.prefix}:ingest"


def _sequencer_role(server: LiveServer) -> str:
    try:
        answer = httpx.get(f"{server.url}/readyz", timeout=5)
    except httpx.HTTPError:
        return "down"
    return str(answer.json()["checks"].get("sequencer", {}).get("detail"))


@pytest.fixture(scope="module")
def cluster(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("two-servers")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    target = httpx.URL(dsn.replace("postgresql://", "http://"))
    with (
        postgres_schema(postgres_url) as schema,
        RedisServer(workdir / "redis") as private,  # keeps nothing on disk
        TcpProxy(target.host, target.port or 5432) as proxy,
    ):
        env = {
            "BLUELAMP_REDIS_URL": private.url,
            "BLUELAMP_DATABASE_URL": through(postgres_url, proxy),
            "BLUELAMP_DATABASE_SCHEMA": schema,
            "BLUELAMP_KEY_PREFIX": prefix,
            "BLUELAMP_LEASE_TTL_MS": "1000",
            "BLUELAMP_LOGIN_ATTEMPTS": "1000",
            # Every event in the log is the feed's or a command's, counted and compared at a
            # seq: the recommender's own records would come between them.
            "BLUELAMP_RECORD_ADVICE": "false",
        }
        servers = [LiveServer(env, workdir), LiveServer(env, workdir)]
        try:
            add_users(servers[0])
            for server in servers:
                server.start()
            yield Cluster(servers, private, proxy, dsn, schema, prefix)
        finally:
            for server in servers:
                server.stop()


# -- what must hold after every drill -----------------------------------------------------


def assert_whole(cluster: Cluster, sent: list[str], watchers: list[Watcher]) -> int:
    """Every fed event in the log exactly once, no gap in seq, both servers' pictures at the
    log's end and equal, every watcher gap-free to it, one sequencer. The last seq."""
    assert sent, "the feed sent nothing"

    def logged() -> bool:
        rows = cluster.sql("SELECT event_id FROM events WHERE event_id = ANY(%s)", sent)
        assert len(rows) <= len(sent)
        return len(rows) == len(sent)

    wait_until(logged, DEADLINE_S, f"all {len(sent)} fed events in the log", retry_on=TRANSIENT)
    last = cluster.last_seq()
    cluster.wait_pictures(last)
    first, second = (cluster.picture(s) for s in cluster.servers)
    assert first == second, "the two servers' pictures differ"
    for watcher in watchers:
        wait_until(
            lambda w=watcher: w.last == last,
            DEADLINE_S,
            f"a live client at seq {last}",
            retry_on=TRANSIENT,
        )
        watcher.assert_gap_free(last)
    cluster.leader()
    for server in cluster.servers:
        assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
    return last


def watchers(cluster: Cluster) -> list[Watcher]:
    """Two live clients on each server (each resuming on the other one if its own dies)."""
    a, b = (s.ws_url for s in cluster.servers)
    token = cluster.token("planner")
    return [Watcher(urls, token) for urls in ([a, b], [a, b], [b, a], [b, a])]


# -- browsers ---------------------------------------------------------------------------------


def open_wall(browser: Browser, server: LiveServer) -> Page:
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-GB")
    probed(context)
    page = context.new_page()
    sign_in(page, server.url, "commander", then="/wall")
    page.wait_for_function(_safe("window.probe.live.seq > 0"))
    return page


def _safe(expression: str) -> str:
    return f"() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }}"


def wait_unit(page: Page, unit_id: str, status: str) -> None:
    page.wait_for_function(
        _safe(f"window.probe.live.units.get({json.dumps(unit_id)}).status === '{status}'"),
        timeout=DEADLINE_S * 1000,
    )


def wait_closed(page: Page, incident_id: str) -> None:
    page.wait_for_function(
        _safe(
            f"window.probe.loaded && !window.probe.live.incidents.has({json.dumps(incident_id)})"
        ),
        timeout=DEADLINE_S * 1000,
    )


def assert_page_shows(page: Page, picture: dict[str, Any]) -> None:
    """The browser's store holds the server's picture (units and open incidents)."""
    page.wait_for_function(  # a function: a bare expression is eval'd, which the CSP forbids
        _safe(f"window.probe.live.seq === {picture['seq']}"), timeout=DEADLINE_S * 1000
    )
    shown = page.evaluate(
        """() => ({units: Object.fromEntries([...window.probe.live.units].map(
                 ([id, u]) => [id, u.status])),
               incidents: Object.fromEntries([...window.probe.live.incidents].map(
                 ([id, i]) => [id, i.status]))})"""
    )
    units = {u["unit_id"]: u["status"] for u in picture["units"] if u["status"] != "off_duty"}
    incidents = {
        i["incident_id"]: i["status"] for i in picture["incidents"] if i["status"] != "closed"
    }
    assert shown == {"units": units, "incidents": incidents}


# -- the drills -------------------------------------------------------------------------------


def test_either_server_commands_both_browsers_see_it_and_the_leader_dies_losing_nothing(
    cluster: Cluster, browser: Browser
) -> None:
    a, b = cluster.servers
    u1, u2, feeder_unit = (f"U-{uuid.uuid4().hex[:6]}" for _ in range(3))
    i1, i2 = (f"I-{uuid.uuid4().hex[:6]}" for _ in range(2))
    setup = cluster.push(
        a, on_duty(u1), on_duty(u2), on_duty(feeder_unit), created(i1), created(i2)
    )
    wait_until(
        lambda: cluster.picture(b)["seq"] >= setup,
        DEADLINE_S,
        "B's picture has A's events",
        retry_on=TRANSIENT,
    )
    pages = {server.port: open_wall(browser, server) for server in (a, b)}
    clients = watchers(cluster)
    with contextlib.ExitStack() as stack:
        for client in clients:
            stack.enter_context(client)
        cluster.command(a, f"/api/units/{u1}/assignment", {"incident_id": i1})
        cluster.command(b, f"/api/units/{u2}/assignment", {"incident_id": i2})
        for page in pages.values():
            wait_unit(page, u1, "en_route")
            wait_unit(page, u2, "en_route")

        with Feeder(cluster.redis.url, cluster.ingest(), feeder_unit) as feed:
            feed.wait_sent(FEED_PER_S, "the feed under way")
            leader = cluster.leader()
            survivor = b if leader is a else a
            leader.stop(kill=True)
            cluster.command(survivor, f"/api/incidents/{i1}/closure", {"outcome": "resolved"})
            wait_closed(pages[survivor.port], i1)
            wait_unit(pages[survivor.port], u1, "available")

            leader.start()  # the killed one, back as a standby; its browser reconnects
            wait_closed(pages[leader.port], i1)
            cluster.command(leader, f"/api/units/{u1}/status", {"status": "busy"})
            for page in pages.values():
                wait_unit(page, u1, "busy")
            feed.wait_sent(3 * FEED_PER_S, "the feed on after the handover")

        assert_whole(cluster, feed.sent, clients)
    assert any(c.reconnects for c in clients), "no live client was on the killed server"
    commands = cluster.sql(
        "SELECT type FROM events WHERE source = 'bluelamp-api/commander' AND "
        "(unit_id = ANY(%s) OR incident_id = %s) ORDER BY seq",
        [u1, u2],
        i1,
    )
    once = ["incident.assigned", "incident.assigned", "incident.closed", "unit.status"]
    assert [t for (t,) in commands] == once, "each of the four commands carried out once"
    for server in (a, b):
        assert_page_shows(pages[server.port], cluster.picture(server))
        pages[server.port].context.close()


def test_postgresql_refusing_connections_while_two_servers_run(cluster: Cluster) -> None:
    a, b = cluster.servers
    unit = f"U-{uuid.uuid4().hex[:6]}"
    cluster.push(a, on_duty(unit))
    cluster.token("commander")  # signed in before: signing in needs the users table
    clients = watchers(cluster)
    with contextlib.ExitStack() as stack:
        for client in clients:
            stack.enter_context(client)
        with Feeder(cluster.redis.url, cluster.ingest(), unit) as feed:
            feed.wait_sent(FEED_PER_S, "the feed under way")
            for server in (a, b):  # each has seen the commander before the outage
                assert cluster.call(server, "GET", "/api/picture", "commander").status_code == 200
            cluster.proxy.refuse()
            try:
                key = _while_postgresql_refuses(cluster, unit)
            finally:
                cluster.proxy.resume()

            def retried() -> dict[str, Any] | None:
                path, body = f"/api/units/{unit}/status", {"status": "busy"}
                answer = cluster.call(b, "POST", path, "commander", json=body, headers=key)
                return answer.json() if answer.status_code == 200 else None

            outcome = wait_until(
                retried,
                DEADLINE_S,
                "the queued command decided after the outage",
                retry_on=TRANSIENT,
            )
            feed.wait_sent(FEED_PER_S * (OUTAGE_S + 2), "the feed on after the outage")
        assert_whole(cluster, feed.sent, clients)
    # The command queued in the outage and its retry: carried out once, at the seq answered.
    rows = cluster.sql("SELECT seq FROM events WHERE unit_id = %s AND type = 'unit.status'", unit)
    assert rows == [(outcome["seq"],)]


def _while_postgresql_refuses(cluster: Cluster, unit: str) -> dict[str, str]:
    """What the servers answer while the database refuses, for OUTAGE_S: a command is queued
    and answered 503 (to be retried with its Idempotency-Key, returned here), signing in is
    503, a bad request is still a 422, and the picture (in memory) stays readable on both
    servers. Never a 500."""
    refused_at = time.monotonic()
    a, b = cluster.servers
    key = {"Idempotency-Key": uuid.uuid4().hex}
    path, body = f"/api/units/{unit}/status", {"status": "busy"}
    during = cluster.call(b, "POST", path, "commander", json=body, headers=key)
    assert during.status_code == 503, during.text
    assert during.json()["detail"], "a 503 says what to do"
    wrong = cluster.call(a, "POST", path, "commander", json={"status": "flying"})
    assert wrong.status_code == 422, wrong.text  # a bad request is still told why
    form = {"username": "planner", "password": PASSWORD}
    signin = httpx.post(f"{a.url}/api/token", data=form, timeout=30)
    assert signin.status_code == 503, signin.text
    # Past the time a user's "enabled" answer is cached: the last answer still stands.
    time.sleep(max(0.0, ACTIVE_CACHE_S + 1 - (time.monotonic() - refused_at)))
    seqs = set()
    for server in (a, b):
        answer = cluster.call(server, "GET", "/api/picture", "commander")
        assert answer.status_code == 200, answer.text
        seqs.add(answer.json()["seq"])
    assert len(seqs) == 1, "the two servers' pictures differ while the database is away"
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - refused_at)))
    return key


def test_redis_restarted_without_persistence_while_two_servers_run(cluster: Cluster) -> None:
    a, b = cluster.servers
    unit = f"U-{uuid.uuid4().hex[:6]}"
    cluster.push(a, on_duty(unit))
    clients = watchers(cluster)
    with contextlib.ExitStack() as stack:
        for client in clients:
            stack.enter_context(client)
        for restart in range(1, RESTARTS + 1):
            last = cluster.last_seq()
            cluster.wait_pictures(last)
            # Down longer than the lease (whoever leads takes it anew), back empty: no
            # stream, no group, no lease.
            cluster.redis.restart(down_s=REDIS_DOWN_S, kill=True)
            for server in cluster.servers:  # sign-in counts attempts in Redis: at once, no 500
                assert _signs_in(server), (
                    f"the first sign-in on {server.url} after restart {restart}"
                )
            via = cluster.servers[restart % 2]
            probe = on_duty(f"U-{uuid.uuid4().hex[:6]}")  # the same event until it is taken
            seq = wait_until(
                partial(_accepted, cluster, via, probe),
                DEADLINE_S,
                f"an event accepted through {via.url} after restart {restart}",
                retry_on=TRANSIENT,
            )
            assert seq == last + 1, "the log goes on where it was"
        cluster.push(b, *(on_duty(f"U-{uuid.uuid4().hex[:6]}") for _ in range(20)))
        cluster.command(a, f"/api/units/{unit}/status", {"status": "busy"})
        cluster.command(b, f"/api/units/{unit}/status", {"status": "available"})
        with Feeder(cluster.redis.url, cluster.ingest(), unit) as feed:
            feed.wait_sent(2 * FEED_PER_S, "the feed on after the restart")
        assert_whole(cluster, feed.sent, clients)


def _signs_in(server: LiveServer) -> bool:
    form = {"username": "planner", "password": PASSWORD}
    return httpx.post(f"{server.url}/api/token", data=form, timeout=10).status_code == 200


def _accepted(cluster: Cluster, server: LiveServer, event: dict[str, Any]) -> int | None:
    answer = cluster.call(server, "POST", "/api/events", "feed", json=event)
    return int(answer.json()["seq"]) if answer.status_code == 200 else None
