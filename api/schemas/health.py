"""Health's answers: liveness (``/healthz``) and readiness with each check (``/readyz``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.closed import Closed


class Alive(Closed):
    status: Literal["ok"]


class Check(Closed):
    ok: bool
    detail: str = Field(description="what it found, or why it failed")


class Readiness(Closed):
    """200 when every check is ok, else 503 with the same body."""

    status: Literal["ready", "not ready"]
    checks: dict[str, Check] = Field(description="by name: app, bus, database, ...")
