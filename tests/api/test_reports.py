"""Reports on a simulated week (seed 7, the week the clocks go forward): the read model
(incremental = rebuilt, SQLite and PostgreSQL), figures checked against the raw log, each
format opened with a real reader, date-range edges, the API and the command line."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from bluelamp.cli import create_cli
from reports.catalogue import Period, build
from reports.formats import render
from reports.jobs import Jobs
from reports.model import Filters
from reports.readmodel import ReadModel
from stream.events import Recorded, validate
from stream.log import EventLog
from stream.sim.demand import LONDON_TZ
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load
from tests.api.conftest import PASSWORD, Api
from tests.databases import migrated
from tests.pgschema import own_schema
from tests.stream.factories import POINTS, START, Events, incident_created, london

WEEK = ("2026-03-23", "2026-03-29")  # Monday to Sunday; BST starts on the Sunday


def simulated_log(url: str, days: float, schema: str | None = None) -> EventLog:
    start = datetime(2026, 3, 23, tzinfo=LONDON_TZ)
    scenario = load("normal-day").starting(start, days * 24)
    sim = Simulation(london(), scenario, seed=7, options=SimOptions(pings=False))
    log = EventLog(migrated(url, schema), schema=schema)
    records: list[Recorded] = []
    for seq, event in enumerate(sim.events(), 1):
        checked = validate(event, london().locate)
        records.append(Recorded(seq, checked.event, checked.borough, checked.bcu))
        if len(records) == 5_000:
            log.append(records)
            records = []
    log.append(records)
    return log


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventLog]:
    path = tmp_path_factory.mktemp("reports") / "week.sqlite3"
    log = simulated_log(f"sqlite:///{path}", 7)
    ReadModel.of(log).catch_up(log)
    yield log
    log.close()


def _independent_compliance(log: EventLog, period: Period) -> dict[str, tuple[int, int]]:
    """(due, attended in time) per grade, straight from the raw events."""
    created: dict[str, tuple[datetime, str]] = {}
    arrived: dict[str, datetime] = {}
    for record in log.iter():
        data, kind = record.event.data, record.event.type.value
        if kind == "incident.created" and data.grade.value in ("I", "S"):  # type: ignore[union-attr]
            created[data.incident_id] = (record.event.time, data.grade.value)  # type: ignore[union-attr]
        elif kind == "incident.arrived":
            arrived.setdefault(data.incident_id, record.event.time)  # type: ignore[union-attr]
    result: dict[str, list[int]] = {"I": [0, 0], "S": [0, 0]}
    for incident_id, (at, grade) in created.items():
        target = at + timedelta(minutes=15 if grade == "I" else 60)
        if not (period.start <= at < period.end) or target > period.end:
            continue
        result[grade][0] += 1
        first = arrived.get(incident_id)
        if first is not None and first <= target:
            result[grade][1] += 1
    return {grade: (due, ok) for grade, (due, ok) in result.items()}


def _table(report: Any, name: str) -> Any:
    return next(t for t in report.tables if t.name == name).frame


def test_compliance_equals_what_the_raw_log_says(week: EventLog) -> None:
    period = Period.parse(*WEEK)
    report = build(week.engine, "response", period, Filters())
    by_grade = _table(report, "by_grade").set_index("grade")
    expected = _independent_compliance(week, period)
    for grade in ("I", "S"):
        assert (by_grade.loc[grade, "due"], by_grade.loc[grade, "within_target"]) == expected[grade]
    by_bcu = _table(report, "by_grade_bcu")
    assert by_bcu.groupby("grade")["due"].sum().to_dict() == {g: e[0] for g, e in expected.items()}
    late = _table(report, "late")
    assert len(late) == sum(due - ok for due, ok in expected.values())
    assert any("clock starts" in d for d in report.definitions)


def test_the_read_model_built_in_small_steps_equals_one_rebuilt(
    week: EventLog, tmp_path: Path
) -> None:
    other = EventLog(migrated(f"sqlite:///{tmp_path}/copy.sqlite3"))
    records = week.read(0)
    for start in range(0, len(records), 20_000):
        other.append(records[start : start + 20_000])
    model = ReadModel.of(other)
    for upto in range(5_000, len(records) + 5_000, 5_000):  # the log read as it grows
        model.catch_up(other, upto=upto, page=1_777)
    assert model.skipped_intervals == 0  # no simulated interval is too long to count
    period = Period.parse(*WEEK)
    for name in ("demand", "response", "resources"):
        stepped = build(other.engine, name, period, Filters()).to_json()["tables"]
        whole = build(week.engine, name, period, Filters()).to_json()["tables"]
        assert stepped == whole, name
    assert model.rebuild(other) == len(records)
    rebuilt = build(other.engine, "resources", period, Filters()).to_json()["tables"]
    assert rebuilt == build(week.engine, "resources", period, Filters()).to_json()["tables"]


def test_the_read_model_works_on_postgresql(
    postgres_url: str, week: EventLog, tmp_path: Path
) -> None:
    with own_schema(postgres_url) as schema:
        log = EventLog(migrated(postgres_url, schema), schema=schema)
        log.append(week.read(0, 30_000))  # the first day or so
        ReadModel.of(log).catch_up(log, page=7_000)
        lite = EventLog(migrated(f"sqlite:///{tmp_path}/lite.sqlite3"))
        lite.append(week.read(0, 30_000))
        ReadModel.of(lite).catch_up(lite)
        period = Period.parse("2026-03-23", "2026-03-24")
        for name in ("demand", "response", "resources"):
            on_pg = build(log.engine, name, period, Filters()).to_json()["tables"]
            assert on_pg == build(lite.engine, name, period, Filters()).to_json()["tables"]
        log.close()


def test_each_format_opens_with_a_real_reader(week: EventLog) -> None:
    report = build(week.engine, "demand", Period.parse(*WEEK), Filters(bcu=("AW", "CN")))
    by_bcu = _table(report, "by_bcu")
    total = int(by_bcu["incidents"].sum())
    assert set(by_bcu["bcu"]) == {"AW", "CN"} and total > 0

    body, media, name = render(report, "csv")
    assert media == "application/zip" and name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert {
            "by_hour_weekday.csv",
            "by_bcu.csv",
            "by_borough.csv",
            "by_category_grade.csv",
            "README.txt",
        } == set(archive.namelist())
        rows = list(csv.DictReader(io.StringIO(archive.read("by_bcu.csv").decode())))
        heat = list(csv.reader(io.StringIO(archive.read("by_hour_weekday.csv").decode())))
        assert "Definitions" in archive.read("README.txt").decode()
    assert sum(int(r["incidents"]) for r in rows) == total
    assert heat[0] == ["weekday", *[f"{h:02d}" for h in range(24)]]
    assert sum(int(v) for row in heat[1:] for v in row[1:]) == total

    body, _, _ = render(report, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == [
        "About",
        "by_hour_weekday",
        "by_bcu",
        "by_borough",
        "by_category_grade",
    ]
    sheet = book["by_bcu"]
    assert sheet.freeze_panes == "A3"
    header = [c.value for c in sheet[2]]
    assert header[:2] == ["BCU", "incidents"]  # the words people use
    values = [
        row[1] for row in sheet.iter_rows(min_row=3, max_row=2 + len(by_bcu), values_only=True)
    ]
    assert all(isinstance(v, int) for v in values) and sum(values) == total
    assert sheet.cell(row=3 + len(by_bcu), column=1).value == "Total"
    assert sheet.cell(row=3 + len(by_bcu), column=2).value == total
    assert len(sheet._charts) == 1

    body, media, _ = render(report, "pdf")
    pdf = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert media == "application/pdf" and len(pdf.pages) >= 5
    assert "Bluelamp - Demand" in text and "Definitions" in text
    assert "BCU: AW, CN" in text and "Page 1 of" in text
    assert "Incidents by BCU, against the previous period" in text
    assert sum(len(page.images) for page in pdf.pages) >= 3  # the plotly charts


def test_date_range_edges(week: EventLog) -> None:
    spring = Period.parse("2026-03-29", "2026-03-29")
    autumn = Period.parse("2026-10-25", "2026-10-25")
    assert (spring.hours, autumn.hours) == (23, 25)  # the clock-change days, as they were
    day = build(week.engine, "demand", spring, Filters())
    heat = _table(day, "by_hour_weekday")
    assert int(heat.drop(columns="weekday").to_numpy().sum()) == int(
        _table(day, "by_bcu")["incidents"].sum()
    )
    assert int(heat.set_index("weekday").loc["Sun", "01"]) == 0  # 01:00-02:00 never happened

    empty = Period.parse("2027-01-04", "2027-01-05")
    for name in ("demand", "response", "resources"):
        report = build(week.engine, name, empty, Filters())
        assert report.notes and all(
            len(t.frame) == 0 or t.frame.select_dtypes("number").sum().sum() == 0
            for t in report.tables
            if t.name != "demand_capacity_by_hour"
        )
        for fmt in ("csv", "xlsx", "pdf"):
            assert render(report, fmt)[0]
    with pytest.raises(ValueError, match="before"):
        Period.parse("2026-03-29", "2026-03-23")


def test_the_command_line_writes_a_report(
    week: EventLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUELAMP_DATABASE_URL", week.url)
    out = tmp_path / "response.csv"
    result = CliRunner().invoke(
        create_cli(),
        [
            "report",
            "response",
            "--from",
            WEEK[0],
            "--to",
            WEEK[1],
            "--format",
            "csv",
            "--out",
            str(out),
            "--grade",
            "I",
        ],
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("by_grade.csv").decode())))
    assert [r["grade"] for r in rows] == ["I"]
    bad = CliRunner().invoke(create_cli(), ["report", "nope", "--from", "x", "--to", "y"])
    assert bad.exit_code != 0


def test_reports_over_the_api_are_for_planners_and_commanders_and_audited(api: Api) -> None:
    lat, lon = POINTS["AW"]
    api.push(incident_created(api.fresh("R"), lat=lat, lon=lon, time=START))
    day = START.astimezone(LONDON_TZ).date().isoformat()
    params = {"from": day, "to": day, "format": "xlsx"}
    with api.client("plan") as planner:
        answer = planner.get("/api/reports/demand", params=params)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/vnd.openxml")
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        assert book["by_bcu"]["B3"].value >= 1
        data = planner.get("/api/reports/response", params={**params, "format": "json"}).json()
        assert [t["name"] for t in data["tables"]] == ["by_grade_bcu", "by_grade", "late"]
        assert planner.get("/api/reports/nope", params=params).status_code == 404
        bad = planner.get("/api/reports/demand", params={**params, "from": "yesterday"})
        assert bad.status_code == 422 and "date" in bad.json()["detail"]
    for user in ("insp_aw", "feed"):
        with api.client(user) as other:
            assert other.get("/api/reports/demand", params=params).status_code == 403
    entry = api.audit(actor="plan", action="report.export")[0]
    assert entry["target"] in ("demand", "response") and entry["outcome"] == "ok"
    assert httpx.get(f"{api.url}/api/reports/demand", params=params).status_code == 401


def test_a_report_made_in_the_background_reports_its_progress(api: Api) -> None:
    day = START.astimezone(LONDON_TZ).date().isoformat()
    with api.client("plan") as planner:
        started = planner.post(
            "/api/reports/response/jobs", params={"from": day, "to": day, "format": "pdf"}
        )
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["state"] in ("queued", "running") and job["file"] is None
        seen = set()
        deadline = datetime.now() + timedelta(seconds=60)
        while job["state"] not in ("done", "failed"):
            assert datetime.now() < deadline, job
            job = planner.get(f"/api/reports/jobs/{job['id']}").json()
            seen.add(job["step"])
        assert job["state"] == "done" and job["progress"] == 1.0, job
        pdf = planner.get(job["file"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert PdfReader(io.BytesIO(pdf.content)).pages
    with api.client("chief") as chief:
        assert chief.get(f"/api/reports/jobs/{job['id']}").status_code == 200
    with api.client("insp_aw") as inspector:
        assert inspector.get(f"/api/reports/jobs/{job['id']}").status_code == 403
    assert api.audit(actor="plan", action="report.export")[0]["status"] == 202
    Jobs(api.accounts.engine).tend(datetime.now(UTC) + timedelta(hours=25))  # a day later
    with api.client("plan") as planner:
        gone = planner.get(job["file"])
        assert gone.status_code == 410 and "deleted 24 hours after" in gone.json()["detail"]
        assert planner.get(f"/api/reports/jobs/{job['id']}").json()["state"] == "expired"


def test_another_planners_report_job_is_refused_and_audited(api: Api) -> None:
    api.accounts.add("plan_other", PASSWORD, "planner")
    day = START.astimezone(LONDON_TZ).date().isoformat()
    with api.client("plan") as planner:
        started = planner.post(
            "/api/reports/demand/jobs", params={"from": day, "to": day, "format": "csv"}
        )
        assert started.status_code == 202, started.text
    job = started.json()["id"]
    with api.client("plan_other") as other:
        assert other.get(f"/api/reports/jobs/{job}").status_code == 403
        assert other.get(f"/api/reports/jobs/{job}/file").status_code == 403
    entries = api.audit(actor="plan_other", outcome="denied")
    assert {e["action"] for e in entries} == {"report.job.status", "report.job.file"}
    assert all(e["target"] == job and e["status"] == 403 for e in entries)
    assert "owner" in entries[0]["detail"]["reason"]


def test_an_incidents_debrief_is_a_pdf_for_commanders_and_planners_and_audited(api: Api) -> None:
    ev = Events(source=f"debrief-{datetime.now(UTC).timestamp():.0f}")
    ident = f"DB-{ev.source}"
    api.push(ev.on_duty(f"{ident}-U"), ev.incident_created(ident))
    api.push(ev.assigned(ident, f"{ident}-U"), ev.arrived(ident, f"{ident}-U"), ev.closed(ident))
    with api.client("plan") as planner:
        answer = planner.get(f"/api/incidents/{ident}/debrief")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        assert f'filename="bluelamp-debrief-{ident}.pdf"' in answer.headers["content-disposition"]
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
        assert f"Debrief: incident {ident}" in text and "within target" in text
        missing = planner.get("/api/incidents/nope/debrief")
        assert missing.status_code == 404 and "no incident 'nope'" in missing.json()["detail"]
    entry = api.audit(actor="plan", action="report.export")[0]
    assert (entry["target"], entry["outcome"]) == (f"debrief:{ident}", "ok")
    with api.client("insp_aw") as inspector:
        assert inspector.get(f"/api/incidents/{ident}/debrief").status_code == 403
