"""Benchmark: the API over real HTTP and WebSockets, beside baselines measured in the same run.

    .venv/bin/python -m benchmarks.bench_api [--seconds 5] [--clients 50] [--events 20000]
                                             [--requests-only] [--no-access-log]

A ``bluelamp serve`` subprocess (embedded bus, SQLite) holds London at a busy moment: 3,000
units on duty and 2,000 open incidents. Then, each for a fixed time with 8 concurrent
keep-alive connections from this process:

* ``GET /healthz``: the floor, what uvicorn + FastAPI + the middleware cost per request;
* ``GET /api/picture``: the whole picture (megabytes of JSON), with authentication;
* ``GET /api/units/{id}``: a small authenticated read (and the log lookup for its history);
* ``POST /api/units/{id}/status``: a command, through the sequencer and the log, answered
  once this worker's picture shows it.

The requests start once the server has digested that load (a window with it under 0.3 of a
core busy, or two minutes): the sequencer, the reports' read model and the recommender's
first cycles would otherwise be measured with them. Beside each row, the server's CPU per
request (its process's CPU time over the row, less what it spent in the window before with
nobody asking) and the requests a second one core of it would answer by that: the req/s
column is bound by this machine's 2 cores, which the client shares; a control room's
screens ask from machines of their own.

Then the live feed: 50 WebSocket clients on ``/ws``; 20,000 AVL pings pushed through
``POST /api/events``; the clock stops when every client has received the last one. The
baseline is a bare ``websockets`` server in its own process broadcasting the same messages,
in frames of the same size, to the same 50 clients: what moving those bytes costs here.

The server and its load are in ``benchmarks.harness``, the WebSocket clock in
``benchmarks.fanout``; this module holds the measurements and their report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_browser import cpu_seconds
from benchmarks.events import envelope
from benchmarks.fanout import bare_fan_out, fan_out
from benchmarks.figures import record
from benchmarks.harness import busy_london, met_points, start_server, token
from geodata import London

CONCURRENCY = 8
SERVER = "bluelamp serve"  # its command line, to find its CPU time


def _event(kind: str, data: dict[str, Any], n: int) -> dict[str, Any]:
    return envelope(kind, data, "bench", f"b{n}", datetime.now(UTC))


def preload(url: str, feed: str, london: London) -> list[str]:
    """3,000 units on duty and 2,000 open incidents; the unit ids."""
    units, events = busy_london(london, 3_000, 2_000, random.Random(7))
    push(url, feed, [_event(kind, data, n) for n, (kind, data) in enumerate(events)])
    return units


def push(url: str, feed: str, events: list[dict[str, Any]]) -> None:
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {feed}"}, timeout=120
    ) as client:
        for start in range(0, len(events), 1_000):
            answer = client.post("/api/events", json=events[start : start + 1_000])
            if answer.status_code != 200:
                raise SystemExit(f"preload refused: {answer.text[:500]}")


Call = Callable[[httpx.AsyncClient, int], Awaitable[tuple[int, int]]]


def asking(
    method: str, path: Callable[[int], str], body: Callable[[int], Any] | None = None
) -> Call:
    """The i-th request (its path and JSON body made from i), read and decoded as a client
    would: its status and decoded size."""

    async def call(client: httpx.AsyncClient, i: int) -> tuple[int, int]:
        json = None if body is None else body(i)
        answer = await client.request(method, path(i), json=json)
        if answer.status_code >= 400:
            raise SystemExit(f"{answer.status_code}: {answer.text[:300]}")
        return answer.status_code, len(answer.content)

    return call


def fetching_raw(path: str, headers: dict[str, str]) -> Call:
    """A GET whose body is read as sent, not decompressed: the server's side of the cost
    (a control room's clients decompress on their own machines, not on these 2 cores)."""

    async def call(client: httpx.AsyncClient, i: int) -> tuple[int, int]:
        async with client.stream("GET", path, headers=headers) as answer:
            size = sum([len(chunk) async for chunk in answer.aiter_raw()])
        if answer.status_code >= 400:
            raise SystemExit(f"{answer.status_code} for {path}")
        return answer.status_code, size

    return call


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
                _, size = await call(client, next(counter))
                latencies.append(time.perf_counter() - t0)
                sizes.append(size)

    t0, cpu0 = time.perf_counter(), cpu_seconds(SERVER)
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds(SERVER) - cpu0
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "cpu_s": cpu,  # the server's, over the row (requests() takes the idle part off)
        "elapsed": elapsed,
        "n": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "kb": statistics.mean(sizes) / 1024,
    }


async def requests(url: str, chief: str, units: list[str], seconds: float) -> None:
    """Each request under load for ``seconds``, printed as a table."""
    auth = {"Authorization": f"Bearer {chief}"}
    with httpx.Client(base_url=url, headers=auth) as client:
        etag = client.get("/api/picture").headers["etag"]
    gzipped = {"Accept-Encoding": "gzip"}
    settled, idle = await _settled(seconds)
    rows = {
        "GET /healthz (floor)": await load(url, {}, asking("GET", lambda i: "/healthz"), seconds),
        "GET /api/picture (JSON)": await load(
            url, auth, fetching_raw("/api/picture", {"Accept-Encoding": "identity"}), seconds
        ),
        "GET /api/picture (gzip)": await load(
            url, auth, fetching_raw("/api/picture", gzipped), seconds
        ),
        "GET /api/picture (gzip, decoded)": await load(
            url, auth, asking("GET", lambda i: "/api/picture"), seconds
        ),
        "GET /api/picture (If-None-Match)": await load(
            url, auth, fetching_raw("/api/picture", gzipped | {"If-None-Match": etag}), seconds
        ),
        "GET /api/units/{id}": await load(
            url, auth, asking("GET", lambda i: f"/api/units/{units[i % len(units)]}"), seconds
        ),
        "POST /api/units/{id}/status": await load(
            url,
            auth,
            asking(
                "POST",
                lambda i: f"/api/units/{units[i % len(units)]}/status",
                lambda i: {"status": "busy" if (i // len(units)) % 2 == 0 else "available"},
            ),
            seconds,
        ),
    }
    print(
        f"\nAPI, 8 concurrent connections, {seconds:g} s each (3,000 units, 2,000 open incidents):"
    )
    for r in rows.values():  # the server's CPU for each request, less its CPU with nobody asking
        r["cpu_ms"] = 1000 * max(0.0, r["cpu_s"] - idle * r["elapsed"]) / max(1, r["n"])
    print(
        f"  server cores busy with nobody asking: {idle:.2f}, "
        f"{settled:.0f} s after the load went in"
    )
    print(
        f"  {'request':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'KiB':>8}"
        f" {'server CPU ms':>14} {'req/s a core':>13}"
    )
    record(
        {
            "reads.floor": rows["GET /healthz (floor)"]["rps"],
            "reads.picture_json": rows["GET /api/picture (JSON)"]["rps"],
            "reads.picture_gzip": rows["GET /api/picture (gzip)"]["rps"],
            "reads.floor_per_core": _per_core(rows["GET /healthz (floor)"]),
            "reads.picture_json_per_core": _per_core(rows["GET /api/picture (JSON)"]),
            "reads.picture_gzip_per_core": _per_core(rows["GET /api/picture (gzip)"]),
        }
    )
    for name, r in rows.items():
        print(
            f"  {name:<34} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['kb']:>8.1f}"
            f" {r['cpu_ms']:>14.2f} {_per_core(r):>13.0f}"
        )


async def _settled(
    seconds: float, quiet: float = 0.3, longest: float = 120.0
) -> tuple[float, float]:
    """Wait until the server has digested the load (the sequencer, the reports' read model,
    the recommender's first cycles): a window of ``seconds`` with it busy under ``quiet``
    of a core, or ``longest`` seconds. The wait, and the cores busy in the last window."""
    began = time.perf_counter()
    while True:
        cpu0 = cpu_seconds(SERVER)
        await asyncio.sleep(seconds)
        idle = (cpu_seconds(SERVER) - cpu0) / seconds
        waited = time.perf_counter() - began
        if idle < quiet or waited > longest:
            return waited, idle


def _per_core(row: dict[str, float]) -> float:
    """Requests a second one core of the server's would answer, by its CPU for each."""
    return 1000 / row["cpu_ms"] if row["cpu_ms"] > 0 else float("inf")


def pings(
    units: list[str], points: list[tuple[float, float]], n_events: int, offset: int
) -> list[dict[str, Any]]:
    """``n_events`` AVL pings, round the units and the points, their ids from ``offset``."""
    return [
        _event(
            "unit.location",
            {
                "unit_id": units[k % len(units)],
                "lat": points[k % len(points)][0],
                "lon": points[k % len(points)][1],
            },
            offset + k,
        )
        for k in range(n_events)
    ]


def bare_frames(sample_event: dict[str, Any], n_events: int) -> list[str]:
    """The live messages for ``n_events``, in frames of 500 (an ingest batch)."""
    frames = []
    sample = json.dumps({"seq": 0, "event": sample_event, "borough": "Camden", "bcu": "CN"})
    for start in range(0, n_events, 500):
        count = min(500, n_events - start)
        frames.append(
            f'{{"type":"events","seq":{start + count},"events":['
            + ",".join([sample] * count)
            + "]}"
        )
    return frames


async def live_feed(
    url: str,
    tokens: tuple[str, str],
    units: list[str],
    london: London,
    sizes: tuple[int, int],
    workdir: Path,
) -> None:
    """Pings pushed over HTTP, fanned out to 1 client, then to many; then the bare
    baseline with the same messages. ``tokens``: chief's and feed's; ``sizes``: the
    number of clients and of events."""
    chief, feed = tokens
    clients, n_events = sizes
    points = met_points(london, 200, random.Random(3))

    async def last_seq() -> int:
        headers = {"Authorization": f"Bearer {chief}"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:
            return int((await client.get("/api/demand")).json()["seq"])

    live: dict[int, tuple[float, float]] = {}
    for round_, n in enumerate((1, clients)):
        batch = pings(units, points, n_events, 10**7 * (round_ + 1))

        async def send(_: list[Any], events: list[dict[str, Any]] = batch) -> None:
            await asyncio.to_thread(push, url, feed, events)

        ws_url = f"{url.replace('http', 'ws')}/ws?token={chief}"
        live[n] = await fan_out(ws_url, n, last_seq, send)
    frames = bare_frames(pings(units, points, n_events, 0)[0], n_events)
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
        f"  deliveries/s, {clients} clients, against the bare server: {bare / live[clients][0]:.2f}"
    )


async def bench(
    seconds: float, clients: int, n_events: int, feed_too: bool = True, access_log: bool = True
) -> None:
    london = London.load()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {} if access_log else {"BLUELAMP_ACCESS_LOG": "false"}
        process, url = start_server(workdir, {"chief": "commander", "feed": "feed"}, **env)
        try:
            chief, feed = token(url, "chief"), token(url, "feed")
            units = preload(url, feed, london)
            await requests(url, chief, units, seconds)
            if feed_too:
                await live_feed(url, (chief, feed), units, london, (clients, n_events), workdir)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--requests-only", action="store_true", help="no live-feed rows")
    parser.add_argument(
        "--no-access-log", action="store_true", help="the server without uvicorn's access log"
    )
    args = parser.parse_args()
    feed_too, access_log = not args.requests_only, not args.no_access_log
    asyncio.run(bench(args.seconds, args.clients, args.events, feed_too, access_log))


if __name__ == "__main__":
    main()
