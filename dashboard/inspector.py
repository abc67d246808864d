"""The duty inspector's desk: one BCU's queue and units, incident detail, reallocation.

The queue and unit list are AG Grids whose rows the browser keeps current from the /ws feed
(assets/screen*.js applies each frame as a grid transaction); commands go to the API from
the browser with the session's CSRF token, and their answer (or the 409/403 reason) is shown
at once. Keyboard: 1-3 assign the selected incident's suggested unit, A available, B busy,
R redeploy, Esc clear.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import Dash, Input, dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.attrs import data
from dashboard.map import london_map
from geodata import London
from stream.events import BCU_CODES
from stream.settings import Settings

GRID_OPTIONS = {
    "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
    "animateRows": False,
    "suppressCellFocus": False,
    # AG Grid's Theming API, from the grid's own module (no stylesheet to load).
    "theme": {"function": "agGrid.themeQuartz.withPart(agGrid.colorSchemeDarkBlue)"},
}
_RIGHT = {"type": "rightAligned"}

QUEUE_COLUMNS = [
    # I, S, E, R in that order (a hidden rank: the letters do not sort that way).
    {"field": "rank", "hide": True, "sort": "asc", "sortIndex": 0},
    {"field": "grade", "headerName": "Grade", "width": 90},
    {"field": "reference", "headerName": "Ref", "width": 150},
    {"field": "category", "headerName": "Category", "flex": 1},
    {"field": "status", "headerName": "Status", "width": 110},
    {"field": "age", "headerName": "Age", "width": 90, **_RIGHT},
    {
        "field": "to_target",
        "headerName": "To target",
        "width": 130,
        **_RIGHT,
        "sort": "asc",
        "sortIndex": 1,
        "valueFormatter": {"function": "mmss(params.value)"},
    },
    {"field": "nearest", "headerName": "Nearest available (ETA)", "flex": 2},
    {"field": "borough", "headerName": "Borough", "flex": 1},
]
UNIT_COLUMNS = [
    {"field": "callsign", "headerName": "Callsign", "width": 120, "sort": "asc"},
    {"field": "unit_type", "headerName": "Type", "width": 90},
    {"field": "in_status", "headerName": "Status", "width": 170},
    {"field": "incident_id", "headerName": "Incident", "flex": 1},
    {"field": "home_bcu", "headerName": "Home", "width": 80},
    {"field": "fix_age", "headerName": "Last fix", "width": 100, **_RIGHT},
]


def register_inspector(dash_app: Dash) -> None:
    """The BCU picker's value goes to the browser script, which re-filters the grids and the
    map in place (no server round trip)."""
    dash_app.clientside_callback(  # type: ignore[no-untyped-call]
        "function (code) { if (window.bluelamp.pickBcu) { window.bluelamp.pickBcu(code); } }",
        Input(ids.INSPECTOR_BCU, "value"),
        prevent_initial_call=True,
    )


def inspector_page(settings: Settings, london: London) -> Component:
    return html.Div(
        id=ids.INSPECTOR,
        className="bl-inspector",
        **data(screen="inspector"),
        children=[
            html.Div(
                className="bl-toolbar",
                children=[
                    html.Label(
                        [
                            "BCU ",
                            dcc.Dropdown(
                                id=ids.INSPECTOR_BCU,
                                options=sorted(BCU_CODES),
                                clearable=False,
                                className="bl-bcu-select",
                            ),
                        ]
                    ),
                    html.Span(
                        "Keys: 1–3 assign suggestion · A available · B busy · "
                        "R redeploy · Esc clear",
                        className="bl-keys",
                    ),
                ],
            ),
            html.Div(
                className="bl-inspector-body",
                children=[
                    _grid_panel("Queue", "bl-queue", ids.QUEUE, QUEUE_COLUMNS, "incident_id"),
                    _grid_panel("Units", "bl-units", ids.UNITS, UNIT_COLUMNS, "unit_id"),
                    html.Section(
                        className="bl-panel bl-map-panel",
                        children=[london_map(settings, london, ids.INSPECTOR_MAP)],
                    ),
                    html.Section(
                        className="bl-panel bl-detail-panel",
                        children=[
                            html.Div(id=ids.RESULT, className="bl-result", role="status"),
                            html.Div(id=ids.ACTIONS, className="bl-actions"),
                            html.Div(id=ids.DETAIL, className="bl-detail"),
                        ],
                    ),
                ],
            ),
        ],
    )


def _grid_panel(
    title: str, class_name: str, grid_id: str, columns: list[dict[str, Any]], key: str
) -> Component:
    """A titled panel holding an AG Grid whose rows the browser script keeps current, each
    row known by ``key`` (so transactions update rows in place)."""
    return html.Section(
        className=f"bl-panel {class_name}",
        children=[
            html.H2(title),
            dag.AgGrid(
                id=grid_id,
                columnDefs=columns,
                rowData=[],
                getRowId=f"params.data.{key}",
                dashGridOptions=GRID_OPTIONS,
                style={"height": "100%"},
            ),
        ],
    )
