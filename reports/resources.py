"""Resources: how busy units were, units lent between BCUs, demand against capacity."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine

from reports import data
from reports.model import LONDON, Filters, Period, Report, Table, register

COMMITTED = ("en_route", "on_scene", "busy", "custody")
DEFINITIONS = [
    "On-duty time: time a unit spent in any status but off duty. Committed time: time en "
    "route, on scene, busy (e.g. reports) or in custody; at the station and on a refreshment "
    "break count as on duty, not committed. Utilisation = committed / on-duty time.",
    "Time counts to the BCU a unit was deployed to at the time (its home BCU unless "
    "redeployed), in London-time hours of the day.",
    "Cross-BCU deployments: redeployments of a unit to a BCU other than the one it was in "
    "(lent by its home BCU, borrowed by the other), and incidents whose first unit came "
    "from another BCU.",
    "Demand to capacity by hour: incidents created in that hour of the day per on-duty unit "
    "on average in that hour (both summed over the period).",
    "A unit's current status counts up to the end of the period or when the report was "
    "made, whichever is earlier (a status held for over 24 hours without a change does "
    "not count: no shift lasts that long).",
    "The grade and borough filters do not apply to unit time.",
]


@register("resources")
def resources(engine: Engine, period: Period, filters: Filters) -> Report:
    produced = datetime.now(UTC)
    hours = data.unit_hours(engine, period, filters, min(period.end, produced))
    # Counted in the database: a year is millions of incidents.
    helped = data.counts(engine, period, filters, ["first_unit_home_bcu", "bcu"])
    created = data.counts_by_hour(engine, period, filters)
    moves = data.redeployments(engine, period, filters)
    hours["local_hour"] = hours["hour"].dt.tz_convert(LONDON).dt.hour
    hours["committed"] = hours["seconds"].where(hours["status"].isin(COMMITTED), 0.0)
    return Report(
        name="resources",
        title="Resources",
        period=period,
        filters=filters,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "utilisation_by_bcu",
                "Utilisation by BCU",
                _utilisation(hours, ["bcu"]),
                chart="bar",
                chart_x="bcu",
                chart_y=["utilisation_pct"],
            ),
            Table(
                "utilisation_by_bcu_hour", "Utilisation by BCU and hour of day (%)", _by_hour(hours)
            ),
            Table("cross_bcu", "Cross-BCU deployments", _cross(moves, helped), totals=True),
            Table(
                "demand_capacity_by_hour",
                "Demand to capacity by hour of day",
                _demand_capacity(hours, created),
                chart="line",
                chart_x="hour",
                chart_y=["demand_per_unit"],
            ),
        ],
        produced_at=produced,
        notes=[] if len(hours) else ["No unit was on duty in this period."],
    )


def _utilisation(hours: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if hours.empty:
        return pd.DataFrame(columns=[*keys, "on_duty_hours", "committed_hours", "utilisation_pct"])
    grouped = hours.groupby(keys)
    table = pd.DataFrame(
        {
            "on_duty_hours": (grouped["seconds"].sum() / 3600).round(1),
            "committed_hours": (grouped["committed"].sum() / 3600).round(1),
        }
    )
    # Minutes on duty round to 0.0 hours: no share of nothing (blank, not a division error).
    on_duty = table["on_duty_hours"].astype("float64").where(table["on_duty_hours"] > 0)
    table["utilisation_pct"] = (table["committed_hours"] / on_duty * 100).round(1)
    return table.reset_index()


def _by_hour(hours: pd.DataFrame) -> pd.DataFrame:
    if hours.empty:
        return pd.DataFrame(columns=["bcu", *[f"{h:02d}" for h in range(24)]])
    grouped = hours.groupby(["bcu", "local_hour"])
    share = (grouped["committed"].sum() / grouped["seconds"].sum() * 100).round(1)
    table = share.unstack().reindex(columns=range(24))
    table.columns = [f"{h:02d}" for h in range(24)]
    return table.reset_index()


def _cross(moves: pd.DataFrame, helped: pd.DataFrame) -> pd.DataFrame:
    lent = moves[moves["from_bcu"] != moves["to_bcu"]]
    redeployed = lent.groupby(["from_bcu", "to_bcu"]).size().rename("redeployments")
    other = helped[
        helped["first_unit_home_bcu"].notna() & (helped["first_unit_home_bcu"] != helped["bcu"])
    ]
    attended = other.groupby(["first_unit_home_bcu", "bcu"])["n"].sum().rename("incidents_attended")
    attended.index = attended.index.set_names(["from_bcu", "to_bcu"])
    table = pd.concat([redeployed, attended], axis=1).fillna(0).astype(int)
    return table.reset_index().rename(columns={"from_bcu": "lent_by", "to_bcu": "borrowed_by"})


def _demand_capacity(hours: pd.DataFrame, created_by_hour: pd.Series) -> pd.DataFrame:
    local = created_by_hour.index.tz_convert(LONDON).hour
    created = pd.Series(created_by_hour.to_numpy(), index=local).groupby(level=0).sum()
    unit_hours = hours.groupby("local_hour")["seconds"].sum() / 3600 if len(hours) else None
    table = pd.DataFrame({"hour": range(24)})
    table["incidents"] = table["hour"].map(created).fillna(0).astype(int)
    table["unit_hours_on_duty"] = (
        table["hour"].map(unit_hours).fillna(0.0).round(1) if unit_hours is not None else 0.0
    )
    per_unit = table["incidents"] / table["unit_hours_on_duty"].where(
        table["unit_hours_on_duty"] > 0
    )
    table["demand_per_unit"] = per_unit.round(3)
    return table
