"""Benchmark: from XADD on the ingest stream to the change applied on the wall page, in real
headless Chromium, beside a 1 s polling page measured in the same run.

    .venv/bin/python -m benchmarks.bench_browser [--seconds 5] [--pages 1 5 20]
                                                 [--rates 100 2000]

A ``bluelamp serve`` subprocess on Redis and SQLite holds 1,000 units and 300 open
incidents. N wall pages (each its own browser context, signed in) follow ``/ws``. A producer
XADDs AVL pings at a steady rate for the given seconds; each ping's seq is read back from
the log (the recommender's ledger entries take seqs among them), and its latency is the time
from its XADD to the first repaint on a page that shows a seq at or past it (the store's
``live.applied``, read through the test-side ``window.probe``: seq, epoch ms, apply ms,
recorded after the map layers, lists and KPIs were updated). The same clock serves both
ends (one machine). "Lost" compares each page's units with ``GET /api/picture`` once the
feed is quiet.

The baseline page is the same wall with its WebSocket closed and ``GET /api/picture``
fetched every second and applied as a snapshot: what a ``dcc.Interval(1 s)`` page gets.

Last, London at full scale (3,000 units, 2,000 open incidents): the time one page takes to
apply a frame (p50/p99 of the apply ms) at 100 events/s, and to apply the first snapshot.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import redis
from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks.chromium import UNTHROTTLED, launch
from benchmarks.events import envelope
from benchmarks.harness import PASSWORD, busy_london, met_points, start_server, stop_sequencers
from benchmarks.probe import probed
from geodata import London

REDIS_URL = "redis://127.0.0.1:6379/0"

POLL = """(ms) => {
  const live = window.probe.live;
  live.stop();
  window.__poll = setInterval(() => {
    fetch('/api/picture', {credentials: 'same-origin'}).then((r) => r.json()).then((p) =>
      live.apply({type: 'snapshot', seq: p.seq, picture: p, advice: live.advice}));
  }, ms);
}"""


class Server:
    def __init__(self, workdir: Path, users: dict[str, str] | None = None, **env: str) -> None:
        self.prefix = f"bench-{uuid.uuid4().hex[:10]}"
        self.database = workdir / "bench.sqlite3"  # harness.start_server's
        self.process, self.url = start_server(
            workdir,
            {"chief": "commander", **(users or {})},
            BLUELAMP_REDIS_URL=REDIS_URL,
            BLUELAMP_KEY_PREFIX=self.prefix,
            **env,
        )
        self.redis = redis.Redis.from_url(REDIS_URL)
        answer = httpx.post(
            f"{self.url}/api/token", data={"username": "chief", "password": PASSWORD}
        )
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        # One browser session shared by every page (sign-in attempts are rate limited).
        session = httpx.post(
            f"{self.url}/api/session", data={"username": "chief", "password": PASSWORD}
        )
        self.cookies = [
            {"name": k, "value": v, "url": self.url} for k, v in session.cookies.items()
        ]

    def picture(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/api/picture", headers=self.headers, timeout=60).json())

    def xadd(self, texts: list[str]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for text in texts:
            pipe.xadd(f"{self.prefix}:ingest", {"event": text})
        pipe.execute()

    def wait_for(self, seq: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.picture()["seq"] < seq:
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not reach seq {seq}")
            time.sleep(0.2)

    def logged(self, base: int, n: int, timeout: float = 120) -> list[tuple[int, str]]:
        """The seq and the log's ``recorded_at`` of the ``n`` pings XADDed after ``base``, in
        the order they were XADDed, once all ``n`` are in the log."""
        deadline = time.monotonic() + timeout
        while True:
            with sqlite3.connect(self.database) as conn:
                rows = conn.execute(
                    "SELECT seq, recorded_at FROM events WHERE seq > ? AND source = 'bench'"
                    " AND type = 'unit.location' ORDER BY seq",
                    (base,),
                ).fetchall()
            if len(rows) == n:
                return [(int(seq), str(at)) for seq, at in rows]
            if len(rows) > n or time.monotonic() > deadline:
                raise SystemExit(f"{n} pings sent, {len(rows)} logged")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(20)
        stop_sequencers()
        if keys := list(self.redis.scan_iter(f"{self.prefix}*")):
            self.redis.delete(*keys)


def _event(kind: str, data: dict[str, Any]) -> str:
    return json.dumps(envelope(kind, data, "bench", uuid.uuid4().hex, datetime.now(UTC)))


def populate(
    server: Server, london: London, units: int, incidents: int, start: int = 0
) -> list[str]:
    ids, events = busy_london(london, units, incidents, random.Random(start + 1), start)
    texts = [_event(kind, data) for kind, data in events]
    before = server.picture()["seq"]
    server.xadd(texts)
    server.wait_for(before + len(texts))
    return ids


def open_wall(browser: Browser, server: Server, size: tuple[int, int] = (1920, 1080)) -> Page:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    probed(context)
    context.add_cookies(server.cookies)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{server.url}/wall")
    page.wait_for_function(
        "() => window.probe && window.probe.layers('map')"
        " && window.probe.live.lastFrameAt !== null",
        timeout=60_000,
    )
    return page


def produce(
    server: Server, units: list[str], points: list[tuple[float, float]], rate: int, seconds: float
) -> tuple[int, list[float]]:
    """XADD pings at ``rate``/s for ``seconds``: the seq before the first, and each XADD time
    (epoch ms) in order."""
    base = server.picture()["seq"]
    sent: list[float] = []
    tick = 0.01
    per_tick = max(1, round(rate * tick))
    start = time.perf_counter()
    n = 0
    rng = random.Random(rate)
    while time.perf_counter() - start < seconds:
        texts = []
        for _ in range(per_tick):
            lat, lon = points[rng.randrange(len(points))]
            texts.append(
                _event("unit.location", {"unit_id": units[n % len(units)], "lat": lat, "lon": lon})
            )
            n += 1
        now_ms = time.time() * 1000
        server.xadd(texts)
        sent.extend([now_ms] * len(texts))
        due = start + (len(sent) / per_tick) * tick
        if (pause := due - time.perf_counter()) > 0:
            time.sleep(pause)
    return base, sent


def latencies(pages: list[Page], seqs: list[int], sent: list[float]) -> list[float]:
    """Per event and page: XADD -> the first repaint showing it (ms). ``seqs``: each event's
    seq in the log, in the order of ``sent``."""
    out: list[float] = []
    for page in pages:
        page.wait_for_function(f"() => window.probe.live.seq >= {seqs[-1]}", timeout=120_000)
        applied = page.evaluate("window.probe.live.applied.slice()")
        i = 0
        for seq, at_ms, _ in applied:
            while i < len(sent) and seqs[i] <= seq:
                out.append(at_ms - sent[i])
                i += 1
    return out


def pinged(server: Server, base: int, sent: list[float]) -> list[int]:
    """The seqs the pings XADDed after ``base`` were logged at."""
    return [seq for seq, _ in server.logged(base, len(sent))]


def differs(page: Page, picture: dict[str, Any]) -> int:
    seen = page.evaluate("""() => Object.fromEntries([...window.probe.live.units.values()]
        .map((u) => [u.unit_id, [u.lat, u.lon, u.status]]))""")
    truth = {
        u["unit_id"]: [u["lat"], u["lon"], u["status"]]
        for u in picture["units"]
        if u["status"] != "off_duty"
    }
    wrong = sum(seen.get(k) != v for k, v in truth.items())
    return int(wrong) + len(set(seen) - set(truth))


def cpu_times(match: str) -> dict[int, float]:
    """CPU seconds used so far by each process whose command line contains ``match``."""
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            if match not in command.decode(errors="replace"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return times


def cpu_seconds(match: str) -> float:
    """CPU time used so far by every process whose command line contains ``match``."""
    return sum(cpu_times(match).values())


def cpu_since(match: str, before: dict[int, float]) -> float:
    """CPU seconds used since ``before`` (cpu_times) by the processes alive now: one that
    ended meanwhile would otherwise take its whole past off the difference."""
    return sum(t - before.get(pid, 0.0) for pid, t in cpu_times(match).items())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] if ordered else float("nan")


Row = tuple[str, int, int, float, float, int]  # path, pages, ev/s, p50 ms, p99 ms, lost
Cpu = tuple[int, int, float, float]  # pages, ev/s, server cores busy, browser cores busy
Feed = tuple[list[str], list[tuple[float, float]]]  # the units, and the points they ping from


def followed(
    browser: Browser, server: Server, feed: Feed, args: argparse.Namespace
) -> tuple[list[Row], list[Cpu]]:
    """For each number of pages following /ws and each rate: latency, what was lost, and the
    CPU the server and Chromium used."""
    rows: list[Row] = []
    cpus: list[Cpu] = []
    for n_pages in args.pages:
        pages = [open_wall(browser, server) for _ in range(n_pages)]
        for rate in args.rates:
            cpu = (cpu_seconds("bluelamp serve"), cpu_seconds("chrom"))
            base, sent = produce(server, *feed, rate, args.seconds)
            values = latencies(pages, pinged(server, base, sent), sent)
            used = (cpu_seconds("bluelamp serve") - cpu[0], cpu_seconds("chrom") - cpu[1])
            picture = server.picture()
            lost = sum(differs(p, picture) for p in pages)
            rows.append(
                ("/ws (coalesced frames)", n_pages, rate, pct(values, 0.5), pct(values, 0.99), lost)
            )
            cpus.append((n_pages, rate, used[0] / args.seconds, used[1] / args.seconds))
        for page in pages:
            page.context.close()
    return rows, cpus


def polled(browser: Browser, server: Server, feed: Feed, args: argparse.Namespace) -> list[Row]:
    """The baseline: one page polling /api/picture every second, at each rate."""
    rows: list[Row] = []
    page = open_wall(browser, server)
    page.evaluate(POLL, 1000)
    for rate in args.rates:
        base, sent = produce(server, *feed, rate, args.seconds)
        values = latencies([page], pinged(server, base, sent), sent)
        lost = differs(page, server.picture())
        rows.append(
            ("1 s polling of /api/picture", 1, rate, pct(values, 0.5), pct(values, 0.99), lost)
        )
    page.context.close()
    return rows


def print_latency(rows: list[Row], cpus: list[Cpu], seconds: float) -> None:
    print(
        f"\nXADD -> applied on the wall page ({seconds:g} s per row, "
        "1,000 units, 300 open incidents)"
    )
    print(f"  {'path':<30} {'pages':>5} {'ev/s':>6} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5}")
    for name, n, rate, p50, p99, lost in rows:
        print(f"  {name:<30} {n:>5} {rate:>6} {p50:>8.0f} {p99:>8.0f} {lost:>5}")

    print("\nCPU while the feed ran (cores busy, of 2): server, all Chromium processes")
    for n, rate, server_cpu, browser_cpu in cpus:
        print(f"  {n:>3} pages {rate:>5} ev/s: server {server_cpu:.2f}, browser {browser_cpu:.2f}")


def full_scale(
    browser: Browser, server: Server, london: London, feed: Feed, seconds: float
) -> None:
    """London at full scale (3,000 units, 2,000 open incidents): one page's first snapshot
    and its frames at 100 events/s."""
    units, points = feed
    more = populate(server, london, 2_000, 1_700, start=10_000)
    page = open_wall(browser, server)
    first = page.evaluate("window.probe.live.applied[0][2]")
    page.evaluate("window.probe.live.applied.length = 0")
    base, sent = produce(server, units + more, points, 100, seconds)
    latencies([page], pinged(server, base, sent), sent)
    applies = [a[2] for a in page.evaluate("window.probe.live.applied.slice()")]
    counts = page.evaluate("""() => [window.probe.live.units.size,
        window.probe.live.incidents.size]""")
    print(
        f"\nLondon at full scale ({counts[0]:,} units, {counts[1]:,} open incidents"
        " on the map), one wall page at 100 ev/s:"
    )
    print(
        f"  first snapshot applied in {first:.0f} ms; per frame p50 "
        f"{pct(applies, 0.5):.1f} ms, p99 {pct(applies, 0.99):.1f} ms, "
        f"max {max(applies):.1f} ms over {len(applies)} frames"
    )
    page.context.close()


@dataclass(frozen=True)
class Room:
    """A server holding a busy London, a browser to open its pages, the pings' feed."""

    browser: Browser
    server: Server
    feed: Feed
    london: London
    workdir: Path


@contextlib.contextmanager
def busy_room(
    units: int, incidents: int, users: dict[str, str] | None = None, **env: str
) -> Iterator[Room]:
    """A ``bluelamp serve`` with ``units`` on duty and ``incidents`` open, and Chromium
    (``env``: more BLUELAMP_* settings for the server)."""
    london = London.load()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = launch(playwright, *UNTHROTTLED)
        server = Server(Path(tmp), users, **env)
        try:
            ids = populate(server, london, units, incidents)
            feed = (ids, met_points(london, 500, random.Random(9)))
            yield Room(browser, server, feed, london, Path(tmp))
        finally:
            server.stop()
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--rates", type=int, nargs="+", default=[100, 2000])
    args = parser.parse_args()
    with busy_room(1_000, 300) as room:
        rows, cpus = followed(room.browser, room.server, room.feed, args)
        rows += polled(room.browser, room.server, room.feed, args)
        print_latency(rows, cpus, args.seconds)
        full_scale(room.browser, room.server, room.london, room.feed, args.seconds)


if __name__ == "__main__":
    main()
