"""CSV formula injection, tried over real HTTP and read back with real readers (the csv
module, openpyxl): text from feeds (an incident's category) and from anyone (the user name of
a failed sign-in) never reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import httpx
import openpyxl

from tests.api.conftest import Api
from tests.stream.factories import POINTS, incident_created

NASTY = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_report_csv_and_xlsx_hold_feed_text_as_text(api: Api) -> None:
    lat, lon = POINTS["AW"]
    now = datetime.now(UTC)
    api.push(
        *(
            incident_created(api.fresh("CSV"), "S", lat, lon, category, time=now)
            for category in [*NASTY, "-5"]
        )
    )
    today = now.date().isoformat()
    period = {"from": today, "to": today}
    with api.client("plan") as planner:
        zipped = planner.get("/api/reports/demand", params={**period, "format": "csv"})
        book = planner.get("/api/reports/demand", params={**period, "format": "xlsx"})
    assert zipped.status_code == 200, zipped.text
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    rows = _rows(archive.read("by_category_grade.csv").decode())
    header, body = rows[0], rows[1:]
    categories = {row[header.index("category")]: row for row in body}
    for category in NASTY:
        assert "'" + category in categories, categories.keys()
        assert category not in categories
        assert categories["'" + category][header.index("S")] == "1"  # numbers stay numbers
    assert "-5" in categories  # a number is no formula: left as it is
    for name in archive.namelist():
        if name.endswith(".csv"):
            for row in _rows(archive.read(name).decode()):
                assert not any(c.startswith(("=", "+", "@")) for c in row), (name, row)

    assert book.status_code == 200, book.text
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["by_category_grade"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for category in NASTY:
        assert cells[category].data_type == "s"  # a string cell, exactly as sent
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_the_audit_csv_holds_a_failed_sign_ins_user_name_as_text(api: Api) -> None:
    for name in NASTY:
        answer = httpx.post(f"{api.url}/api/token", data={"username": name, "password": "no"})
        assert answer.status_code == 401, answer.text
    with api.client("chief") as chief:
        answer = chief.get(
            "/api/audit", params={"format": "csv", "action": "signin.token", "limit": 1000}
        )
    assert answer.status_code == 200, answer.text
    rows = _rows(answer.text)
    header, body = rows[0], rows[1:]
    actors = [row[header.index("actor")] for row in body]
    for name in NASTY:
        assert "'" + name in actors and name not in actors
    for row in body:
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row), row
