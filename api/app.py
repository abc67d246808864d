"""The API application factory. Nothing is built at import time: call ``create_app(settings)``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from stream.settings import Settings

API_PREFIX = "/api"
READINESS_TIMEOUT_S = 2.0

# A readiness check answers a short description of what it saw, or raises with the reason.
ReadinessCheck = Callable[[], Awaitable[str]]


def create_app(settings: Settings) -> FastAPI:
    """The ASGI app serving /api, /healthz and /readyz; the dashboard mounts itself on it."""
    app = FastAPI(
        title="Bluelamp",
        summary="Live incidents and units across London for police control rooms.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.readiness_checks = {}

    async def app_answers() -> str:
        return "serving"

    add_readiness_check(app, "app", app_answers)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers. Needs no credential."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        """Readiness: every dependency this process has registered answers (503 if not)."""
        return await _readiness(app.state.readiness_checks)

    _guard_api_namespace(app)
    return app


def add_readiness_check(app: FastAPI, name: str, check: ReadinessCheck) -> None:
    """Register a dependency for /readyz (the bus, the database, ... as they are wired in)."""
    checks: dict[str, ReadinessCheck] = app.state.readiness_checks
    if name in checks:
        raise ValueError(f"readiness check {name!r} is already registered")
    checks[name] = check


async def _readiness(checks: dict[str, ReadinessCheck]) -> JSONResponse:
    results: dict[str, dict[str, object]] = {}
    for name, check in checks.items():
        try:
            detail = await asyncio.wait_for(check(), READINESS_TIMEOUT_S)
            results[name] = {"ok": True, "detail": detail}
        except TimeoutError:
            results[name] = {"ok": False, "detail": f"no answer within {READINESS_TIMEOUT_S} s"}
        except Exception as exc:  # a failing dependency is reported, never raised
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    ready = all(result["ok"] for result in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": results},
        status_code=200 if ready else 503,
    )


def _guard_api_namespace(app: FastAPI) -> None:
    """Unknown /api paths answer a JSON 404 instead of the dashboard's HTML page.

    Dash's FastAPI backend adds a catch-all GET route at start-up; registering this first
    keeps the API namespace the API's (STACK.md: Dash on FastAPI pitfalls). Routes the API
    issue adds must be registered before this guard: call it last in ``create_app``.
    """

    async def not_found(rest: str) -> JSONResponse:
        return JSONResponse({"detail": f"no such API path: {API_PREFIX}/{rest}"}, 404)

    app.add_api_route(
        f"{API_PREFIX}/{{rest:path}}",
        not_found,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
