"""``make bench``: issue 18's figures in one table, each beside its baseline from the same
run, its target, and the figure committed in docs/performance.md.

    .venv/bin/python -m benchmarks.table [--only spine reads ...] [--soak-hours 2]

It runs the benchmarks below one after the other (each in its own process, on a machine
that should be quiet: two cores are shared by everything), collects what they hand over
(benchmarks.figures), and prints the table. A figure more than 20% worse than the one
committed in docs/performance.md ("make bench: the committed figures") is flagged
REGRESSED. This is a benchmark, never a test: it fails nothing, whatever it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import ENV

PERFORMANCE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
SECTION = "## `make bench`: the committed figures"
REGRESSION = 0.20


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    higher_is_better: bool
    target: float | None = None
    baseline: str | None = None  # the key of the figure measured beside it in the same run


UP, DOWN = True, False  # higher is better; lower is better
FIGURES = [
    Figure("spine.raw", "spine: raw redis-py XADD + PUBLISH", "ev/s", UP),
    Figure("spine.memory+sqlite", "spine: memory bus + SQLite", "ev/s", UP, None, "spine.raw"),
    Figure("spine.redis+sqlite", "spine: Redis + SQLite", "ev/s", UP, 20_000, "spine.raw"),
    Figure("spine.redis+postgres", "spine: Redis + PostgreSQL", "ev/s", UP, 15_000, "spine.raw"),
    Figure("reads.floor", "reads: GET /healthz (floor)", "req/s", UP),
    Figure("reads.picture_json", "reads: picture, JSON", "req/s", UP, 1_000, "reads.floor"),
    Figure("reads.picture_gzip", "reads: picture, gzip", "req/s", UP, 1_000, "reads.floor"),
    Figure("reads.floor_per_core", "reads: /healthz, req/s a server core", "req/s", UP),
    Figure(
        "reads.picture_json_per_core", "reads: picture JSON, req/s a server core", "req/s", UP,
        None, "reads.floor_per_core",
    ),
    Figure(
        "reads.picture_gzip_per_core", "reads: picture gzip, req/s a server core", "req/s", UP,
        None, "reads.floor_per_core",
    ),
    Figure("reads.first_paint_ms", "reads: 4K wall's first paint over /ws", "ms", DOWN, 300),
    Figure("fanout.1.log_p99", "fan-out, 1 client: log -> client p99", "ms", DOWN),
    Figure(
        "fanout.200.log_p99", "fan-out, 200: log -> client p99", "ms", DOWN, 50, "fanout.1.log_p99"
    ),
    Figure("fanout.200.dropped", "fan-out, 200: clients dropped", "clients", DOWN, 0),
    Figure("fanout.200.missing", "fan-out, 200: events missing", "events", DOWN, 0),
    Figure("fanout.200.server", "fan-out, 200: server CPU", "cores", DOWN, None, "fanout.1.server"),
    Figure(
        "fanout.200.page_p99", "fan-out, 200: page XADD -> shown p99", "ms", DOWN, 100,
        "fanout.1.page_p99",
    ),
    Figure("cadence.0.chromium", "4K wall, moves every frame: Chromium", "cores", DOWN),
    Figure(
        "cadence.1000.chromium", "4K wall, moves once a second: Chromium", "cores", DOWN, None,
        "cadence.0.chromium",
    ),
    Figure("memory.peak_mb", "memory: server RSS peak (soak)", "MB", DOWN, 500),
    Figure("memory.growth_mb_h", "memory: growth, soak's second half", "MB/h", DOWN),
]  # fmt: skip


def runs(soak_hours: float) -> dict[str, list[str]]:
    """Each part of the table and the benchmark command that measures it."""
    return {
        "spine": ["benchmarks.bench_spine", "--sizes", "20000"],
        "reads": ["benchmarks.bench_api", "--seconds", "3", "--requests-only"],
        "fanout": ["benchmarks.bench_control_room", "--clients", "1", "200", "--seconds", "10"],
        "cadence": ["benchmarks.bench_cadence", "--seconds", "10"],
        "memory": ["benchmarks.soak", "--hours", f"{soak_hours:g}"],
    }


def committed(text: str) -> dict[str, float]:
    """The figures in docs/performance.md's committed section: rows ``| `key` | value |``."""
    if SECTION not in text:
        return {}
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([-0-9.,]+) \|", section, re.MULTILINE)
    return {key: float(value.replace(",", "")) for key, value in rows}


def regressed(figure: Figure, now: float, then: float | None) -> bool:
    """More than 20% worse than the committed figure (a zero is held to stay zero)."""
    if then is None:
        return False
    if then == 0:
        return now > 0 and not figure.higher_is_better
    change = (now - then) / abs(then)
    return change < -REGRESSION if figure.higher_is_better else change > REGRESSION


def met(figure: Figure, now: float) -> str:
    if figure.target is None:
        return ""
    ok = now >= figure.target if figure.higher_is_better else now <= figure.target
    return "met" if ok else "not met"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def table(figures: dict[str, float], before: dict[str, float]) -> list[str]:
    head = f"  {'figure':<42} {'now':>9} {'baseline':>9} {'target':>8} {'':>7} {'committed':>9}"
    lines = [head + "  unit"]
    for f in FIGURES:
        if f.key not in figures:
            continue
        now = figures[f.key]
        base = figures.get(f.baseline) if f.baseline else None
        then = before.get(f.key)
        flag = "  REGRESSED" if regressed(f, now, then) else ""
        target = (
            ("≥ " if f.higher_is_better else "≤ ") + number(f.target)
            if f.target is not None
            else ""
        )
        lines.append(
            f"  {f.label:<42} {number(now):>9} {number(base):>9} {target:>8} {met(f, now):>7}"
            f" {number(then):>9}  {f.unit}{flag}"
        )
    return lines


def markdown(figures: dict[str, float]) -> str:
    """The committed section's rows for these figures (to paste into docs/performance.md)."""
    return "\n".join(f"| `{f.key}` | {figures[f.key]:.2f} |" for f in FIGURES if f.key in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(runs(1)), help="these parts only")
    parser.add_argument("--soak-hours", type=float, default=2.0, help="simulated hours")
    parser.add_argument("--markdown", action="store_true", help="also print the rows to commit")
    args = parser.parse_args()
    chosen = {k: v for k, v in runs(args.soak_hours).items() if not args.only or k in args.only}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        failed = []
        for name, command in chosen.items():
            print(f"make bench: {name} ({' '.join(command)})", flush=True)
            done = subprocess.run(
                [sys.executable, "-m", *command], env=os.environ | {ENV: str(out)}
            )
            if done.returncode:
                failed.append(name)
        figures = json.loads(out.read_text()) if out.exists() else {}
    print("\nIssue 18's figures (docs/performance.md)")
    print("\n".join(table(figures, committed(PERFORMANCE.read_text()))))
    if failed:
        print(f"  did not finish: {', '.join(failed)}")
    if args.markdown:
        print("\n" + markdown(figures))


if __name__ == "__main__":
    main()
