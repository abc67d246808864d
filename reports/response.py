"""Response: how often units attended within the target, how long it took, who was late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import Engine

from reports import data
from reports.model import LONDON, Filters, Period, Report, Table, register

TARGET_MIN = {"I": 15, "S": 60}
REPLAY_AFTER = timedelta(minutes=30)  # a late call never attended: replayed this far past target
DEFINITIONS = [
    "The response clock starts when the incident is created (its incident.created event) "
    "and stops when the first unit arrives (the first incident.arrived).",
    "Targets: Immediate (I) 15 minutes, Significant (S) 60 minutes, by the grade at "
    "creation. E and R grades have no attendance target and are not in these figures.",
    "An incident is due when its target time has passed by the end of the period (or by "
    "when the report was made, if earlier); within target = first arrival no later than "
    "the target. An incident due and not attended by then counts as late.",
    "Median and 90th percentile are of the response times of incidents attended (in "
    "minutes); the late arrivals list holds every due incident not attended in time.",
]


@register("response")
def response(engine: Engine, period: Period, filters: Filters) -> Report:
    produced = datetime.now(UTC)
    due, late = data.responses(engine, period, filters, min(period.end, produced))
    return Report(
        name="response",
        title="Response",
        period=period,
        filters=filters,
        definitions=DEFINITIONS,
        tables=[
            Table(
                "by_grade_bcu",
                "Attended within target, by grade and BCU",
                _compliance(due, ["grade", "bcu"]),
                chart="bar",
                chart_x="bcu",
                chart_y=["within_target_pct"],
                chart_series="grade",
            ),
            Table(
                "by_grade",
                "Attended within target and response times, by grade",
                _compliance(due, ["grade"]),
            ),
            Table(
                "late",
                "Late arrivals (due, not attended within target)",
                _late(late),
                links=_replays(late, min(period.end, produced)),
            ),
        ],
        produced_at=produced,
        notes=[] if len(due) else ["No I or S incident fell due in this period."],
    )


def _compliance(due: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if due.empty:
        return pd.DataFrame(
            columns=[*keys, "due", "within_target", "within_target_pct", "median_min", "p90_min"]
        )
    grouped = due.groupby(keys)
    table = pd.DataFrame(
        {
            "due": grouped.size(),
            "within_target": grouped["in_time"].sum().astype(int),
            "median_min": grouped["response_min"].median().round(1),
            "p90_min": grouped["response_min"].quantile(0.9).round(1),
        }
    )
    table["within_target_pct"] = (table["within_target"] / table["due"] * 100).round(1)
    columns = ["due", "within_target", "within_target_pct", "median_min", "p90_min"]
    return table[columns].reset_index()


def _late(late: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            # Named as people know it: the CAD's reference where there is one, else the id.
            "incident": late.get("reference", late["incident_id"]),
            "grade": late["grade"],
            "bcu": late["bcu"],
            "borough": late["borough"],
            # A time, not text: XLSX writes it as a date cell (London wall-clock time).
            "created": late["created_at"].dt.tz_convert(LONDON).dt.tz_localize(None),
            "response_min": late["response_min"].round(1),
            "target_min": late["grade"].map(TARGET_MIN),
            "first_unit": late["first_unit"],
        }
    ).reset_index(drop=True)


def _replays(late: pd.DataFrame, cutoff: datetime) -> list[str | None]:
    """Each late arrival's replay on the inspector's desk (dashboard/assets/js/replay.js):
    its BCU, the incident selected, from a minute before its creation to a minute after its
    first unit arrived (not attended: until ``REPLAY_AFTER`` past its target, or the cutoff)."""
    links: list[str | None] = []
    for row in late.itertuples(index=False):
        if pd.isna(row.created_at):  # a time pandas cannot hold (reports.data._times)
            links.append(None)
            continue
        created = row.created_at.to_pydatetime()
        target = created + timedelta(minutes=TARGET_MIN[row.grade])
        arrived = row.arrived_at
        end = (
            arrived.to_pydatetime() if not pd.isna(arrived) else min(target + REPLAY_AFTER, cutoff)
        )
        start = created - timedelta(minutes=1)
        query = urlencode(
            {
                "bcu": row.bcu,
                "incident": row.incident_id,
                "replay": f"{_zulu(start)}/{_zulu(end + timedelta(minutes=1))}",
                "at": _zulu(start),
            }
        )
        links.append(f"/inspector?{query}")
    return links


def _zulu(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
