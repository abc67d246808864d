"""What a report is, the period and filters it covers, and the registry of reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from reports import words

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
#: What a report may cover: the times pandas holds (1677-2262) with room for the previous
#: period of a report as long as this whole range. Outside it, a 422 says so.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class ReportError(ValueError):
    """A report cannot be made as asked (unknown name, bad period): the message says why."""


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, from dates or times given in London time (dates are whole days:
    a day of the clock change has 23 or 25 hours, as it did)."""

    start: datetime
    end: datetime

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        first, last = _moment(start, "from"), _moment(end, "to", end_of_day=True)
        if last < first:
            raise ReportError(f"'to' ({end}) is before 'from' ({start})")
        if first < EARLIEST or last > LATEST:
            raise ReportError(
                f"a report covers {EARLIEST:%Y-%m-%d} to {LATEST - timedelta(days=1):%Y-%m-%d} "
                f"at most; {start} to {end} is outside that"
            )
        return cls(first, last)

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def label(self) -> str:
        first = self.start.astimezone(LONDON)
        last = (self.end - timedelta(microseconds=1)).astimezone(LONDON)
        return f"{first:%d %b %Y %H:%M} – {last:%d %b %Y %H:%M} (London time)"


def _moment(text: str, name: str, end_of_day: bool = False) -> datetime:
    try:
        if len(text) == 10:  # a date: its midnight (for 'to', the next midnight)
            day = date.fromisoformat(text)
            if end_of_day:
                day += timedelta(days=1)
            return datetime.combine(day, time(), LONDON).astimezone(UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LONDON)
        return moment.astimezone(UTC)
    except ValueError:
        raise ReportError(
            f"{name} must be a date (2026-11-24) or a time (2026-11-24T18:00:00Z), not {text!r}"
        ) from None
    except OverflowError:  # the day after 9999-12-31, or a time zone past either end
        raise ReportError(
            f"a report covers {EARLIEST:%Y-%m-%d} to {LATEST - timedelta(days=1):%Y-%m-%d} "
            f"at most; {name} {text!r} is outside that"
        ) from None


@dataclass(frozen=True)
class Filters:
    bcu: tuple[str, ...] = ()
    borough: tuple[str, ...] = ()
    grade: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [
            f"{name}: {', '.join(values)}"
            for name, values in (
                ("BCU", self.bcu),
                ("borough", self.borough),
                ("grade", self.grade),
            )
            if values
        ]
        return "; ".join(parts) or "none (all of London, every grade)"


@dataclass
class Table:
    name: str  # file and sheet name
    title: str
    frame: pd.DataFrame
    chart: str | None = None  # "bar", "heatmap", "line": how to draw it, if at all
    chart_x: str | None = None
    chart_y: list[str] = field(default_factory=list)
    totals: bool = False  # add a totals row in XLSX/PDF
    #: A column whose values are the chart's series (one bar series per grade, grouped,
    #: with ``chart_y[0]`` as their values), instead of one series per ``chart_y`` column.
    chart_series: str | None = None
    #: Per row, where on the screens it can be seen (a late arrival's replay), or None;
    #: empty for a table with no such place. The JSON carries them; the files do not.
    links: list[str | None] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any] | None:
        """The chart's x values and series, as every format draws them."""
        frame = self.frame
        if self.chart not in ("bar", "line") or not self.chart_x or frame.empty:
            return None
        if self.chart_series:
            y = self.chart_y[0]
            wide = frame.pivot_table(
                index=self.chart_x, columns=self.chart_series, values=y, aggfunc="first"
            ).sort_index()
            x = list(wide.index)
            columns = [(key, wide[key]) for key in wide.columns]
        else:
            x = list(frame[self.chart_x])
            columns = [(y, frame[y]) for y in self.chart_y if y in frame.columns]
        return {
            "x": [_plain(words.value(self.chart_x, v)) for v in x],
            "x_title": words.header(self.chart_x),
            "y_title": words.header(self.chart_y[0]) if self.chart_y else "",
            "series": [
                {"key": str(key), "name": words.series(key), "y": [_plain(v) for v in values]}
                for key, values in columns
            ],
        }


@dataclass
class Report:
    name: str
    title: str
    period: Period
    filters: Filters
    definitions: list[str]
    tables: list[Table]
    produced_at: datetime
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "label": self.period.label(),
            },
            "filters": self.filters.__dict__,
            "definitions": self.definitions,
            "notes": self.notes,
            "produced_at": self.produced_at.isoformat(),
            "tables": [
                {
                    "name": t.name,
                    "title": t.title,
                    "columns": list(t.frame.columns),
                    "headers": [words.header(c) for c in t.frame.columns],
                    "coded": [c for c in t.frame.columns if c in words.CODED],
                    "rows": _rows(t.frame),
                    "chart": t.chart,
                    "chart_x": t.chart_x,
                    "chart_y": t.chart_y,
                    "chart_data": t.chart_data(),
                    "links": t.links,
                }
                for t in self.tables
            ],
        }


def _plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars as Python ones, NaN as None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and value != value:
            return None
    return value


def _rows(frame: pd.DataFrame) -> list[list[Any]]:
    out = []
    for row in frame.itertuples(index=False):
        values = []
        for value in row:
            if isinstance(value, pd.Timestamp):
                value = value.isoformat()
            elif value is pd.NaT or (isinstance(value, float) and value != value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            values.append(value)
        out.append(values)
    return out


Builder = Callable[[Engine, Period, Filters], Report]
REPORTS: dict[str, Builder] = {}


def register(name: str) -> Callable[[Builder], Builder]:
    def add(builder: Builder) -> Builder:
        REPORTS[name] = builder
        return builder

    return add


def build(engine: Engine, name: str, period: Period, filters: Filters) -> Report:
    if name not in REPORTS:
        raise ReportError(f"no report {name!r}; one of {', '.join(sorted(REPORTS))}")
    return REPORTS[name](engine, period, filters)
