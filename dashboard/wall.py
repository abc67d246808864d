"""The wall screen: all of London at a glance, read from across the room with no mouse.

A full-screen map (boroughs, BCU outlines, demand heat by hex, incidents by grade with
I-grade dominant, units by status), a KPI strip, the incidents at risk of missing their
target, alerts, and per-BCU demand against capacity and against the usual for this hour
(``GET /api/demand/usual``). Everything live is filled and kept
current in the browser (assets/js/wall.js) from the /ws feed. ``?privacy=off`` shows
incident summaries (hidden by default on a wall); ``?cycle=30`` visits each BCU in turn.
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.attrs import aria, data
from dashboard.map import london_map
from dashboard.settings import ScreenSettings
from geodata import London


def wall_page(settings: ScreenSettings, london: London) -> Component:
    return html.Div(
        id=ids.WALL,
        className="bl-wall",
        **data(screen="wall"),
        children=[
            html.Div(id=ids.KPIS, className="bl-kpis", **aria(live="polite")),
            html.Div(
                className="bl-wall-body",
                children=[
                    html.Div(london_map(settings, london, ids.MAP), className="bl-wall-map"),
                    html.Aside(
                        className="bl-side",
                        children=[
                            html.H2("At risk"),
                            html.Ol(id=ids.AT_RISK, className="bl-list bl-at-risk"),
                            html.H2("Alerts"),
                            html.Ul(id=ids.ALERTS, className="bl-list bl-alerts"),
                            html.H2("BCUs: demand / capacity"),
                            html.Table(id=ids.BCU_TABLE, className="bl-bcu-table"),
                            html.H2("Move-ups proposed"),
                            html.Ul(id=ids.MOVES, className="bl-list bl-moves"),
                        ],
                    ),
                ],
            ),
        ],
    )
