"""The composition root: one ASGI app serving the API, the WebSocket and the dashboard."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from dashboard.app import create_dash
from geodata import London
from stream.settings import Settings


def create_server(settings: Settings) -> FastAPI:
    """The whole product on one port: /api, /healthz, /docs and the dashboard at /."""
    london = London.load(settings.boundaries, settings.h3_resolution)
    app = create_app(settings)
    app.state.london = london
    create_dash(settings, app, london)
    return app
