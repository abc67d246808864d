"""The read models' rows for a period, as data frames (times as UTC timestamps)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from api.reports.model import Filters, Period
from stream.readmodel import report_incidents, report_redeployments, report_unit_hours

INCIDENT_TIMES = ("created_at", "assigned_at", "arrived_at", "closed_at")


def incidents(engine: Engine, period: Period, filters: Filters) -> pd.DataFrame:
    """Incidents created in the period, filtered."""
    t = report_incidents.c
    query = select(report_incidents).where(t.created_at >= period.start, t.created_at < period.end)
    if filters.bcu:
        query = query.where(t.bcu.in_(filters.bcu))
    if filters.borough:
        query = query.where(t.borough.in_(filters.borough))
    if filters.grade:
        query = query.where(t.initial_grade.in_(filters.grade))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    for column in INCIDENT_TIMES:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="mixed")
    return frame


def unit_hours(engine: Engine, period: Period, filters: Filters) -> pd.DataFrame:
    """Seconds per UTC hour, BCU deployed to and status, for hours in the period (summed
    over units in the database: a year of a London fleet is tens of millions of rows)."""
    t = report_unit_hours.c
    query = (
        select(t.hour, t.bcu, t.status, func.sum(t.seconds).label("seconds"))
        .where(t.hour >= period.start, t.hour < period.end)
        .group_by(t.hour, t.bcu, t.status)
    )
    if filters.bcu:
        query = query.where(t.bcu.in_(filters.bcu))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True, format="mixed")
    return frame


def redeployments(engine: Engine, period: Period, filters: Filters) -> pd.DataFrame:
    t = report_redeployments.c
    query = select(report_redeployments).where(t.at >= period.start, t.at < period.end)
    if filters.bcu:
        query = query.where(t.from_bcu.in_(filters.bcu) | t.to_bcu.in_(filters.bcu))
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="mixed")
    return frame
