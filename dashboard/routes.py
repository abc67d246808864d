"""The dashboard's pages by path, and the router that shows the one the address asks for."""

from __future__ import annotations

from dataclasses import dataclass

from dash import Dash, Input, Output, dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.inspector import inspector_page
from dashboard.planner import planner_page
from dashboard.settings import ScreenSettings
from dashboard.signin import signin_page
from dashboard.wall import wall_page
from geodata import London


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    title: str
    layout: Component  # built once per app; the router hands out the same tree


def build_pages(settings: ScreenSettings, london: London) -> tuple[Page, ...]:
    """Every page of the dashboard. ``/`` is the wall (the same layout object: one is shown
    at a time, so the ids never clash)."""
    wall = wall_page(settings, london)
    return (
        Page("/", "Wall", wall),
        Page("/wall", "Wall", wall),
        Page("/inspector", "Inspector", inspector_page(settings, london)),
        Page("/planner", "Planner", planner_page()),
        Page("/signin", "Sign in", signin_page()),
    )


def not_found(path: str) -> Component:
    return html.Div(
        className="bl-not-found",
        children=[
            html.H2("No such page"),
            html.P(f"There is nothing at {path}."),
            dcc.Link("Back to the map of London", href="/"),
        ],
    )


def register_router(dash_app: Dash, pages: tuple[Page, ...]) -> None:
    by_path = {page.path: page for page in pages}

    # Sync on purpose and kept trivial: Dash 4's FastAPI backend runs sync callbacks on
    # the event loop thread, so anything slow here would stall every request.
    @dash_app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.PAGE_TITLE, "children"),
        Input(ids.URL, "pathname"),
    )
    def show_page(pathname: str | None) -> tuple[Component, str]:
        path = (pathname if isinstance(pathname, str) else "/").rstrip("/") or "/"
        page = by_path.get(path)
        if page is None:
            return not_found(path), "Not found"
        return page.layout, page.title
