"""Databases for tests as a server leaves them: upgraded to this Bluelamp's schema by the
migrations (bluelamp.migrations), which the rooms never do themselves."""

from __future__ import annotations

from bluelamp.migrations import upgrade


def migrated(url: str, schema: str | None = None) -> str:
    """``url``, its database (or PostgreSQL ``schema``) upgraded to head: ~0.1 s."""
    upgrade(url, schema)
    return url
