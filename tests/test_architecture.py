"""The rooms' imports point one way: geodata <- stream <- reports <- api <- dashboard
(and inside stream.picture: fold <- rules, kpis, snapshot <- state <- model)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Any number kept (rooms add their own contracts), none broken.
    assert re.search(r"Contracts: [1-9][0-9]* kept, 0 broken", result.stdout), result.stdout


def test_geodata_imports_nothing_of_ours() -> None:
    for path in (ROOT / "geodata").rglob("*.py"):
        text = path.read_text()
        for room in ("stream", "reports", "api", "dashboard"):
            assert f"from {room}" not in text and f"import {room}" not in text, path
