"""Signed-out sessions, refused on every worker.

A Bluelamp token is valid until its ``exp`` by its signature alone; signing out records its
``jti`` here (in the database every worker shares, the embedded SQLite one included) with
that expiry, and :func:`api.deps.resolve` refuses a recorded token from then on. A row is
needed only until the token would have expired: older rows are purged as new ones come.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from api.database import revoked_tokens


class Revocations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def revoke(self, token_id: str, username: str, expires: int) -> None:
        """Record a signed-out token (idempotent: signing out twice is no error)."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < now))
                conn.execute(
                    insert(revoked_tokens).values(
                        jti=token_id,
                        username=username,
                        expires_at=datetime.fromtimestamp(expires, UTC),
                        revoked_at=now,
                    )
                )
        except IntegrityError:
            pass  # already revoked

    def revoked(self, token_id: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(revoked_tokens.c.jti).where(revoked_tokens.c.jti == token_id)
            ).first()
        return found is not None
