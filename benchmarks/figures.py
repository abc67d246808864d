"""The figures a benchmark hands to ``make bench`` (benchmarks.table), beside what it prints.

A benchmark calls :func:`record` with the figures of its table; when ``BLUELAMP_BENCH_FIGURES``
names a file (benchmarks.table sets it), they are merged into that file as JSON. Run alone, a
benchmark only prints.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "BLUELAMP_BENCH_FIGURES"


def record(figures: dict[str, float]) -> None:
    name = os.environ.get(ENV)
    if not name:
        return
    path = Path(name)
    had = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(had | figures, indent=1))
