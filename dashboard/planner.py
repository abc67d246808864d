"""The resource planner's page: the three reports for a chosen period, with charts, the
first rows of their tables, their definitions, and exports (CSV, XLSX, PDF; incidents and
demand as GeoJSON and GeoPackage for a GIS).

The browser script (assets/js/planner.js) puts native date pickers in the toolbar,
asks ``GET /api/reports/{name}?format=json`` when the planner chooses a period, draws each
report's chart into its Dash graph with ``set_props`` and fills the tables; the export
links are the same API URL with another ``format`` (or ``/api/exports/...`` for a GIS),
downloaded with the session's cookie. A period the API refuses clears them all.
"""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.attrs import data

REPORTS = (
    (
        "demand",
        "Demand",
        "Incidents by hour of day and weekday, by BCU and borough, by "
        "category and grade, against the previous period.",
    ),
    (
        "response",
        "Response",
        "Share attended within target by grade and BCU; median and "
        "90th percentile response times; late arrivals.",
    ),
    (
        "resources",
        "Resources",
        "Unit utilisation by BCU and hour; units lent and borrowed "
        "between BCUs; demand against capacity by hour.",
    ),
    (
        "advice",
        "Advice taken and its outcome",
        "What the recommender advised and what became of it (accepted, overridden, "
        "dismissed, expired), by BCU; calls where its unit was sent against those where "
        "another was; move-ups dismissed and why.",
    ),
)

#: Layers for a GIS beside a report's exports: (id suffix, label, format, API path).
GIS_EXPORTS = {
    "demand": (
        ("incidents-geojson", "Incidents GeoJSON", "geojson", "/api/exports/incidents"),
        ("incidents-gpkg", "Incidents GeoPackage", "gpkg", "/api/exports/incidents"),
        ("areas-gpkg", "Boroughs GeoPackage", "gpkg", "/api/exports/demand"),
    ),
}


def planner_page() -> Component:
    return html.Div(
        id=ids.PLANNER,
        className="bl-planner-page",
        **data(screen="planner"),
        children=[
            html.Div(
                className="bl-toolbar",
                children=[
                    html.Label(["From ", _day(ids.REPORT_FROM)]),
                    html.Label(["To (inclusive) ", _day(ids.REPORT_TO)]),
                    html.Button("Show", id=ids.REPORT_SHOW, className="bl-button bl-primary"),
                    html.Span(id=ids.REPORT_STATUS, className="bl-muted"),
                ],
            ),
            html.Div(
                className="bl-planner",
                children=[_section(name, title, summary) for name, title, summary in REPORTS],
            ),
        ],
    )


def _day(component_id: str) -> Component:
    """Where the browser script puts a native date picker (``<input type=date>``, whose
    value is YYYY-MM-DD: what the reports API takes) with the id ``component_id``. Dash's
    Input offers no date type, and a picker that is a plain element needs no callback."""
    return html.Span(id=f"{component_id}-field", className="bl-day", **data(picker=component_id))


def _section(name: str, title: str, summary: str) -> Component:
    return html.Section(
        className="bl-panel bl-report",
        id=f"report-{name}",
        children=[
            html.H2(title),
            html.P(summary, className="bl-muted"),
            html.Div(
                className="bl-exports",
                children=[
                    *(
                        html.A(
                            fmt.upper(),
                            className="bl-button",
                            id=f"report-{name}-{fmt}",
                            **data(format=fmt),
                        )
                        for fmt in ("csv", "xlsx", "pdf")
                    ),
                    *(
                        html.A(
                            label,
                            className="bl-button",
                            id=f"report-{name}-{key}",
                            title="For a GIS (EPSG:4326)",
                            **data(format=fmt, path=path),
                        )
                        for key, label, fmt, path in GIS_EXPORTS.get(name, ())
                    ),
                ],
            ),
            dcc.Graph(
                id=f"report-{name}-chart", config={"displaylogo": False}, style={"height": "22rem"}
            ),
            html.Div(id=f"report-{name}-table", className="bl-report-table"),
            html.Details([html.Summary("Definitions"), html.Ul(id=f"report-{name}-defs")]),
        ],
    )
