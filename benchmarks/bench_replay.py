"""Benchmark: a Saturday night replayed at 60x on one wall page, in real headless Chromium:
does the replay keep up (no growing lag)? Beside it, in the same run, the server's own pace:
the same night's frames fetched back to back with nothing drawing them.

    .venv/bin/python -m benchmarks.bench_replay [--hours 2] [--speed 60] [--pings]

The simulator's ``saturday-night`` London (its fleet, AVL pings with ``--pings``) from 22:00
of last Saturday runs ``--hours`` into a fresh SQLite log, each record stamped as recorded at
its event time (as a live control room's log is), with the sequencer's snapshots. A ``bluelamp
serve`` on that log serves a wall page opened on a replay link of the night; Play at
``--speed``. Each second the page's replay clock (where the replay is) is compared with the
time of the newest record the page has applied: the lag, in replayed seconds. It keeps up if
the lag stays bounded (the last minute's no worse than the first's) and the replay ends when
the clock does.

The baseline: ``GET /api/replay/events`` over the same night, 15 replayed seconds a request
(60x at four requests a second), as fast as the server answers: the fastest any page could
replay, and so the speed's headroom.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from sqlalchemy import update

from benchmarks.chromium import UNTHROTTLED, launch
from benchmarks.harness import PASSWORD, start_server
from benchmarks.probe import probed
from bluelamp.migrations import upgrade
from geodata import London
from stream.events import Recorded, parse_event
from stream.log import EventLog, events
from stream.picture import Picture
from stream.sim.engine import Simulation
from stream.sim.scenario import load
from stream.sim.workday import SimOptions

SNAPSHOT_EVERY = 10_000
STEP_S = 15.0  # replayed seconds a request at 60x, four requests a second


def last_saturday_night() -> datetime:
    """22:00 UTC of the latest Saturday at least a day past (the replay looks back only)."""
    now = datetime.now(UTC) - timedelta(days=1)
    saturday = now - timedelta(days=(now.weekday() - 5) % 7)
    return saturday.replace(hour=22, minute=0, second=0, microsecond=0)


def fill(database: str, london: London, start: datetime, hours: float, pings: bool) -> int:
    """The night into the log, recorded at its event times; the number of records."""
    upgrade(database)
    log = EventLog(database)
    scenario = load("saturday-night").starting(start, hours)
    simulation = Simulation(london, scenario, "closest-idle-own-bcu", 11, SimOptions(pings))
    picture, batch, seq = Picture(), [], 0
    for seq, raw in enumerate(simulation.events(), start=1):
        data = raw["data"]
        place = london.locate(data["lat"], data["lon"]) if "lat" in data else None
        record = Recorded(seq, parse_event(raw), place and place.borough, place and place.bcu)
        picture.apply(record)
        batch.append(record)
        if seq % SNAPSHOT_EVERY == 0:
            log.append(batch, [picture.to_snapshot()])
            batch = []
    log.append(batch)
    with log.engine.begin() as conn:  # recorded as it happened: at the event's own time
        conn.execute(update(events).values(recorded_at=events.c.time))
    log.close()
    return seq


def baseline(url: str, start: datetime, end: datetime) -> tuple[float, list[float], int]:
    """(wall seconds for the whole night, each request's seconds, records) fetched back to back."""
    token = httpx.post(f"{url}/api/token", data={"username": "chief", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        first = client.get("/api/replay/snapshot", params={"at": start.isoformat()}).json()
        seq, clock, took, count = first["seq"], start, [], 0
        began = time.perf_counter()
        while clock < end:
            clock = min(end, clock + timedelta(seconds=STEP_S))
            t = time.perf_counter()
            frame = client.get(
                "/api/replay/events", params={"after": seq, "at": clock.isoformat()}
            ).json()
            took.append(time.perf_counter() - t)
            seq, count = frame["seq"], count + len(frame["events"])
        return time.perf_counter() - began, took, count


LAG = """() => { const r = window.probe.live.replay;
  return r ? [r.clock, r.recorded, r.seq, r.playing] : null; }"""


def replayed(url: str, start: datetime, end: datetime, speed: int) -> list[list[float]]:
    """[wall s, replay clock, recorded time of the newest record applied, seq] each second."""
    session = httpx.post(f"{url}/api/session", data={"username": "chief", "password": PASSWORD})
    cookies = [{"name": k, "value": v, "url": url} for k, v in session.cookies.items()]
    zulu = "%Y-%m-%dT%H:%M:%SZ"
    link = f"/wall?replay={start:{zulu}}/{end:{zulu}}&at={start:{zulu}}&speed={speed}"
    samples: list[list[float]] = []
    with sync_playwright() as playwright:
        browser = launch(playwright, *UNTHROTTLED)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        probed(context)
        context.add_cookies(cookies)  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(url + link)
        page.wait_for_function(
            "() => window.probe.live.replay && window.probe.live.replay.seq > 0", timeout=120_000
        )
        page.click("#replay-play")
        began = time.monotonic()
        while True:
            time.sleep(1)
            clock, recorded, seq, playing = page.evaluate(LAG)
            samples.append([time.monotonic() - began, clock / 1000, recorded / 1000, seq])
            if not playing:
                break
        browser.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--speed", type=int, default=60, choices=(1, 10, 60))
    parser.add_argument("--pings", action="store_true", help="with AVL pings (~6x the records)")
    args = parser.parse_args()
    london = London.load()
    start = last_saturday_night()
    end = start + timedelta(hours=args.hours)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = f"sqlite:///{workdir}/bench.sqlite3"
        t = time.perf_counter()
        count = fill(database, london, start, args.hours, args.pings)
        rate = count / args.hours / 3600
        print(
            f"saturday-night from {start:%a %d %b %H:%M} UTC, {args.hours:g} h: {count:,} records "
            f"({rate:.1f} a second), written in {time.perf_counter() - t:.0f} s"
        )
        process, url = start_server(workdir, {"chief": "commander"})
        try:
            wall_s, took, records = baseline(url, start, end)
            print(
                f"baseline, frames back to back: the night in {wall_s:.1f} s "
                f"(= {args.hours * 3600 / wall_s:,.0f}x), {records:,} records; a request "
                f"p50 {statistics.median(took) * 1000:.0f} ms, "
                f"max {max(took) * 1000:.0f} ms"
            )
            samples = replayed(url, start, end, args.speed)
        finally:
            process.terminate()
            process.wait(20)
    report(samples, args.hours * 3600 / args.speed)


def report(samples: list[list[float]], expected_s: float) -> None:
    lags = [clock - recorded for _, clock, recorded, _ in samples]
    minute = max(1, min(60, len(lags) // 3))
    first, last = lags[:minute], lags[-minute - 1 : -1] or lags[-minute:]
    took = samples[-1][0]
    print(
        f"page at {expected_s / took * 100:.0f}% of the asked pace: the night in {took:.0f} s "
        f"(asked {expected_s:.0f} s); lag behind the replay clock, replayed seconds: "
        f"p50 {statistics.median(lags):.1f}, p99 {sorted(lags)[int(0.99 * (len(lags) - 1))]:.1f}, "
        f"max {max(lags):.1f}; first {len(first)} s mean {statistics.mean(first):.1f}, "
        f"last {len(last)} s mean {statistics.mean(last):.1f}"
    )


if __name__ == "__main__":
    main()
