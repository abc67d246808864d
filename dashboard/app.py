"""The Dash application, mounted on the API's FastAPI app (Dash 4's native FastAPI backend)."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, dcc, html
from fastapi import FastAPI

from dashboard import ids
from dashboard.map import london_map
from geodata import London
from stream.settings import Settings

ASSETS = Path(__file__).with_name("assets")


def create_dash(settings: Settings, server: FastAPI, london: London) -> Dash:
    """Build the dashboard on ``server``. Callbacks use ``@app.callback``, never the global
    ``dash.callback``, which Dash 4 only wires on the first HTTP request (STACK.md)."""
    app = Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash 4's hints predate FastAPI servers
        title="Bluelamp",
        assets_folder=str(ASSETS),
        update_title="",
        suppress_callback_exceptions=False,
    )
    app.layout = html.Div(
        className="bl-shell",
        children=[
            dcc.Location(id=ids.URL),
            html.Header(
                className="bl-header",
                children=[
                    html.H1("Bluelamp"),
                    html.Span("London — boroughs and Basic Command Units", className="bl-subtitle"),
                    html.Span(id=ids.CLOCK, className="bl-clock"),
                ],
            ),
            html.Main(id=ids.PAGE, className="bl-main", children=london_map(settings, london)),
        ],
    )
    return app
