"""Demand: when and where incidents arise, of what kind, against the previous period."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine

from reports import data
from reports.model import LONDON, Filters, Period, Report, Table, register

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
GRADES = ["I", "S", "E", "R"]
DEFINITIONS = [
    "An incident counts in the period in which it was created (the time of its "
    "incident.created event); times of day and weekdays are London time.",
    "Grade is the grade at creation; category as the incident was created.",
    "The previous period is the one of the same length just before this one; change is "
    "(this - previous) / previous.",
    "Incidents in the City of London are not the Met's and are never in these figures.",
]


@register("demand")
def demand(engine: Engine, period: Period, filters: Filters) -> Report:
    # Counted in the database: a year is millions of incidents, its tables a few rows.
    by_hour = data.counts_by_hour(engine, period, filters)
    local = by_hour.index.tz_convert(LONDON)
    heat = (
        pd.Series(by_hour.to_numpy(), index=[local.day_of_week, local.hour])
        .groupby(level=[0, 1])
        .sum()
        .unstack(fill_value=0)
        .reindex(index=range(7), columns=range(24), fill_value=0)
    )
    heat.index = WEEKDAYS
    heat.columns = [f"{h:02d}" for h in range(24)]
    heat = heat.reset_index(names="weekday")
    keys = ["bcu", "borough", "initial_grade"]
    now = data.counts(engine, period, filters, keys)
    before = data.counts(engine, period.previous, filters, keys)
    categories = data.counts(engine, period, filters, ["category", "initial_grade"])
    return Report(
        name="demand",
        title="Demand",
        period=period,
        filters=filters,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "by_hour_weekday",
                "Incidents by hour of day (rows: weekday)",
                heat,
                chart="heatmap",
                chart_x="weekday",
            ),
            Table(
                "by_bcu",
                "Incidents by BCU, against the previous period",
                _against(now, before, ["bcu"]),
                chart="bar",
                chart_x="bcu",
                chart_y=["incidents", "previous"],
                totals=True,
            ),
            Table(
                "by_borough",
                "Incidents by borough, against the previous period",
                _against(now, before, ["bcu", "borough"]),
                totals=True,
            ),
            Table(
                "by_category_grade",
                "Incidents by category and grade",
                _by_category(categories),
                chart="bar",
                chart_x="category",
                chart_y=GRADES,
                totals=True,
            ),
        ],
        produced_at=datetime.now(UTC),
        notes=[] if len(now) else ["No incidents were created in this period."],
    )


def _against(now: pd.DataFrame, before: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts by ``keys`` with the grade split and the previous period, from counted rows."""
    counts = now.groupby(keys)["n"].sum().rename("incidents")
    grades = (
        now.groupby([*keys, "initial_grade"])["n"]
        .sum()
        .unstack(fill_value=0)
        .reindex(columns=GRADES, fill_value=0)
    )
    earlier = before.groupby(keys)["n"].sum().rename("previous")
    table = pd.concat([counts, grades, earlier], axis=1).fillna(0).astype(int)
    if table.empty:
        return pd.DataFrame(columns=[*keys, "incidents", *GRADES, "previous", "change_pct"])
    previous = table["previous"].where(table["previous"] > 0)
    table["change_pct"] = ((table["incidents"] - table["previous"]) / previous * 100).round(1)
    return table.reset_index().sort_values(keys)


def _by_category(counted: pd.DataFrame) -> pd.DataFrame:
    table = (
        counted.groupby(["category", "initial_grade"])["n"]
        .sum()
        .unstack(fill_value=0)
        .reindex(columns=GRADES, fill_value=0)
    )
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False).reset_index()
