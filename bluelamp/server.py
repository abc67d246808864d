"""The composition root: one ASGI app serving the API, the WebSocket and the dashboard."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from api.app import add_readiness_check, create_app
from api.headers import tile_source
from bluelamp import demo
from bluelamp.settings import Settings
from dashboard.app import create_dash
from dashboard.callguard import CallbackGuard
from geodata import London


def create_server(settings: Settings) -> FastAPI:
    """The whole product on one port: /api, /healthz, /readyz, /docs and the dashboard at /.

    One per process: Dash's FastAPI backend wires its catch-all route at start-up onto the
    most recently created Dash app, so build a server and start it before building another.
    """
    london = London.load(boundaries=settings.boundaries, h3_resolution=settings.h3_resolution)
    app = create_app(
        settings, london, on_start=partial(demo.start, settings) if settings.demo else None
    )
    app.state.london = london
    dash_app = create_dash(settings, app, london)
    app.state.dash = dash_app
    app.add_middleware(CallbackGuard, dash_app=dash_app)
    # Dash's inline scripts (its renderer, clientside callbacks) by hash: nothing else
    # inline may run (api.headers).
    app.state.csp.allow_scripts(dash_app.csp_hashes())
    app.state.csp.allow_images(tile_source(settings.tile_url))

    async def dashboard_built() -> str:
        return f"{len(dash_app.callback_map)} callbacks wired"

    add_readiness_check(app, "dashboard", dashboard_built)
    return app
