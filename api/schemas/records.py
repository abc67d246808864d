"""The answers made from the database: audit entries, reports, report jobs and the lists of
what may be asked for."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from api.schemas.closed import Closed


class AuditEntry(Closed):
    id: int
    at: str = Field(description="RFC 3339, UTC")
    actor: str | None = Field(description="null for a failed sign-in of no one")
    role: str | None
    action: str
    target: str | None
    client: str | None = Field(description="the client's address")
    outcome: str = Field(description="ok, conflict, denied, invalid or failed")
    status: int | None = Field(description="the HTTP status answered")
    detail: Any = Field(description="the request and the reason or seq, as answered")


class AuditLog(Closed):
    entries: list[AuditEntry] = Field(description="newest first")


class ReportNames(Closed):
    reports: list[str]


class Period(Closed):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    label: str


class Filters(Closed):
    bcu: list[str]
    borough: list[str]
    grade: list[str]


class Series(Closed):
    key: str
    name: str
    y: list[Any]


class Chart(Closed):
    """The chart's x values and series, as every format draws them."""

    x: list[Any]
    x_title: str
    y_title: str
    series: list[Series]


class Table(Closed):
    name: str
    title: str
    columns: list[str]
    headers: list[str]
    coded: list[str] = Field(description="columns holding codes the headers explain")
    rows: list[list[Any]] = Field(description="one value per column")
    chart: str | None = Field(description="bar, heatmap or line: how to draw it, if at all")
    chart_x: str | None
    chart_y: list[str]
    chart_data: Chart | None
    links: list[str | None] = Field(
        description="per row, where the screens show it (a late arrival's replay), or none"
    )


class Report(Closed):
    name: str
    title: str
    period: Period
    filters: Filters
    definitions: list[str]
    notes: list[str]
    produced_at: str
    tables: list[Table]


class JobRequest(Closed):
    """The report's period, format and filters, as asked."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    format: str
    bcu: list[str]
    borough: list[str]
    grade: list[str]


class Job(Closed):
    id: str
    name: str
    request: JobRequest
    state: str = Field(description="queued, running, done, failed or expired")
    progress: float
    step: str | None
    created_at: str
    finished_at: str | None
    filename: str | None
    error: str | None
    file: str | None = Field(description="where to fetch the file, once done")
