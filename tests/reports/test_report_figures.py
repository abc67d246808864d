"""The planner's figures against the raw event log, worked out by another route
(tests/reports/report_day.py folds the events itself), in every format that shows them."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import openpyxl
import pytest
from pypdf import PdfReader

from reports.catalogue import Period, build
from reports.formats import figure, render
from reports.model import LONDON, Filters, Table
from reports.readmodel import ReadModel
from stream.log import EventLog
from tests.databases import migrated
from tests.reports.report_day import (
    BCUS,
    DAY,
    DAY_END,
    START,
    Day,
    compliance,
    record,
    scripted,
    unit_seconds,
)
from tests.stream.factories import POINTS

GRADE_NAMES = {"I": "Immediate (I)", "S": "Significant (S)"}


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Day, EventLog]]:
    path: Path = tmp_path_factory.mktemp("report-day") / "day.sqlite3"
    log = EventLog(migrated(f"sqlite:///{path}"))
    script = scripted()
    record(script, log)
    ReadModel.of(log).catch_up(log)
    yield script, log
    log.close()


def _table(report: Any, name: str) -> Table:
    return next(t for t in report.tables if t.name == name)


def _expected_series(script: Day) -> tuple[list[str], dict[str, list[float | None]]]:
    pct = compliance(script, START, DAY_END)
    bcus = sorted({bcu for _, bcu in pct})
    return bcus, {g: [pct.get((g, b)) for b in bcus] for g in ("I", "S")}


def test_the_response_chart_has_a_series_per_grade_in_every_format(
    day: tuple[Day, EventLog],
) -> None:
    script, log = day
    bcus, expected = _expected_series(script)
    assert bcus == sorted(BCUS) and all(v is not None for v in expected["I"])
    report = build(log.engine, "response", Period.parse(DAY, DAY), Filters())
    table = _table(report, "by_grade_bcu")

    # What the page draws: the JSON's chart data (tests/dashboard/test_planner.py reads
    # the plotly figure in a browser).
    drawn = next(t for t in report.to_json()["tables"] if t["name"] == "by_grade_bcu")
    data = drawn["chart_data"]
    assert data["x"] == bcus
    assert [s["name"] for s in data["series"]] == [GRADE_NAMES["I"], GRADE_NAMES["S"]]
    for series, grade in zip(data["series"], ("I", "S"), strict=True):
        assert series["y"] == expected[grade], grade
    assert max(v for s in data["series"] for v in s["y"] if v is not None) <= 100

    # The PDF's figure: the same two series, side by side (grouped), not added up.
    pdf_figure = figure(table)
    assert pdf_figure is not None and pdf_figure.layout.barmode == "group"
    assert [(t.name, list(t.x), list(t.y)) for t in pdf_figure.data] == [
        (GRADE_NAMES[g], bcus, expected[g]) for g in ("I", "S")
    ]
    body, _, _ = render(report, "pdf")
    pages = PdfReader(io.BytesIO(body)).pages
    assert any("Attended within target, by grade and BCU" in p.extract_text() for p in pages)

    # The XLSX chart: a series per grade, named, its categories the BCUs.
    body, _, _ = render(report, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book["by_grade_bcu"]
    (chart,) = sheet._charts
    found = {}
    for series in chart.series:
        name = _cells(book, series.tx.strRef.f)[0]
        categories = _cells(book, (series.cat.strRef or series.cat.numRef).f)
        values = _cells(book, series.val.numRef.f)
        found[name] = (categories, values)
    assert found == {GRADE_NAMES[g]: (bcus, expected[g]) for g in ("I", "S")}


def _cells(book: openpyxl.Workbook, ref: str) -> list[Any]:
    """The values a chart's reference (``'sheet'!$H$3:$H$5``) points at."""
    match = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", ref)
    assert match, ref
    sheet, col, row, col2, row2 = match.groups()
    area = f"{col}{row}:{col2 or col}{row2 or row}"
    return [cell.value for line in book[sheet][area] for cell in line]


def test_late_arrivals_name_each_incident_by_its_cad_reference_else_its_id(
    day: tuple[Day, EventLog],
) -> None:
    script, log = day
    named = {
        e["data"]["incident_id"]: e["data"].get("reference", e["data"]["incident_id"])
        for e in script.events
        if e["type"] == "incident.created"
    }
    late = _table(build(log.engine, "response", Period.parse(DAY, DAY), Filters()), "late")
    shown = list(late.frame["incident"])
    assert any(name.startswith("CAD ") for name in shown), "no late incident has a reference"
    assert any(name.startswith("INC-") for name in shown), "every late incident has a reference"
    assert sorted(shown) == sorted(named[i] for i in _late_ids(script))


def test_each_late_arrival_links_to_its_replay_from_creation_to_arrival(
    day: tuple[Day, EventLog],
) -> None:
    """The link opens the desk on the incident's BCU with it selected, replaying from a
    minute before its creation to a minute after its first unit arrived (or, never
    attended, 30 minutes past its target or the report's end): worked out from the events."""
    script, log = day
    late = _table(build(log.engine, "response", Period.parse(DAY, DAY), Filters()), "late")
    assert len(late.links) == len(late.frame) > 0
    created: dict[str, tuple[datetime, str, str]] = {}
    arrived: dict[str, datetime] = {}
    for e in script.events:
        d, at = e["data"], datetime.fromisoformat(e["time"])
        if e["type"] == "incident.created":
            created[d["incident_id"]] = (at, d["grade"], d.get("bcu") or "")
        elif e["type"] == "incident.arrived":
            arrived.setdefault(d["incident_id"], at)
    minute, zulu = timedelta(minutes=1), "%Y-%m-%dT%H:%M:%SZ"
    found = {}
    for link in late.links:
        assert link is not None and link.startswith("/inspector?"), link
        query = dict(parse_qsl(link.split("?", 1)[1]))
        found[query["incident"]] = query
    assert sorted(found) == sorted(_late_ids(script))
    attended = 0
    for ident, query in found.items():
        at, grade, _ = created[ident]
        target = at + timedelta(minutes={"I": 15, "S": 60}[grade])
        end = arrived[ident] if ident in arrived else min(target + 30 * minute, DAY_END)
        attended += ident in arrived
        start = (at - minute).astimezone(UTC).strftime(zulu)
        assert query["replay"] == f"{start}/{(end + minute).astimezone(UTC).strftime(zulu)}"
        assert query["at"] == start
        assert query["bcu"] in BCUS
    assert 0 < attended < len(found), "both kinds of late arrival are in the day"


def _late_ids(script: Day) -> list[str]:
    """Due in the day and not attended within target, from the raw events."""
    made: dict[str, datetime] = {}
    grade: dict[str, str] = {}
    arrived: dict[str, datetime] = {}
    for e in script.events:
        d, at = e["data"], datetime.fromisoformat(e["time"])
        if e["type"] == "incident.created":
            made[d["incident_id"]], grade[d["incident_id"]] = at, d["grade"]
        elif e["type"] == "incident.arrived":
            arrived.setdefault(d["incident_id"], at)
    target = {"I": timedelta(minutes=15), "S": timedelta(minutes=60)}
    late = []
    for i, created in made.items():
        due = created + target[grade[i]]
        if due <= DAY_END and (i not in arrived or arrived[i] > due):
            late.append(i)
    return late


def test_on_duty_hours_count_each_units_open_status_up_to_the_period_end(
    day: tuple[Day, EventLog],
) -> None:
    script, log = day
    seconds = unit_seconds(script, START, DAY_END)
    report = build(log.engine, "resources", Period.parse(DAY, DAY), Filters())
    table = _table(report, "utilisation_by_bcu").frame.set_index("bcu")
    assert sorted(table.index) == sorted(seconds)
    for bcu, (on_duty, committed) in seconds.items():
        assert table.loc[bcu, "on_duty_hours"] == pytest.approx(on_duty / 3600, abs=0.051), bcu
        assert table.loc[bcu, "committed_hours"] == pytest.approx(committed / 3600, abs=0.051)
        assert table.loc[bcu, "utilisation_pct"] == pytest.approx(
            committed / on_duty * 100, abs=0.5
        ), bcu
    by_hour = _table(report, "demand_capacity_by_hour").frame
    total = sum(on for on, _ in seconds.values()) / 3600
    assert by_hour["unit_hours_on_duty"].sum() == pytest.approx(total, abs=0.05 * 24)
    # The open time runs to the period's end, not past it: a report of the first hours
    # counts the time up to its own end.
    morning = Period.parse("2026-11-18T06:00:00Z", "2026-11-18T09:00:00Z")
    early = unit_seconds(script, morning.start, morning.end)
    table = _table(build(log.engine, "resources", morning, Filters()), "utilisation_by_bcu")
    hours = table.frame.set_index("bcu")["on_duty_hours"].to_dict()
    assert hours == pytest.approx({b: on / 3600 for b, (on, _) in early.items()}, abs=0.051)


def test_exports_use_words_people_use_and_real_dates(day: tuple[Day, EventLog]) -> None:
    _, log = day
    response = build(log.engine, "response", Period.parse(DAY, DAY), Filters())
    late = _table(response, "late").frame
    assert len(late)
    body, _, name = render(response, "csv")
    assert name == "bluelamp-response-2026-11-18.zip"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        header = next(csv.reader(io.StringIO(archive.read("by_grade_bcu.csv").decode())))
    assert header == [
        "grade",
        "BCU",
        "due",
        "within target",
        "% within target",
        "median response (min)",
        "90th percentile response (min)",
    ]
    body, _, name = render(response, "xlsx")
    assert name == "bluelamp-response-2026-11-18.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(body))["late"]
    headers = [c.value for c in sheet[2]]
    created = headers.index("created (London time)") + 1
    first = sheet.cell(row=3, column=created)
    assert isinstance(first.value, datetime) and first.number_format == "yyyy-mm-dd hh:mm"
    assert first.value == late["created"].iloc[0].to_pydatetime()

    week = Period.parse("2026-11-12", "2026-11-18")
    demand = build(log.engine, "demand", week, Filters())
    body, _, name = render(demand, "csv")
    assert name == "bluelamp-demand-2026-11-12-to-2026-11-18.zip"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("by_category_grade.csv").decode())))
    categories = {r["category"] for r in rows}
    assert "concern for welfare" in categories and "concern_for_welfare" not in categories
    body, _, _ = render(demand, "pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "concern for welfare" in text and "previous period" in text


def test_units_on_duty_for_moments_give_no_share_rather_than_an_error(tmp_path: Path) -> None:
    """A unit on duty for seconds is 0.0 hours to one decimal: its utilisation is blank."""
    log = EventLog(migrated(f"sqlite:///{tmp_path}/moments.sqlite3"))
    day = Day()
    now = datetime.now(UTC)
    lat, lon = POINTS["AW"]
    day.add(
        "unit.on_duty",
        now - timedelta(seconds=20),
        {
            "unit_id": "U1",
            "callsign": "AW1",
            "unit_type": "IRV",
            "home_bcu": "AW",
            "lat": lat,
            "lon": lon,
        },
    )
    record(day, log)
    ReadModel.of(log).catch_up(log)
    today = now.astimezone(LONDON).date().isoformat()
    report = build(log.engine, "resources", Period.parse(today, today), Filters())
    (rows,) = [t["rows"] for t in report.to_json()["tables"] if t["name"] == "utilisation_by_bcu"]
    assert rows == [["AW", 0.0, 0.0, None]]
    log.close()
