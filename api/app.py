"""The API application factory. Nothing is built at import time: call ``create_app(settings)``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from stream.settings import Settings

API_PREFIX = "/api"


def create_app(settings: Settings) -> FastAPI:
    """The ASGI app serving /api, /healthz and /readyz; the dashboard mounts itself on it."""
    app = FastAPI(
        title="Bluelamp",
        summary="Live incidents and units across London for police control rooms.",
        version="0.1.0",
    )
    app.state.settings = settings

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers. Needs no credential."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> dict[str, object]:
        """Readiness: what this process depends on answers."""
        return {"status": "ready", "checks": {}}

    _guard_api_namespace(app)
    return app


def _guard_api_namespace(app: FastAPI) -> None:
    """Unknown /api paths answer a JSON 404 instead of the dashboard's HTML page.

    Dash's FastAPI backend adds a catch-all GET route at start-up; registering this first
    keeps the API namespace the API's (STACK.md: Dash on FastAPI pitfalls).
    """

    async def not_found(rest: str) -> JSONResponse:
        return JSONResponse({"detail": f"no such API path: {API_PREFIX}/{rest}"}, 404)

    app.add_api_route(
        f"{API_PREFIX}/{{rest:path}}",
        not_found,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
