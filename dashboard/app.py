"""The Dash application, mounted on the API's FastAPI app (Dash 4's native FastAPI backend)."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, dcc, html
from dash.development.base_component import Component
from fastapi import FastAPI

from dashboard import ids
from dashboard.attrs import data
from dashboard.inspector import register_inspector
from dashboard.routes import build_pages, register_router
from dashboard.settings import ScreenSettings
from geodata import London

ASSETS = Path(__file__).with_name("assets")
# The browser code: ES modules under assets/js/, entered through main.js. Dash must not
# load them as classic scripts (assets_path_ignore); the renderer starts once they have
# run, so what dash-leaflet and dash-ag-grid look up on window by name (assets/js/layers.js,
# grid.js) is there before their first render (module scripts are otherwise deferred).
MODULES = "/assets/js/main.js"
RENDERER = (
    f'import("{MODULES}").then(function () {{ window.renderer = new DashRenderer(); }},'
    ' function (error) { console.error("Bluelamp\'s browser code did not load", error); });'
)
SUBTITLE = "Live operational picture of London"


def create_dash(settings: ScreenSettings, server: FastAPI, london: London) -> Dash:
    """Build the dashboard on ``server``. Callbacks use ``@dash_app.callback``, never the
    global ``dash.callback``, which Dash 4 only wires on the first HTTP request."""
    dash_app = Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash 4's hints predate FastAPI servers
        title="Bluelamp",
        assets_folder=str(ASSETS),
        assets_path_ignore=["^js$"],
        serve_locally=True,  # the default; said out loud because nothing may come from a CDN
        update_title="",
        suppress_callback_exceptions=False,
    )
    dash_app.renderer = RENDERER
    pages = build_pages(settings, london)
    dash_app.layout = shell(settings)
    # Pages arrive through the router, so tell Dash about every id they contain (once each:
    # "/" and "/wall" share one layout).
    distinct = list({id(p.layout): p.layout for p in pages}.values())
    dash_app.validation_layout = html.Div(  # type: ignore[assignment]  # hinted as None
        [shell(settings), *distinct]
    )
    register_router(dash_app, pages)
    register_inspector(dash_app)
    _finish_setup_now(dash_app)
    return dash_app


def _finish_setup_now(dash_app: Dash) -> None:
    """Do Dash's first-request set-up (assets/, layout validation) now, not on a request.

    Dash 4.4.1's FastAPI backend runs it only when the first request is for ``/`` or a
    ``/_dash-*`` route. A wall screen that reloads ``/wall`` after a restart would get a page
    with no assets/ scripts or styles (seen in the browser tests). It is idempotent.
    """
    dash_app._setup_server()  # type: ignore[no-untyped-call]


def shell(settings: ScreenSettings) -> Component:
    """What every page shares: the header with its clock, and the slot the router fills."""
    return html.Div(
        className="bl-shell",
        children=[
            dcc.Location(id=ids.URL),
            html.Header(
                className="bl-header",
                children=[
                    html.H1("Bluelamp"),
                    html.Span(SUBTITLE, className="bl-subtitle"),
                    html.Span(id=ids.PAGE_TITLE, className="bl-page-title"),
                    # Shown only once someone is signed in (never on the sign-in page), and
                    # the Planner link only to roles that may use it: bluelamp.css keys both
                    # on the role the browser script puts on <html> (assets/js/mount.js).
                    html.Nav(
                        id=ids.NAV,
                        className="bl-nav",
                        children=[
                            dcc.Link("Wall", href="/wall"),
                            dcc.Link("Inspector", href="/inspector"),
                            dcc.Link(
                                "Planner",
                                href="/planner",
                                id=ids.NAV_PLANNER,
                                className="bl-nav-planner",
                            ),
                        ],
                    ),
                    # How fresh the live data is: last seq and its age (assets/js/feed.js).
                    html.Span(id=ids.FRESHNESS, className="bl-freshness"),
                    # Opens the replay's period chooser on the wall and the desk (replay.js).
                    html.Button("Replay", id=ids.REPLAY_OPEN, className="bl-button bl-replay-open"),
                    html.Span(id=ids.USER, className="bl-user"),
                    html.Button("Sign out", id=ids.SIGN_OUT, className="bl-button bl-signout"),
                    # Ticks in the browser (assets/js/header.js) in the display time zone.
                    html.Time(
                        id=ids.CLOCK,
                        className="bl-clock",
                        **data(timezone=settings.display_timezone),
                    ),
                ],
            ),
            html.Div(
                "Live feed lost: reconnecting. What you see may be out of date.",
                id=ids.BANNER,
                className="bl-banner",
                role="alert",
                hidden=True,
            ),
            # While this page replays the log: REPLAY, the replayed time and the controls.
            html.Div(id=ids.REPLAY_BAR, className="bl-replay-bar", hidden=True),
            html.Main(id=ids.PAGE, className="bl-main"),
        ],
    )
