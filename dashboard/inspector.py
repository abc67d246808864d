"""The duty inspector's desk: one BCU's queue and units, incident detail, reallocation.

The queue and unit list are AG Grids whose rows the browser keeps current from the /ws feed
(assets/js/inspector/grids.js applies each frame as a grid transaction); commands go to the API from
the browser with the session's CSRF token, and their answer (or the 409/403 reason) is shown
at once. The queue filters by grade and status and searches as you type; a row turns amber
with under five minutes to its target and red, marked overdue, after it. A new or breaching
I-grade incident in the BCU shows a banner and beeps (mute remembered in this browser). The
BCU and the selected incident and unit are in the address (``?bcu=CN&incident=...``), so a
reload keeps them. Keyboard: 1-3 assign the selected incident's suggested unit, A available, B busy,
R redeploy, Esc clear.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import Dash, Input, dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.attrs import aria, data
from dashboard.map import london_map
from dashboard.settings import ScreenSettings
from geodata import London
from stream.events import BCU_CODES

# Time to breach, not by colour alone: the "To target" cell says "overdue" or carries a
# warning sign too (dashAgGridFunctions.toTarget, assets/js/grid.js).
NEAR_BREACH_S = 5 * 60
QUEUE_ROW_CLASSES = {
    "bl-breached": "params.data && params.data.to_target < 0",
    "bl-near-breach": (
        f"params.data && params.data.to_target >= 0 && params.data.to_target < {NEAR_BREACH_S}"
    ),
}
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
    # Rows carry the words people use (assets/js/format.js); the codes are in grade_code etc.
    {"field": "grade", "headerName": "Grade", "width": 140},
    {"field": "reference", "headerName": "Ref", "width": 150},
    {"field": "category", "headerName": "Category", "flex": 1},
    # Kinds of warning marker near the call (icons only: the text is in the detail panel).
    {"field": "warnings", "headerName": "Warnings", "width": 170, "cellClass": "bl-warning"},
    {"field": "status", "headerName": "Status", "width": 140},
    {"field": "age", "headerName": "Age", "width": 90, **_RIGHT},
    {
        "field": "to_target",
        "headerName": "To target",
        "width": 130,
        **_RIGHT,
        "sort": "asc",
        "sortIndex": 1,
        "valueFormatter": {"function": "toTarget(params.value)"},
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
    """The BCU picker's value goes to the browser code (an event the inspector's module
    listens for: nothing of it is on window), which re-filters the grids and the
    map in place (no server round trip)."""
    dash_app.clientside_callback(  # type: ignore[no-untyped-call]
        "function (code) {"
        " document.dispatchEvent(new CustomEvent('bluelamp:bcu', {detail: code})); }",
        Input(ids.INSPECTOR_BCU, "value"),
        prevent_initial_call=True,
    )


def inspector_page(settings: ScreenSettings, london: London) -> Component:
    return html.Div(
        id=ids.INSPECTOR,
        className="bl-inspector",
        # The codes a ?bcu= in the address may name (assets/js/inspector/desk.js).
        **data(screen="inspector", bcus=",".join(sorted(BCU_CODES))),
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
                    # Grade and status filters and the search box: plain inputs the
                    # browser script makes here (they filter the grid in the browser).
                    html.Div(id=ids.QUEUE_FILTERS, className="bl-queue-filters"),
                    html.Button(
                        "Sound on",
                        id=ids.ALERT_MUTE,
                        className="bl-button bl-mute",
                        type="button",
                        **aria(pressed="false"),
                    ),
                    html.Span(
                        "Keys: 1–3 assign suggestion · A available · B busy · "
                        "R redeploy · Esc clear",
                        className="bl-keys",
                    ),
                ],
            ),
            # A new or breaching I-grade incident in this BCU (with a beep unless muted).
            html.Div(id=ids.INSPECTOR_ALERT, className="bl-incident-alert", role="alert"),
            html.Div(
                className="bl-inspector-body",
                children=[
                    _grid_panel(
                        "Queue",
                        "bl-queue",
                        ids.QUEUE,
                        QUEUE_COLUMNS,
                        "incident_id",
                        {**GRID_OPTIONS, "rowClassRules": QUEUE_ROW_CLASSES},
                    ),
                    _grid_panel("Units", "bl-units", ids.UNITS, UNIT_COLUMNS, "unit_id"),
                    html.Section(
                        className="bl-panel bl-map-panel",
                        children=[
                            london_map(settings, london, ids.INSPECTOR_MAP, fit_london=False)
                        ],
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
    title: str,
    class_name: str,
    grid_id: str,
    columns: list[dict[str, Any]],
    key: str,
    options: dict[str, Any] | None = None,
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
                dashGridOptions=options or GRID_OPTIONS,
                style={"height": "100%"},
            ),
        ],
    )
