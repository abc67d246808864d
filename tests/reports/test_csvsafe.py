"""The CSV cell rule itself (pure): formula leaders get a quote, numbers do not."""

from __future__ import annotations

import csv
import io

import pytest

from reports.csvsafe import SafeWriter, cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1", "-", "+", "=", "-cmd", "-1e5x"],
)
def test_text_a_spreadsheet_would_evaluate_gets_a_quote(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, 2.5, -0.5, "-3", "+4", "-3.25", "-1e5", "ok", "a=b", ""])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert cell(value) == value


def test_the_writer_quotes_every_cell_that_needs_it() -> None:
    out = io.StringIO()
    SafeWriter(out).writerow(["=A1", -2, "x", "@B2"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=A1", "-2", "x", "'@B2"]
