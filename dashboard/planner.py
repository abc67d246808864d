"""The resource planner's page: the report views and their exports.

Laid out now; the reports themselves (demand, response compliance, utilisation, as CSV,
XLSX and PDF) come with the reports issue and fill these sections.
"""

from __future__ import annotations

from dash import html
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
)


def planner_page() -> Component:
    return html.Div(
        id=ids.PLANNER,
        className="bl-planner",
        **data(screen="planner"),
        children=[
            html.Section(
                className="bl-panel bl-report",
                id=f"report-{name}",
                children=[
                    html.H2(title),
                    html.P(summary),
                    html.P(
                        "This report arrives with the reports work; its exports will be "
                        "CSV, XLSX and PDF.",
                        className="bl-muted",
                    ),
                    html.Div(
                        className="bl-exports",
                        children=[
                            html.Button(fmt, className="bl-button", disabled=True)
                            for fmt in ("CSV", "XLSX", "PDF")
                        ],
                    ),
                ],
            )
            for name, title, summary in REPORTS
        ],
    )
