"""Databases for tests as a server leaves them: upgraded to this Bluelamp's schema by the
migrations (bluelamp.migrations), which the rooms never do themselves."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from sqlalchemy.engine import make_url

from bluelamp.migrations import upgrade


def migrated(url: str, schema: str | None = None) -> str:
    """``url``, its database (or PostgreSQL ``schema``) upgraded to head. A new SQLite file
    is a copy of one upgraded once per test process (~1 ms instead of ~60: hundreds of
    tests start from one); anything else is upgraded in place."""
    path = make_url(url).database if url.startswith("sqlite:") else None
    # Not over a write-ahead log left beside it: SQLite would replay that into the copy.
    if path and path != ":memory:" and not any(_beside(path)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template(), path)
    else:
        upgrade(url, schema)
    return url


def _beside(path: str) -> list[bool]:
    return [Path(f"{path}{suffix}").exists() for suffix in ("", "-wal", "-shm")]


@cache
def _template() -> Path:
    folder = tempfile.mkdtemp(prefix="bluelamp-schema-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = Path(folder) / "head.sqlite3"
    upgrade(f"sqlite:///{path}")  # closed after: the write-ahead log is folded into the file
    return path
