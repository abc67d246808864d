"""A report as CSV (one table per file, zipped when several), XLSX (a sheet per table, typed
cells, frozen headers, native charts) or PDF (A4, titled and paginated: period, filters,
definitions, plotly charts as images, tables, when it was produced)."""

from __future__ import annotations

import io
import math
import os
import threading
import warnings
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import kaleido
import pandas as pd
import plotly.graph_objects as go
import xlsxwriter
from fpdf import FPDF

from reports import words
from reports.csvsafe import SafeWriter
from reports.model import LONDON, Period, Report, Table

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "zip": ("application/zip", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}
Progress = Callable[[str], None]
CHROMIUM = "/usr/bin/chromium"  # Debian's; kaleido finds another by itself
_KALEIDO = threading.Lock()


def render(report: Report, fmt: str, progress: Progress | None = None) -> tuple[bytes, str, str]:
    """The report's bytes, media type and file name."""
    say = progress or (lambda _: None)
    stem = file_stem(report.name, report.period)
    if fmt == "csv":
        if len(report.tables) == 1:
            return csv_table(report.tables[0]).encode(), FORMATS["csv"][0], f"{stem}.csv"
        return zip_csv(report), FORMATS["zip"][0], f"{stem}.zip"
    if fmt == "xlsx":
        return xlsx(report, say), FORMATS["xlsx"][0], f"{stem}.xlsx"
    if fmt == "pdf":
        return pdf(report, say), FORMATS["pdf"][0], f"{stem}.pdf"
    raise ValueError(f"unknown format {fmt!r}")


def file_stem(name: str, period: Period) -> str:
    """``bluelamp-demand-2026-11-18-to-2026-11-24``: the whole period, in London time (a
    period given as times, not whole days, names its hours and minutes too)."""
    first = period.start.astimezone(LONDON)
    last = period.end.astimezone(LONDON)
    whole_days = first.time() == last.time() == datetime.min.time()
    if whole_days:
        start, end = f"{first:%Y-%m-%d}", f"{(last - timedelta(days=1)):%Y-%m-%d}"
    else:
        start, end = f"{first:%Y-%m-%dT%H%M}", f"{last:%Y-%m-%dT%H%M}"
    days = start if start == end else f"{start}-to-{end}"
    return f"bluelamp-{name}-{days}"


# -- CSV ------------------------------------------------------------------------------------


def csv_table(table: Table) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)  # text from feeds must not become a spreadsheet formula
    columns = list(table.frame.columns)
    writer.writerow([words.header(c) for c in columns])
    for row in table.frame.itertuples(index=False):
        writer.writerow(
            [_text(words.value(c, v), csv=True) for c, v in zip(columns, row, strict=True)]
        )
    return out.getvalue()


def zip_csv(report: Report) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables:
            archive.writestr(f"{table.name}.csv", csv_table(table))
        archive.writestr("README.txt", _about(report))
    return out.getvalue()


def _about(report: Report) -> str:
    lines = [
        f"Bluelamp — {report.title}",
        f"Period: {report.period.label()}",
        f"Filters: {report.filters.describe()}",
        f"Produced: {report.produced_at.astimezone(LONDON):%d %b %Y %H:%M} (London time)",
        "",
        "Definitions:",
        *(f"- {d}" for d in report.definitions),
    ]
    return "\n".join(lines) + "\n"


# -- XLSX -----------------------------------------------------------------------------------


def xlsx(report: Report, say: Progress) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    number = book.add_format({"num_format": "#,##0.0##"})
    whole = book.add_format({"num_format": "#,##0"})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    about = book.add_worksheet("About")
    about.set_column(0, 0, 110)
    for i, line in enumerate(_about(report).splitlines()):
        about.write_string(i, 0, line)
    for table in report.tables:
        say(f"sheet {table.name}")
        sheet = book.add_worksheet(table.name[:31])
        frame = table.frame
        sheet.write_string(0, 0, table.title, book.add_format({"bold": True, "font_size": 13}))
        for c, column in enumerate(frame.columns):
            sheet.write_string(1, c, words.header(column), bold)
            sheet.set_column(c, c, max(10, min(40, len(words.header(column)) + 4)))
        sheet.freeze_panes(2, 0)
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for c, value in enumerate(row):
                _cell(sheet, r, c, words.value(frame.columns[c], value), number, whole, when)
        last = len(frame) + 1
        if table.totals and len(frame):
            sheet.write_string(last + 1, 0, "Total", bold)
            for c, column in enumerate(frame.columns):
                if c and pd.api.types.is_integer_dtype(frame[column]):
                    sheet.write_number(last + 1, c, int(frame[column].sum()), whole)
        if (drawn := table.chart_data()) is not None:
            _chart(book, sheet, table, drawn, bold)
    book.close()
    return out.getvalue()


def _cell(sheet: Any, r: int, c: int, value: Any, number: Any, whole: Any, when: Any) -> None:
    if _missing(value):
        sheet.write_blank(r, c, None)
    elif isinstance(value, datetime):  # pandas' Timestamp too: a date cell, not text
        sheet.write_datetime(r, c, value.replace(tzinfo=None), when)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int) or (hasattr(value, "dtype") and "int" in str(value.dtype)):
        sheet.write_number(r, c, int(value), whole)
    elif isinstance(value, float):
        sheet.write_number(r, c, value, number)
    else:
        sheet.write_string(r, c, str(value))


def _chart(book: Any, sheet: Any, table: Table, drawn: dict[str, Any], bold: Any) -> None:
    """A native chart of the table's chart data, which is written beside the table (one
    column per series: a grade's bars come from its own column, never from a mix)."""
    left = len(table.frame.columns) + 1
    series = drawn["series"]
    sheet.write_string(0, left, "Chart data", bold)
    sheet.write_string(1, left, drawn["x_title"], bold)
    for i, x in enumerate(drawn["x"], start=2):
        _cell(sheet, i, left, x, None, None, None)
    for s, one in enumerate(series, start=1):
        sheet.write_string(1, left + s, one["name"], bold)
        for i, y in enumerate(one["y"], start=2):
            _cell(sheet, i, left + s, y, None, None, None)
    last = len(drawn["x"]) + 1
    chart = book.add_chart({"type": "column" if table.chart == "bar" else "line"})
    for s in range(1, len(series) + 1):
        chart.add_series(
            {
                "name": [sheet.name, 1, left + s],
                "categories": [sheet.name, 2, left, last, left],
                "values": [sheet.name, 2, left + s, last, left + s],
            }
        )
    chart.set_title({"name": table.title})
    chart.set_x_axis({"name": drawn["x_title"]})
    chart.set_y_axis({"name": drawn["y_title"]})
    chart.set_size({"width": 720, "height": 360})
    sheet.insert_chart(1, left + len(series) + 2, chart)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


# -- PDF ------------------------------------------------------------------------------------


class _Document(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(f"Bluelamp — {report.title}")

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.set_text_color(90)
        self.cell(0, 6, latin(f"Bluelamp — {self.report.title} — {self.report.period.label()}"))
        self.ln(8)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(90)
        produced = self.report.produced_at.astimezone(LONDON)
        self.cell(0, 6, latin(f"Produced {produced:%d %b %Y %H:%M} (London time)"))
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="R")


def pdf(report: Report, say: Progress) -> bytes:
    doc = _Document(report)
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_font("Helvetica", "B", 18)
    doc.cell(0, 10, latin(f"Bluelamp — {report.title}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    for line in (f"Period: {report.period.label()}", f"Filters: {report.filters.describe()}"):
        doc.multi_cell(0, 5, latin(line), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 6, "Definitions", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 9)
    for definition in report.definitions:
        doc.multi_cell(0, 4.5, latin(f"- {definition}"), new_x="LMARGIN", new_y="NEXT")
    for note in report.notes:
        doc.set_font("Helvetica", "I", 10)
        doc.multi_cell(0, 5, latin(note), new_x="LMARGIN", new_y="NEXT")
    say("charts")
    images = _images(report.tables)
    for table in report.tables:
        say(f"section {table.name}")
        doc.add_page()
        doc.set_font("Helvetica", "B", 13)
        doc.multi_cell(0, 7, latin(table.title), new_x="LMARGIN", new_y="NEXT")
        image = images.get(table.name)
        if image is not None:
            doc.image(io.BytesIO(image), w=180)
            doc.ln(2)
        _pdf_table(doc, table)
    out = doc.output()
    return bytes(out)


def _pdf_table(doc: FPDF, table: Table, max_rows: int = 400) -> None:
    frame = table.frame
    if frame.empty:
        doc.set_font("Helvetica", "I", 9)
        doc.cell(0, 6, "No rows.", new_x="LMARGIN", new_y="NEXT")
        return
    columns = [words.header(c) for c in frame.columns]
    size = 7 if len(columns) > 12 else 8
    doc.set_font("Helvetica", "", size)
    rows = [
        [_text(words.value(c, v)) for c, v in zip(frame.columns, row, strict=True)]
        for row in frame.head(max_rows).itertuples(index=False)
    ]
    if table.totals:
        totals = ["Total"] + [
            str(int(frame[c].sum())) if pd.api.types.is_integer_dtype(frame[c]) else ""
            for c in frame.columns[1:]
        ]
        rows.append(totals)
    with doc.table(
        text_align="RIGHT", line_height=size * 0.5, first_row_as_headings=True, repeat_headings=1
    ) as pdf_table:
        heading = pdf_table.row()
        for column in columns:
            heading.cell(latin(column))
        for values in rows:
            line = pdf_table.row()
            for value in values:
                line.cell(latin(value))
    if len(frame) > max_rows:
        doc.set_font("Helvetica", "I", 8)
        doc.cell(
            0,
            5,
            f"First {max_rows} of {len(frame)} rows; the CSV and XLSX hold all.",
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _images(tables: list[Table]) -> dict[str, bytes]:
    """PNG of each table's chart (by the table's name)."""
    return png_images({t.name: f for t in tables if (f := figure(t)) is not None})


def png_images(figures: dict[str, go.Figure]) -> dict[str, bytes]:
    """PNG of each figure, by its key, rendered by kaleido with one browser for them all
    (one per figure cost a second each). One at a time: kaleido's server is global."""
    if not figures:
        return {}
    if "BROWSER_PATH" not in os.environ and os.path.exists(CHROMIUM):
        os.environ["BROWSER_PATH"] = CHROMIUM  # kaleido renders the charts with it
    with _KALEIDO:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            with warnings.catch_warnings():  # plotly warns that its options go unused here
                warnings.simplefilter("ignore", UserWarning)
                return {n: bytes(f.to_image(format="png", scale=2)) for n, f in figures.items()}
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def figure(table: Table) -> go.Figure | None:
    """The plotly figure the PDF draws for a table (None: the table has no chart)."""
    frame = table.frame
    if not table.chart or frame.empty or not table.chart_x:
        return None
    if table.chart == "heatmap":
        values = frame.drop(columns=[table.chart_x])
        drawn = go.Figure(
            go.Heatmap(
                z=values.to_numpy(),
                x=list(values.columns),
                y=list(frame[table.chart_x]),
                colorscale="Reds",
            )
        )
    else:
        data = table.chart_data()
        if data is None:
            return None
        kind = go.Bar if table.chart == "bar" else go.Scatter
        drawn = go.Figure(
            [kind(x=data["x"], y=one["y"], name=one["name"]) for one in data["series"]]
        )
        drawn.update_layout(
            barmode="group",  # side by side: a share per grade, never added up
            xaxis_title=data["x_title"],
            yaxis_title=data["y_title"],
        )
    drawn.update_layout(
        title=table.title,
        template="plotly_white",
        width=900,
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
    )
    return drawn


def _text(value: Any, csv: bool = False) -> Any:
    """A cell as text (CSV keeps numbers as they are, for the CSV writer to judge)."""
    if _missing(value):
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if csv:
        return value
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def latin(text: str) -> str:
    """The PDF's core fonts are Latin-1: typographic dashes and the like as plain ones (every
    PDF here: reports and debriefs alike)."""
    swaps = {"—": "-", "–": "-", "·": "-", "’": "'", "“": '"', "”": '"', "…": "..."}
    for a, b in swaps.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")
