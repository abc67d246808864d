"""Benchmark: the API over real HTTP and WebSockets, beside baselines measured in the same run.

    .venv/bin/python -m benchmarks.bench_api [--seconds 5] [--clients 50] [--events 20000]

A ``bluelamp serve`` subprocess (embedded bus, SQLite) holds London at a busy moment: 3,000
units on duty and 2,000 open incidents. Then, each for a fixed time with 8 concurrent
keep-alive connections from this process:

* ``GET /healthz``: the floor, what uvicorn + FastAPI + the middleware cost per request;
* ``GET /api/picture``: the whole picture (megabytes of JSON), with authentication;
* ``GET /api/units/{id}``: a small authenticated read (and the log lookup for its history);
* ``POST /api/units/{id}/status``: a command, through the sequencer and the log, answered
  once this worker's picture shows it.

Then the live feed: 50 WebSocket clients on ``/ws``; 20,000 AVL pings pushed through
``POST /api/events``; the clock stops when every client has received the last one. The
baseline is a bare ``websockets`` server in its own process broadcasting the same messages,
in frames of the same size, to the same 50 clients: what moving those bytes costs here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from api.accounts import Accounts
from api.database import open_database
from benchmarks.events import envelope
from bluelamp.migrations import upgrade
from geodata import London

PASSWORD = secrets.token_urlsafe(12)
CONCURRENCY = 8
_SEQ = re.compile(rb'"seq":(\d+)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    database = f"sqlite:///{workdir}/bench.sqlite3"
    upgrade(database)
    accounts = Accounts(open_database(database))
    accounts.add("chief", PASSWORD, "commander")
    accounts.add("feed", PASSWORD, "feed")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BLUELAMP_")},
        "BLUELAMP_DATABASE_URL": database,
        "BLUELAMP_SECRET_KEY": secrets.token_urlsafe(48),
        "BLUELAMP_PORT": str(port),
        "BLUELAMP_COOKIE_SECURE": "false",
    }
    bluelamp = Path(sys.executable).with_name("bluelamp")
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(bluelamp), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server did not start: {(workdir / 'server.log').read_text()[-2000:]}")


def token(url: str, user: str) -> str:
    answer = httpx.post(f"{url}/api/token", data={"username": user, "password": PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def met_points(london: London, n: int, rng: random.Random) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lat, lon = rng.uniform(51.3, 51.68), rng.uniform(-0.5, 0.3)
        place = london.locate(lat, lon)
        if place is not None and place.bcu is not None:
            points.append((round(lat, 5), round(lon, 5)))
    return points


def _event(kind: str, data: dict[str, Any], n: int) -> dict[str, Any]:
    return envelope(kind, data, "bench", f"b{n}", datetime.now(UTC))


def preload(url: str, feed: str, london: London) -> list[str]:
    """3,000 units on duty and 2,000 open incidents; the unit ids."""
    rng = random.Random(7)
    events: list[dict[str, Any]] = []
    units: list[str] = []
    for i, (lat, lon) in enumerate(met_points(london, 3_000, rng)):
        unit_id = f"U{i:04d}"
        units.append(unit_id)
        bcu = london.locate(lat, lon).bcu  # type: ignore[union-attr]
        events.append(
            _event(
                "unit.on_duty",
                {
                    "unit_id": unit_id,
                    "callsign": unit_id,
                    "unit_type": "IRV",
                    "home_bcu": bcu,
                    "lat": lat,
                    "lon": lon,
                },
                len(events),
            )
        )
    for i, (lat, lon) in enumerate(met_points(london, 2_000, rng)):
        events.append(
            _event(
                "incident.created",
                {
                    "incident_id": f"I{i:04d}",
                    "grade": rng.choice("IISSE"),
                    "category": "violence",
                    "lat": lat,
                    "lon": lon,
                    "summary": "bench",
                },
                len(events),
            )
        )
    push(url, feed, events)
    return units


def push(url: str, feed: str, events: list[dict[str, Any]]) -> None:
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {feed}"}, timeout=120
    ) as client:
        for start in range(0, len(events), 1_000):
            answer = client.post("/api/events", json=events[start : start + 1_000])
            if answer.status_code != 200:
                raise SystemExit(f"preload refused: {answer.text[:500]}")


Call = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def load(url: str, headers: dict[str, str], call: Call, seconds: float) -> dict[str, float]:
    """Requests/s and latency with CONCURRENCY keep-alive connections for ``seconds``."""
    latencies: list[float] = []
    sizes: list[int] = []
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                answer = await call(client, next(counter))
                latencies.append(time.perf_counter() - t0)
                if answer.status_code >= 400:
                    raise SystemExit(f"{answer.status_code}: {answer.text[:300]}")
                sizes.append(len(answer.content))

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "kb": statistics.mean(sizes) / 1024,
    }


async def fan_out(
    ws_url: str,
    clients: int,
    last_seq: Callable[[], Awaitable[int]],
    send: Callable[[], Awaitable[None]],
) -> tuple[float, float]:
    """Seconds from ``send()`` until every client has received up to the seq it ends at,
    and how much of that came after ``send()`` returned (every event accepted and logged):
    the fan-out's own trail behind the sequencer."""
    sockets = [await connect(ws_url, max_size=None) for _ in range(clients)]
    for ws in sockets:
        await ws.recv(decode=False)  # the snapshot (or the baseline's hello)
    done = asyncio.Event()
    target: list[int] = []

    seen = [0] * clients  # the highest seq each client has received

    def check() -> None:
        if target and all(s >= target[0] for s in seen):
            done.set()

    async def receive(i: int, ws: Any) -> None:
        while True:
            match = _SEQ.search(await ws.recv(decode=False), 0, 64)
            if match:
                seen[i] = max(seen[i], int(match.group(1)))
                check()

    readers = [asyncio.create_task(receive(i, ws)) for i, ws in enumerate(sockets)]
    t0 = time.perf_counter()
    await send()
    target.append(await last_seq())
    check()  # the last frames may have arrived before the target was known
    sent = time.perf_counter()
    await asyncio.wait_for(done.wait(), 300)
    elapsed = time.perf_counter() - t0
    for task in readers:
        task.cancel()
    for ws in sockets:
        await ws.close()
    return elapsed, time.perf_counter() - sent


BARE_SERVER = textwrap.dedent(
    """
    import asyncio, sys
    from websockets.asyncio.server import broadcast, serve
    port, clients, frames_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    frames = open(frames_path).read().split("\\n")
    connected = set()
    async def handler(ws):
        connected.add(ws)
        await ws.send('{"type":"hello"}')
        if len(connected) == clients:
            await ws.recv()  # the go signal, from the last client
            for frame in frames:
                broadcast(connected, frame)
                await asyncio.sleep(0)
        await ws.wait_closed()
    async def main():
        async with serve(handler, "127.0.0.1", port, max_size=None):
            await asyncio.Future()
    asyncio.run(main())
    """
)


async def bare_fan_out(frames: list[str], clients: int, workdir: Path) -> float:
    """The same frames broadcast by a bare websockets server to the same number of clients."""
    port = free_port()
    path = workdir / "frames.txt"
    path.write_text("\n".join(frames))
    server = subprocess.Popen(
        [sys.executable, "-c", BARE_SERVER, str(port), str(clients), str(path)]
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                await asyncio.sleep(0.1)
        sockets = [await connect(f"ws://127.0.0.1:{port}", max_size=None) for _ in range(clients)]
        for ws in sockets:
            await ws.recv()
        last = int(_SEQ.search(frames[-1].encode(), 0, 64).group(1))  # type: ignore[union-attr]
        remaining, done = clients, asyncio.Event()

        async def receive(ws: Any) -> None:
            nonlocal remaining
            while True:
                match = _SEQ.search(await ws.recv(decode=False), 0, 64)
                if match and int(match.group(1)) >= last:
                    remaining -= 1
                    if remaining == 0:
                        done.set()
                    return

        readers = [asyncio.create_task(receive(ws)) for ws in sockets]
        t0 = time.perf_counter()
        await sockets[-1].send("go")
        await asyncio.wait_for(done.wait(), 300)
        elapsed = time.perf_counter() - t0
        for task in readers:
            task.cancel()
        for ws in sockets:
            await ws.close()
        return elapsed
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)


async def bench(seconds: float, clients: int, n_events: int) -> None:
    london = London.load()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        process, url = start_server(workdir)
        try:
            chief, feed = token(url, "chief"), token(url, "feed")
            units = preload(url, feed, london)
            auth = {"Authorization": f"Bearer {chief}"}
            rows = {
                "GET /healthz (floor)": await load(
                    url, {}, lambda c, i: c.get("/healthz"), seconds
                ),
                "GET /api/picture": await load(
                    url, auth, lambda c, i: c.get("/api/picture"), seconds
                ),
                "GET /api/units/{id}": await load(
                    url, auth, lambda c, i: c.get(f"/api/units/{units[i % len(units)]}"), seconds
                ),
                "POST /api/units/{id}/status": await load(
                    url,
                    auth,
                    lambda c, i: c.post(
                        f"/api/units/{units[i % len(units)]}/status",
                        json={"status": "busy" if (i // len(units)) % 2 == 0 else "available"},
                    ),
                    seconds,
                ),
            }
            print(
                f"\nAPI, 8 concurrent connections, {seconds:g} s each "
                "(3,000 units, 2,000 open incidents):"
            )
            print(f"  {'request':<30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'KiB':>8}")
            for name, r in rows.items():
                print(
                    f"  {name:<30} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}"
                    f" {r['kb']:>8.1f}"
                )

            # The live feed: pings pushed over HTTP, fanned out to 1 client, then to many.
            rng = random.Random(3)
            points = met_points(london, 200, rng)

            def pings(offset: int) -> list[dict[str, Any]]:
                return [
                    _event(
                        "unit.location",
                        {
                            "unit_id": units[k % len(units)],
                            "lat": points[k % 200][0],
                            "lon": points[k % 200][1],
                        },
                        offset + k,
                    )
                    for k in range(n_events)
                ]

            async def last_seq() -> int:
                async with httpx.AsyncClient(base_url=url, headers=auth) as client:
                    return int((await client.get("/api/demand")).json()["seq"])

            live: dict[int, tuple[float, float]] = {}
            for round_, n in enumerate((1, clients)):
                batch = pings(10**7 * (round_ + 1))

                async def send(events: list[dict[str, Any]] = batch) -> None:
                    await asyncio.to_thread(push, url, feed, events)

                ws_url = f"{url.replace('http', 'ws')}/ws?token={chief}"
                live[n] = await fan_out(ws_url, n, last_seq, send)
            sample_event = pings(0)[0]
            # The baseline moves the same live messages in frames of 500 (an ingest batch).
            frames = []
            sample = json.dumps({"seq": 0, "event": sample_event, "borough": "Camden", "bcu": "CN"})
            for start in range(0, n_events, 500):
                count = min(500, n_events - start)
                frames.append(
                    f'{{"type":"events","seq":{start + count},"events":['
                    + ",".join([sample] * count)
                    + "]}"
                )
            bare = await bare_fan_out(frames, clients, workdir)
            print(f"\nLive feed: {n_events:,} AVL pings")
            print(f"  {'path':<58} {'s':>6} {'trail s':>7} {'events/s':>9} {'deliveries/s':>13}")
            rows_live = [
                ("Bluelamp, 1 client: POST /api/events -> log -> /ws", *live[1], 1),
                (f"Bluelamp, {clients} clients: the same", *live[clients], clients),
                (f"bare websockets broadcast, {clients} clients, same frames", bare, 0.0, clients),
            ]
            for name, elapsed, trail, n in rows_live:
                print(
                    f"  {name:<58} {elapsed:>6.2f} {trail:>7.2f} {n_events / elapsed:>9,.0f}"
                    f" {n * n_events / elapsed:>13,.0f}"
                )
            print(
                f"  deliveries/s, {clients} clients, against the bare server: "
                f"{bare / live[clients][0]:.2f}"
            )
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    asyncio.run(bench(args.seconds, args.clients, args.events))


if __name__ == "__main__":
    main()
