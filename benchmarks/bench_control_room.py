"""Benchmark: a control room on one server: many lightweight ``/ws`` clients and one real
Chromium wall page following a feed of AVL pings, beside one client alone.

    .venv/bin/python -m benchmarks.bench_control_room [--clients 1 200] [--rate 2000]
                                                      [--seconds 10]

A ``bluelamp serve`` subprocess on Redis and SQLite holds London: 3,000 units on duty and
300 open incidents. For each number of clients, the clients (``benchmarks.wsclients``, a
process of their own, signed in as wall screens) and one wall page in headless Chromium
follow ``/ws``; a producer XADDs pings at the rate for the seconds given, and each ping's
seq and ``recorded_at`` are read back from the log. A client's latency for an event
is from its XADD to the arrival of the first frame whose seq covers it; the page's, from its
XADD to the page's repaint showing it (as in bench_browser). This is stricter than "logged
to delivered": it includes the ingest stream and the sequencer's batch. "Dropped" counts
clients the server closed; "missing" the events some client never had. CPU is each side's
cores busy while the feed ran (the machine has 2, shared by all of it). With
``--sequencer-apart`` the server runs with ``BLUELAMP_SEQUENCE=false`` and ``bluelamp
sequence`` sequences beside it (its CPU in its own column). With ``--no-compress`` the server
refuses permessage-deflate (``BLUELAMP_WS_COMPRESS=false``), which every client and the page
otherwise negotiate. With ``--recommender-apart`` the recommender computes in a process of its
own (``BLUELAMP_RECOMMENDER_PROCESS=true``; its CPU in the ``rec'r`` column). With
``--frame-ms N`` the live feed's frames fall due every N ms (``BLUELAMP_WS_FRAME_MS``, 50).

    .venv/bin/python -m benchmarks.bench_control_room --sequencer-apart [--no-compress]
                                                      [--recommender-apart] [--frame-ms 20]

The baseline is the first row: the same feed, the same page, one client.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_browser import Server, busy_room, cpu_seconds, open_wall, produce
from benchmarks.figures import record
from benchmarks.harness import token

SETTLE_S = 2.0  # after the page has the last event, for the clients to have it too


def start_clients(url: str, user_token: str, n: int, out: Path) -> subprocess.Popen[bytes]:
    ws_url = f"{url.replace('http', 'ws')}/ws?token={user_token}"
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.wsclients", ws_url, str(n), str(out)],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"ready":
        raise SystemExit("the clients did not connect")
    return process


def logged(server: Server, base: int, n: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The seq and the log's ``recorded_at`` (epoch ms) of the ``n`` pings after ``base``,
    in the order they were XADDed (the recommender's ledger entries have seqs among them)."""
    rows = server.logged(base, n)
    return np.array([seq for seq, _ in rows]), np.array([_epoch_ms(at) for _, at in rows])


def _epoch_ms(text: str) -> float:
    when = datetime.fromisoformat(text)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000


def delays(frames: list[Any], seqs: np.ndarray[Any, Any], since_ms: np.ndarray[Any, Any]) -> Any:
    """Per event (its seq, and the time it is measured from): ms until the first frame whose
    seq covers it arrived; and how many never arrived. ``frames``: rows starting with (seq,
    epoch ms), as the clients note them and the page's ``live.applied``."""
    got = np.asarray([row[:2] for row in frames], dtype=float).reshape(-1, 2)
    at = np.searchsorted(got[:, 0], seqs, side="left")
    had = at < len(got)
    return got[at[had], 1] - since_ms[had], int((~had).sum())


def run_row(server: Server, page: Any, feed: Any, clients: int, args: Any, workdir: Path) -> str:
    out = workdir / f"clients-{clients}.json"
    process = start_clients(server.url, token(server.url, "screen"), clients, out)
    try:
        page.evaluate("window.probe.live.applied.length = 0")
        # spawn_main: the recommender's process (BLUELAMP_RECOMMENDER_PROCESS).
        names = (
            "bluelamp serve",
            "bluelamp sequence",
            "spawn_main",
            "benchmarks.wsclients",
            "chrom",
        )
        before = {k: cpu_seconds(k) for k in names}
        base, sent = produce(server, feed[0], feed[1], args.rate, args.seconds)
        used = {k: (cpu_seconds(k) - v) / args.seconds for k, v in before.items()}
        server.wait_for(base + len(sent))
        time.sleep(SETTLE_S)
        applied = page.evaluate("window.probe.live.applied.slice()")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    seqs, logged_ms = logged(server, base, len(sent))
    sent_ms = np.asarray(sent)
    from_log, from_xadd, missing = [], [], 0
    notes = json.loads(out.read_text())
    for note in notes:
        frames = note["frames"]
        values, lost = delays(frames, seqs, logged_ms)
        from_log.append(values)
        from_xadd.append(delays(frames, seqs, sent_ms)[0])
        missing += lost
    on_page, page_missing = delays(applied, seqs, sent_ms)
    log_ms, xadd_ms = np.concatenate(from_log), np.concatenate(from_xadd)
    dropped = sum(note["ending"] != "open" for note in notes)
    record(
        {
            f"fanout.{clients}.log_p99": float(np.percentile(log_ms, 99)),
            f"fanout.{clients}.dropped": dropped,
            f"fanout.{clients}.missing": missing + page_missing,
            f"fanout.{clients}.server": used["bluelamp serve"],
            f"fanout.{clients}.page_p99": float(np.percentile(on_page, 99)),
        }
    )
    return (
        f"  {clients:>7} {len(sent) / args.seconds:>6,.0f}"
        f" {np.percentile(log_ms, 50):>7.0f} {np.percentile(log_ms, 99):>7.0f}"
        f" {np.percentile(xadd_ms, 50):>7.0f} {np.percentile(xadd_ms, 99):>7.0f}"
        f" {dropped:>7} {missing + page_missing:>7}"
        f" {np.percentile(on_page, 50):>8.0f} {np.percentile(on_page, 99):>8.0f}"
        f" {used['bluelamp serve']:>7.2f} {used['bluelamp sequence']:>7.2f}"
        f" {used['spawn_main']:>6.2f}"
        f" {used['benchmarks.wsclients']:>7.2f}"
        f" {used['chrom']:>7.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 200])
    parser.add_argument("--rate", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--sequencer-apart", action="store_true", help="bluelamp sequence beside the server"
    )
    parser.add_argument(
        "--no-compress", action="store_true", help="the server with BLUELAMP_WS_COMPRESS=false"
    )
    parser.add_argument(
        "--recommender-apart",
        action="store_true",
        help="the recommender in a process of its own (BLUELAMP_RECOMMENDER_PROCESS=true)",
    )
    parser.add_argument(
        "--frame-ms", type=int, help="the live feed's frame tick (BLUELAMP_WS_FRAME_MS; 50)"
    )
    args = parser.parse_args()
    env = {"BLUELAMP_SEQUENCE": "false"} if args.sequencer_apart else {}
    env |= {"BLUELAMP_WS_FRAME_MS": str(args.frame_ms)} if args.frame_ms else {}
    env |= {"BLUELAMP_WS_COMPRESS": "false"} if args.no_compress else {}
    env |= {"BLUELAMP_RECOMMENDER_PROCESS": "true"} if args.recommender_apart else {}
    with busy_room(3_000, 300, {"screen": "wall"}, **env) as room:
        page = open_wall(room.browser, room.server)
        print(
            f"\nA control room: /ws clients and one Chromium wall page, {args.rate:,} AVL"
            f" pings/s for {args.seconds:g} s (3,000 units, 300 open incidents)"
        )
        print(
            "                 log -> client   XADD -> client"
            "                  XADD -> page       cores busy"
        )
        print(
            "  clients   ev/s     p50     p99     p50     p99 dropped missing"
            "      p50      p99  server  seq'r  rec'r clients  chrome"
        )
        for clients in args.clients:
            print(run_row(room.server, page, room.feed, clients, args, room.workdir), flush=True)


if __name__ == "__main__":
    main()
