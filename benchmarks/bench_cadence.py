"""Benchmark: what a 4K wall page costs when AVL pings repaint unit positions with every
frame (before) and at most once a second (after: the store's move cadence), in the same run.

    .venv/bin/python -m benchmarks.bench_cadence [--rate 2000] [--seconds 10] [--moves-ms 1000]

A ``bluelamp serve`` subprocess on Redis and SQLite holds London: 3,000 units on duty and
300 open incidents. One wall page, 3840x2160 in headless Chromium, follows ``/ws`` while a
producer XADDs pings at the rate for the seconds given, first with ``setMoveMs(0)`` (every
frame repaints the units that moved, as before the cadence) and then with the cadence. Per
row: the CPU of all Chromium processes and of the server (cores busy, of the machine's 2),
repaints per second and their mean apply ms, and from XADD to the page, p50/p99 of two
things: the seq on screen (every change but a move painted, the store current), and the
seq up to which every move is painted (``live.applied``'s fourth column). Last, the page's
first paint: from opening a new ``/ws`` without ``since`` to its snapshot painted (3,000
units, 300 open incidents), five times.
"""

from __future__ import annotations

import argparse
from typing import Any

from playwright.sync_api import Page

from benchmarks.bench_browser import (
    Server,
    busy_room,
    cpu_since,
    cpu_times,
    open_wall,
    pct,
    pinged,
    produce,
)
from benchmarks.figures import record

UHD = (3840, 2160)


def upto(
    applied: list[list[float]], column: int, seqs: list[int], sent: list[float]
) -> list[float]:
    """Per ping: ms from its XADD to the first repaint whose ``column`` seq covers it."""
    out: list[float] = []
    i = 0
    for entry in applied:
        while i < len(seqs) and seqs[i] <= entry[column]:
            out.append(entry[1] - sent[i])
            i += 1
    return out


def row(page: Page, server: Server, feed: Any, moves_ms: int, args: Any) -> str:
    page.evaluate(f"window.probe.setMoveMs({moves_ms})")
    page.evaluate("window.probe.live.applied.length = 0")
    before = {k: cpu_times(k) for k in ("chrom", "bluelamp serve")}
    base, sent = produce(server, feed[0], feed[1], args.rate, args.seconds)
    used = {k: cpu_since(k, v) / args.seconds for k, v in before.items()}
    seqs = pinged(server, base, sent)
    page.wait_for_function(f"() => window.probe.live.positionsSeq >= {seqs[-1]}", timeout=120_000)
    applied = page.evaluate("window.probe.live.applied.slice()")
    during = [a for a in applied if a[1] <= sent[-1] + 50]
    shown, moved = upto(applied, 0, seqs, sent), upto(applied, 3, seqs, sent)
    apply_ms = sum(a[2] for a in during) / max(1, len(during))
    record(
        {
            f"cadence.{moves_ms}.chromium": used["chrom"],
            f"cadence.{moves_ms}.moved_p99": pct(moved, 0.99),
        }
    )
    name = "every frame (before)" if moves_ms == 0 else f"at most every {moves_ms} ms"
    return (
        f"  {name:<24} {used['chrom']:>8.2f} {used['bluelamp serve']:>7.2f}"
        f" {len(during) / args.seconds:>9.1f} {apply_ms:>8.1f}"
        f" {pct(shown, 0.5):>7.0f} {pct(shown, 0.99):>7.0f}"
        f" {pct(moved, 0.5):>7.0f} {pct(moved, 0.99):>7.0f}"
    )


FIRST_PAINT = """async () => {
  const feed = await import('/assets/js/live.js');
  const store = await import('/assets/js/store.js');
  feed.stop();
  await new Promise((done) => setTimeout(done, 300));
  store.live.seq = 0;  // no ?since=: the server sends a snapshot
  const asked = performance.timeOrigin + performance.now();
  feed.start();
  for (;;) {
    await new Promise((done) => setTimeout(done, 5));
    const painted = store.live.applied.find((a) => a[1] >= asked && a[0] > 0);
    if (painted) { return painted[1] - asked; }
  }
}"""


def first_paint(page: Page, times: int = 5) -> str:
    """From opening a new /ws (no ``since``) to the snapshot painted, ``times`` over."""
    took = sorted(float(page.evaluate(FIRST_PAINT)) for _ in range(times))
    median = took[len(took) // 2]
    record({"reads.first_paint_ms": median})
    return (
        f"  first paint, a new /ws to its snapshot painted: median {median:.0f} ms,"
        f" max {took[-1]:.0f} ms ({times} times)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--moves-ms", type=int, default=1_000)
    args = parser.parse_args()
    with busy_room(3_000, 300) as room:
        page = open_wall(room.browser, room.server, UHD)
        print(
            f"one {UHD[0]}x{UHD[1]} wall page, 3,000 units, {args.rate:,} pings/s for"
            f" {args.seconds:g} s\n  {'units repainted':<24} {'chromium':>8} {'server':>7}"
            f" {'repaint/s':>9} {'apply ms':>8} {'shown':>7} {'p99':>7} {'moved':>7} {'p99':>7}"
        )
        for moves_ms in (0, args.moves_ms):
            print(row(page, room.server, room.feed, moves_ms, args), flush=True)
        print(first_paint(page))


if __name__ == "__main__":
    main()
