"""PostgreSQL schemas (and databases) of a test's own on the shared server, dropped after.

Other engineers' tests use the same server at the same time: a test makes what it writes
into under a fresh name and drops it, whatever happened, and never drops what it did not make.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import psycopg


def dsn(url: str) -> str:
    """psycopg's connection string for SQLAlchemy's ``postgresql+psycopg://`` URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextlib.contextmanager
def own_schema(url: str, name: str | None = None) -> Iterator[str]:
    """A fresh schema (``name``, or ``test_`` and a random tail) on the PostgreSQL at
    ``url``, dropped with all it holds afterwards."""
    schema = name or f"test_{uuid.uuid4().hex[:12]}"
    with made(url, f'CREATE SCHEMA "{schema}"', f'DROP SCHEMA "{schema}" CASCADE'):
        yield schema


@contextlib.contextmanager
def made(url: str, create: str, drop: str) -> Iterator[None]:
    """``create`` run on the PostgreSQL at ``url``; ``drop`` afterwards, whatever happened."""
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(create)
    try:
        yield
    finally:
        with psycopg.connect(dsn(url), autocommit=True) as conn:
            conn.execute(drop)
