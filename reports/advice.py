"""Advice: what the recommender advised in the period and what became of it (the ledger,
reports/ledger.py), and how calls fared where its unit was sent and where another was."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, select

from reports import data
from reports.model import LONDON, Filters, Period, Report, Table, register
from reports.tables import report_advice

KINDS = {"assignment": "unit for a call", "backup": "back-up for a late unit", "move": "move-up"}
OUTCOMES = ("accepted", "overridden", "dismissed", "expired", "open")
DEFINITIONS = [
    "Advice is what the recommender showed and Bluelamp recorded (advice.offered): the best "
    "unit for each waiting I or S call, a back-up for an I-grade call whose units are all "
    "running late by their progress, and each move-up. It counts in the period it was "
    "offered in.",
    "A unit for a call (or a back-up) is accepted when the call's next assignment sends that "
    "unit, overridden when it sends another, and expired when newer advice for the call "
    "replaced it, a unit arrived first or the call closed first. A move-up is accepted or "
    "dismissed (with the reason) by a person, and expires after an hour, when its unit goes "
    "off duty, or when another move-up for the same unit is accepted. Open: not settled yet.",
    "Taken and not taken: I and S calls whose advice on their first unit was accepted, "
    "against those where it was overridden, by grade: attended within target and the median "
    "response (creation to first arrival).",
]


@register("advice")
def advice(engine: Engine, period: Period, filters: Filters) -> Report:
    produced = datetime.now(UTC)
    rows = _ledger(engine, period, filters)
    return Report(
        name="advice",
        title="Advice taken and its outcome",
        period=period,
        filters=filters,
        definitions=DEFINITIONS,
        tables=[
            Table("by_outcome", "Advice by kind and outcome", _by_outcome(rows), totals=True),
            Table(
                "by_bcu",
                "Advice by BCU",
                _by_bcu(rows),
                chart="bar",
                chart_x="bcu",
                chart_y=["accepted_pct"],
            ),
            Table(
                "taken",
                "Calls where the advice was taken, and where it was not",
                _taken(engine, period, filters, rows),
            ),
            Table("dismissed", "Move-ups dismissed, and why", _dismissed(rows)),
        ],
        produced_at=produced,
        notes=[] if len(rows) else ["No advice was recorded in this period."],
    )


def _ledger(engine: Engine, period: Period, filters: Filters) -> pd.DataFrame:
    t = report_advice.c
    query = select(report_advice).where(t.offered_at >= period.start, t.offered_at < period.end)
    if filters.bcu:
        query = query.where(t.bcu.in_(filters.bcu))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["outcome"] = frame["outcome"].fillna("open")
    for column in ("offered_at", "outcome_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _by_outcome(rows: pd.DataFrame) -> pd.DataFrame:
    found = []
    for kind, label in KINDS.items():
        mine = rows[rows["kind"] == kind]
        for outcome in OUTCOMES:
            n = int((mine["outcome"] == outcome).sum())
            share = round(100 * n / len(mine), 1) if len(mine) else None
            found.append({"kind": label, "outcome": outcome, "advice": n, "share_pct": share})
    return pd.DataFrame(found, columns=["kind", "outcome", "advice", "share_pct"])


def _by_bcu(rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["bcu", "advice", *OUTCOMES, "accepted_pct"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    table = pd.crosstab(rows["bcu"], rows["outcome"]).reindex(columns=list(OUTCOMES), fill_value=0)
    table.insert(0, "advice", table.sum(axis=1))
    decided = table["accepted"] + table["overridden"] + table["dismissed"]
    table["accepted_pct"] = (100 * table["accepted"] / decided.where(decided > 0)).round(1)
    return table.reset_index()[columns]


def _taken(engine: Engine, period: Period, filters: Filters, rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["grade", "advice", "calls", "within_target_pct", "median_min"]
    calls = rows[(rows["kind"] == "assignment") & rows["outcome"].isin(["accepted", "overridden"])]
    if calls.empty:
        return pd.DataFrame(columns=columns)
    incidents = data.incidents(
        engine,
        period,
        Filters(bcu=filters.bcu),
        ["incident_id", "initial_grade", "created_at", "arrived_at"],
    )
    joined = calls.merge(incidents, on="incident_id", how="inner")
    joined["response_min"] = (joined["arrived_at"] - joined["created_at"]).dt.total_seconds() / 60
    target = joined["initial_grade"].map({"I": 15, "S": 60})
    joined["within"] = joined["response_min"] <= target
    found = []
    for (grade, outcome), group in joined.groupby(["initial_grade", "outcome"]):
        attended = group.dropna(subset=["response_min"])
        found.append(
            {
                "grade": grade,
                "advice": "taken" if outcome == "accepted" else "not taken",
                "calls": len(group),
                "within_target_pct": round(100 * attended["within"].mean(), 1)
                if len(attended)
                else None,
                "median_min": round(float(attended["response_min"].median()), 1)
                if len(attended)
                else None,
            }
        )
    return pd.DataFrame(found, columns=columns)


def _dismissed(rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["when", "unit_id", "bcu", "by", "reason"]
    gone = rows[rows["outcome"] == "dismissed"].sort_values("outcome_at")
    return pd.DataFrame(
        {
            "when": gone["outcome_at"].dt.tz_convert(LONDON).dt.strftime("%d %b %H:%M"),
            "unit_id": gone["unit_id"],
            "bcu": gone["bcu"],
            "by": gone["outcome_by"],
            "reason": gone["dismiss_reason"],
        },
        columns=columns,
    )
