"""Soak: a server at London scale fed a simulated day as fast as it takes it, its memory
sampled every simulated minute.

    .venv/bin/python -m benchmarks.soak [--hours 24] [--clients 2] [--scenario normal-day]

A ``bluelamp serve`` subprocess on Redis and SQLite, with the recommender on and ``--clients``
lightweight ``/ws`` clients following the feed (benchmarks.wsclients), is fed the simulator's
events (pings on, the whole Met fleet) for ``--hours`` simulated hours that ended at least an
hour ago (the scenario's start moved back whole weeks: the same events whenever it runs).
Events go on the ingest stream a simulated minute at a time; once the sequencer has taken
that minute (the ingest group's lag and pending are 0), the server's resident memory (VmRSS
of it and its children) is sampled. Printed: RSS by simulated hour, the peak, the growth
over the second half of the run in MB per simulated hour, and any rejection or dropped
client. Closed incidents stay in the live picture for 24 hours
(stream.picture.fold.RETAIN_CLOSED), so the first day's picture grows by design; a run
longer than a day shows whether that is all.

tests/benchmarks/test_soak.py runs a short form in CI (``soak()`` for one simulated hour).
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis

from benchmarks.figures import record
from benchmarks.harness import start_server, token
from geodata import London
from stream.sim.engine import Simulation
from stream.sim.scenario import load

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT_MB = 500.0  # issue 18's bound for a server at London scale


@dataclass(frozen=True)
class Sample:
    minute: int  # simulated minutes since the start
    events: int  # events put on the ingest stream so far
    rss_mb: float


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB."""
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:"))
        pids += [int(c) for c in children]
    return total / 1024


def by_minute(scenario: str, hours: float, seed: int) -> Iterator[list[str]]:
    """The simulator's events for ``hours`` ending at least an hour ago, a simulated minute at
    a time: the scenario's own start moved back whole weeks (the same weekday and time of
    day, so the same events, whenever it runs)."""
    chosen = load(scenario)
    latest = datetime.now(UTC) - timedelta(hours=hours + 1)
    weeks = max(0, math.ceil((chosen.start - latest) / timedelta(weeks=1)))
    start = chosen.start - timedelta(weeks=weeks)
    sim = Simulation(London.load(), chosen.starting(start, hours), "closest-idle-own-bcu", seed)
    minute, chunk = 0, list[str]()
    for event in sim.events():
        at = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
        while at >= start + timedelta(minutes=minute + 1):
            yield chunk
            minute, chunk = minute + 1, []
        chunk.append(json.dumps(event))
    yield chunk


def drained(client: redis.Redis, prefix: str, timeout: float = 300) -> None:
    """Once the sequencer has taken everything on the ingest stream."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        groups = client.xinfo_groups(f"{prefix}:ingest")
        if groups and groups[0]["pending"] == 0 and groups[0]["lag"] == 0:
            return
        time.sleep(0.02)
    raise RuntimeError("the sequencer did not take the ingest stream")


@dataclass
class Soak:
    samples: list[Sample]
    dropped: list[str]  # how each /ws client the server closed ended
    rejected: dict[str, int]  # rejections of simulated events, by the start of the reason


def soak(
    hours: float,
    workdir: Path,
    clients: int = 2,
    scenario: str = "normal-day",
    seed: int = 7,
    progress: bool = False,
    redis_url: str = REDIS_URL,
) -> Soak:
    """Feed a server ``hours`` of ``scenario`` and sample its memory each simulated minute."""
    prefix = f"soak-{uuid.uuid4().hex[:10]}"
    process, url = start_server(
        workdir, {"screen": "wall"}, BLUELAMP_REDIS_URL=redis_url, BLUELAMP_KEY_PREFIX=prefix
    )
    client = redis.Redis.from_url(redis_url)
    followers = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.wsclients",
         f"{url.replace('http', 'ws')}/ws?token={token(url, 'screen')}", str(clients),
         str(workdir / "clients.json")],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    result = Soak([], [], {})
    try:
        assert followers.stdout is not None
        if followers.stdout.readline().strip() != b"ready":
            raise RuntimeError("the /ws clients did not connect")
        sent = 0
        for minute, texts in enumerate(by_minute(scenario, hours, seed)):
            pipe = client.pipeline(transaction=False)
            for text in texts:
                pipe.xadd(f"{prefix}:ingest", {"event": text})
            pipe.execute()
            sent += len(texts)
            drained(client, prefix)
            result.samples.append(Sample(minute, sent, rss_mb(process.pid)))
            if progress and minute % 60 == 0:
                print(
                    f"  {minute / 60:>8.1f} {sent:>10,} {result.samples[-1].rss_mb:>8.1f}",
                    flush=True,
                )
        followers.send_signal(signal.SIGTERM)
        followers.wait(60)
        endings = [c["ending"] for c in json.loads((workdir / "clients.json").read_text())]
        result.dropped = [ending for ending in endings if ending != "open"]
        rows: list[Any] = client.xrange(f"{prefix}:rejected")  # type: ignore[assignment]
        for _, fields in rows:
            reason = fields.get(b"reason", b"?").decode(errors="replace")[:60]
            result.rejected[reason] = result.rejected.get(reason, 0) + 1
    finally:
        followers.kill()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        if keys := list(client.scan_iter(f"{prefix}*")):
            client.delete(*keys)
    return result


def growth_per_hour(samples: list[Sample]) -> float:
    """Least-squares slope of RSS over the second half of the run, MB per simulated hour."""
    half = samples[len(samples) // 2 :]
    xs = [s.minute / 60 for s in half]
    ys = [s.rss_mb for s in half]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0


def report(samples: list[Sample], hours: float) -> list[str]:
    last = samples[-1]
    lines = [f"  {last.minute / 60:>8.1f} {last.events:>10,} {last.rss_mb:>8.1f}"]
    peak = max(s.rss_mb for s in samples)
    verdict = "under" if peak < LIMIT_MB else "OVER"
    lines.append(
        f"  peak {peak:.1f} MB ({verdict} {LIMIT_MB:.0f}); second half of {hours:g} h:"
        f" {growth_per_hour(samples):+.2f} MB per simulated hour"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--scenario", default="normal-day")
    parser.add_argument("--csv", type=Path, help="write every sample here")
    args = parser.parse_args()
    started = time.monotonic()
    print(f"soak: {args.scenario}, {args.hours:g} simulated hours, {args.clients} /ws clients")
    print(f"  {'sim hour':>8} {'events':>10} {'RSS MB':>8}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = soak(args.hours, Path(tmp), args.clients, args.scenario, progress=True)
    samples = result.samples
    print(f"  done in {time.monotonic() - started:.0f} s")
    print("\n".join(report(samples, args.hours)))
    print(f"  /ws clients dropped: {len(result.dropped)} {result.dropped or ''}")
    for reason, count in result.rejected.items():
        print(f"  rejected {count:,}: {reason}")
    peak = max(s.rss_mb for s in samples)
    record({"memory.peak_mb": peak, "memory.growth_mb_h": growth_per_hour(samples)})
    if args.csv:
        rows = "".join(f"{s.minute},{s.events},{s.rss_mb:.1f}\n" for s in samples)
        args.csv.write_text("minute,events,rss_mb\n" + rows)


if __name__ == "__main__":
    main()
