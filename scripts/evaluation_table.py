"""The decision-support evaluation: every policy on the same seeded demand, as a table.

Runs `bluelamp evaluate --json` for each scenario x policy x seed (in parallel, one process
each), keeps every run's JSON in a file, and prints the markdown table that
docs/decision-support.md holds: per scenario and policy, the mean over seeds of I and S
compliance, I-grade late arrivals, I mean and 90th percentile, move-ups an hour, the
kilometres driven beside the first policy's and the unit-hours worked past a shift's end.

    python scripts/evaluation_table.py --days 7 --seeds 1101 1102 --jobs 2 --out runs.jsonl
    python scripts/evaluation_table.py --table runs.jsonl     # the table again, no runs
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import mean
from typing import Any

SCENARIOS = ("normal-day", "saturday-night", "carnival")
POLICIES = ("closest-idle-own-bcu", "closest-idle-any", "bluelamp")
BLUELAMP = Path(sys.executable).with_name("bluelamp")


def run(scenario: str, policy: str, seed: int, days: float) -> dict[str, Any]:
    command = [str(BLUELAMP), "evaluate", "--scenario", scenario, "--policy", policy]
    command += ["--seed", str(seed), "--days", str(days), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    answer: dict[str, Any] = json.loads(done.stdout)
    answer["scenario_asked"] = scenario  # the scenario's own name may differ from its file's
    return answer


def _mmss(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _row(runs: Sequence[dict[str, Any]], base_km: float) -> list[str]:
    i = [r["by_grade"]["I"] for r in runs]
    s = [r["by_grade"]["S"] for r in runs]
    km = mean(r["km_driven"] for r in runs)
    return [
        f"{mean(g['within_target'] for g in i):.1%}",
        f"{mean(g['late'] for g in i):,.0f}",
        f"{_mmss(mean(g['mean_s'] for g in i))} / {_mmss(mean(g['p90_s'] for g in i))}",
        f"{mean(g['within_target'] for g in s):.1%}",
        f"{mean(r['moves_per_hour'] for r in runs):.1f}",
        f"{km:,.0f} ({km / base_km - 1:+.1%})" if base_km else f"{km:,.0f}",
        # Runs from before evaluate counted it have none.
        f"{mean(r['overtime_h'] for r in runs):,.0f}"
        if all("overtime_h" in r for r in runs)
        else "",
    ]


def table(runs: Iterable[dict[str, Any]]) -> str:
    """One markdown table, scenarios in SCENARIOS' order and policies in POLICIES'."""
    by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in runs:
        by.setdefault((r["scenario_asked"], r["policy"]), []).append(r)
    head = "| scenario | policy | seeds | I within 15 min | I late | I mean / 90th | "
    head += "S within 60 min | move-ups an hour | km driven (vs own BCU) | hours past shift end |"
    lines = [head, "|" + "---|" * 10]
    for scenario in SCENARIOS:
        base = by.get((scenario, POLICIES[0]), [])
        base_km = mean(r["km_driven"] for r in base) if base else 0.0
        for policy in POLICIES:
            chosen = by.get((scenario, policy))
            if chosen:
                seeds = ", ".join(str(r["seed"]) for r in sorted(chosen, key=lambda r: r["seed"]))
                cells = [scenario, f"`{policy}`", seeds, *_row(chosen, base_km)]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1101, 1102])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--policies", nargs="+", default=list(POLICIES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, help="append each run's JSON here, a line each")
    parser.add_argument("--table", type=Path, help="print the table of runs already made")
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(line) for line in args.table.read_text().splitlines() if line))
        return
    # The slowest first, so the pool does not end on one long run.
    plan = [
        (sc, p, seed, args.days)
        for p in sorted(args.policies, key=lambda p: p != "bluelamp")
        for sc in args.scenarios
        for seed in args.seeds
    ]
    runs = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for answer in pool.map(lambda job: run(*job), plan):
            runs.append(answer)
            if args.out:
                with args.out.open("a") as out:
                    out.write(json.dumps(answer) + "\n")
            done = f"{answer['scenario_asked']} {answer['policy']} {answer['seed']}"
            print("done:", done, file=sys.stderr)
    print(table(runs))


if __name__ == "__main__":
    main()
