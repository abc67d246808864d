"""The debrief of a period (last night 22:00-04:00, a shift, a day), as a PDF: the figures
against target, the moment London was most stretched, what people decided, and who was late.

All of it from the event log. The figures are those of the same fold that judges every
simulated run and every re-run (stream.sim.evaluate: the response clock from
``incident.created`` to the first ``incident.arrived``, by grade at creation). The key
moments are the period's start, its peak (the most I- and S-grade calls waiting for a unit
at once) and its end, each drawn from the picture as it stood then (``EventLog.picture``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fpdf import FPDF

from geodata import London
from reports.debrief_map import View, london_view, map_figure
from reports.formats import latin, png_images
from reports.model import LONDON
from stream.events import TARGET_SECONDS, Recorded, to_dict
from stream.log import EventLog
from stream.payloads import IncidentArrived, IncidentAssigned, IncidentClosed, IncidentCreated
from stream.picture import Incident, IncidentStatus, Picture
from stream.sim.evaluate import Evaluation, evaluate

LONGEST = timedelta(days=7)  # a debrief is of a night or a week, not of a year
ROWS = 80  # late arrivals and decisions listed at most (the report's CSV has them all)
URGENT = ("I", "S")


class NoSuchPeriod(ValueError):
    """A period the log cannot debrief: why, in words."""


@dataclass
class PeriodDebrief:
    start: datetime
    end: datetime
    figures: Evaluation
    moments: list[tuple[str, int, int]]  # (what, seq, calls waiting then)
    late: list[tuple[datetime, str, str, str, float | None]]  # created, call, grade, BCU, s
    decisions: list[tuple[datetime, str]]  # people's commands, in words
    pictures: dict[int, Picture] = field(default_factory=dict)


def period_debrief(log: EventLog, london: London, start: datetime, end: datetime) -> PeriodDebrief:
    """The debrief of what the log took from ``start`` to ``end``; :class:`NoSuchPeriod`
    for one the log took nothing in, or one longer than ``LONGEST``."""
    if end - start > LONGEST or end <= start:
        raise NoSuchPeriod(f"a debrief covers up to {LONGEST.days} days, start before end")
    first, last = log.seq_at(start) or 0, log.seq_at(end) or 0
    if last <= first:
        raise NoSuchPeriod(f"the log took no record between {start:%Y-%m-%d %H:%M} and {end:%H:%M}")
    at_start = log.picture(first) if first else Picture()
    records = list(log.iter(first, upto=last))
    # _peak walks the waiting set forward: it gets its own, so the start keeps its count.
    peak = _peak(records, _waiting_in(at_start), first)
    at_end = log.picture(last)
    figures = evaluate((to_dict(r.event) for r in records), london.locate)
    moments = [
        ("the period began", first, len(_waiting_in(at_start))),
        peak,
        ("the period ended", last, len(_waiting_in(at_end))),
    ]
    decisions = [(r.event.time, said) for r in records if (said := _decision(r))]
    made = PeriodDebrief(start, end, figures, moments, _late(records), decisions)
    made.pictures = {first: at_start, last: at_end}
    if peak[1] not in made.pictures:
        made.pictures[peak[1]] = log.picture(peak[1])
    return made


def _waits(incident: Incident) -> bool:
    return incident.status is IncidentStatus.OPEN and incident.grade.value in URGENT


def _waiting_in(picture: Picture) -> set[str]:
    """The I/S calls waiting for a unit in ``picture``."""
    return {i.incident_id for i in picture.incidents.values() if _waits(i)}


def _peak(records: list[Recorded], waiting: set[str], first: int) -> tuple[str, int, int]:
    """The moment most I/S calls waited for a unit at once: (what, seq, how many)."""
    best = (len(waiting), first)
    for record in records:
        data = record.event.data
        if isinstance(data, IncidentCreated) and data.grade.value in URGENT:
            waiting.add(data.incident_id)
        elif isinstance(data, IncidentAssigned | IncidentClosed):
            waiting.discard(data.incident_id)
        if len(waiting) > best[0]:
            best = (len(waiting), record.seq)
    return ("most calls waiting", best[1], best[0])


def _late(records: list[Recorded]) -> list[tuple[datetime, str, str, str, float | None]]:
    """I/S calls created in the period whose first unit came after the target (or not by
    the period's end, once due), oldest first."""
    targets: dict[str, int] = {g.value: s for g, s in TARGET_SECONDS.items()}
    made: dict[str, tuple[datetime, str, str, str]] = {}
    arrived: dict[str, datetime] = {}
    end = records[-1].event.time
    for record in records:
        data, when = record.event.data, record.event.time
        if isinstance(data, IncidentCreated) and data.grade.value in targets:
            named = data.reference or data.incident_id
            made[data.incident_id] = (when, named, data.grade.value, record.bcu or "-")
        elif isinstance(data, IncidentArrived):
            arrived.setdefault(data.incident_id, when)
    late = []
    for ident, (created, named, grade, bcu) in made.items():
        due = created + timedelta(seconds=targets[grade])
        came = arrived.get(ident)
        if (came is None and due <= end) or (came is not None and came > due):
            took = None if came is None else (came - created).total_seconds()
            late.append((created, named, grade, bcu, took))
    return late


def _decision(record: Recorded) -> str:
    """A person's command (an event the API sent for a signed-in user), in words; "" else."""
    source = record.event.source
    if not source.startswith("bluelamp-api/"):
        return ""
    data = record.event.data
    what = record.event.type.value.replace(".", " ").replace("_", " ")
    about = [str(v) for k in ("unit_id", "incident_id", "bcu", "status", "outcome")
             if (v := getattr(data, k, None)) is not None]  # fmt: skip
    return f"{source.removeprefix('bluelamp-api/')}: {what} {' '.join(about)}".strip()


# -- the PDF --------------------------------------------------------------------------------


def period_debrief_pdf(london: London, made: PeriodDebrief, produced: datetime) -> bytes:
    """The period's debrief as an A4 PDF."""
    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    doc.set_auto_page_break(auto=True, margin=15)
    span = f"{_when(made.start)} to {_when(made.end)} (London time)"
    doc.set_title(f"Bluelamp - debrief {span}")
    doc.add_page()
    _heading(doc, "Debrief: " + span, 15)
    _figures(doc, made.figures)
    _moments(doc, made)
    _rows(doc, "Late arrivals", ("created", "call", "grade", "BCU", "first unit after"), [
        (_when(c), n, g, b, "not attended" if s is None else f"{s / 60:.1f} min")
        for c, n, g, b, s in made.late
    ])  # fmt: skip
    _rows(doc, "What people decided (commands, from the log)", ("time", "who and what"), [
        (_when(t), text) for t, text in made.decisions
    ])  # fmt: skip
    lat, lon, span_deg = london_view(london)
    view = View(lat, lon, span_deg)
    figures = {  # by moment: two may share a seq (the peak at the start)
        f"m{n}": map_figure(london, made.pictures[seq], view, f"{what}: {waiting} waiting")
        for n, (what, seq, waiting) in enumerate(made.moments)
    }
    for (what, _, _), image in zip(made.moments, png_images(figures).values(), strict=True):
        doc.add_page()
        _heading(doc, f"The picture when {what}", 12)
        doc.image(io.BytesIO(image), w=180)
    doc.set_font("Helvetica", "", 8)
    doc.cell(0, 6, f"Produced {_when(produced)} (London time) from the event log")
    return bytes(doc.output())


def _heading(doc: FPDF, text: str, size: int) -> None:
    doc.set_font("Helvetica", "B", size)
    doc.multi_cell(0, size * 0.55, latin(text), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 9)


def _figures(doc: FPDF, figures: Evaluation) -> None:
    rows = []
    for grade in URGENT:
        f = figures.by_grade.get(grade)
        if f is not None and f.incidents:
            share = "-" if f.judged == 0 else f"{f.within_target * 100:.1f}%"
            mean = "-" if not f.responses else f"{f.mean_s / 60:.1f} min"
            rows.append((grade, str(f.incidents), share, str(f.late), mean))
    _rows(doc, "Figures against target (I: 15 min, S: 60 min)",
          ("grade", "calls", "within target", "late", "mean response"), rows)  # fmt: skip


def _moments(doc: FPDF, made: PeriodDebrief) -> None:
    rows = []
    for what, seq, waiting in made.moments:
        picture = made.pictures[seq]
        free = sum(
            1 for u in picture.units.values() if u.status.value in ("available", "at_station")
        )
        on = sum(1 for u in picture.units.values() if u.status.value != "off_duty")
        as_of = "-" if picture.now is None else _when(picture.now)
        rows.append((what, as_of, str(waiting), f"{free} of {on}"))
    _rows(doc, "Key moments", ("moment", "time", "I/S calls waiting", "units free"), rows)


def _rows(doc: FPDF, title: str, headings: tuple[str, ...], rows: Sequence[Sequence[str]]) -> None:
    doc.ln(2)
    _heading(doc, title, 11)
    if not rows:
        doc.cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
        return
    with doc.table(first_row_as_headings=True, line_height=4.5) as table:
        head = table.row()
        for text in headings:
            head.cell(text)
        for values in rows[:ROWS]:
            row = table.row()
            for text in values:
                row.cell(latin(text))
    if len(rows) > ROWS:
        doc.cell(0, 5, f"The first {ROWS} of {len(rows)}.", new_x="LMARGIN", new_y="NEXT")


def _when(at: datetime) -> str:
    return f"{at.astimezone(LONDON):%a %d %b %H:%M}"
