"""The debrief of one incident, as a PDF: after a serious incident or a missed target, "what
did we know, and when, and what could we have done?".

All of it from the event log (the truth), none from the read model: the incident's facts,
its response against its target, each unit sent with its times, the whole timeline in words
(the recommender's advice from the ledger included, when it was recorded), and a map of
the units around it at each key moment (created, first unit sent, first on scene, closed),
from the picture as it stood then (``EventLog.picture``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import singledispatch

from fpdf import FPDF

from geodata import London
from reports.debrief_map import View, map_figure
from reports.formats import latin, png_images
from reports.model import LONDON
from reports.words import GRADES, value
from stream.events import TARGET_SECONDS, Recorded
from stream.log import EventLog
from stream.payloads import (
    AdviceOffered,
    IncidentArrived,
    IncidentAssigned,
    IncidentClosed,
    IncidentCreated,
    IncidentGraded,
    IncidentNoted,
    IncidentPersonLinked,
    IncidentPersonUnlinked,
)
from stream.picture import Picture

#: How far around the incident the maps show (degrees of latitude; longitude scaled).
SPAN_DEG = 0.03  # about 3.3 km each way
MOMENTS = {
    "incident.created": "created",
    "incident.assigned": "first unit sent",
    "incident.arrived": "first unit on scene",
    "incident.closed": "closed",
}


class NoSuchIncident(LookupError):
    """The log holds nothing about the incident asked for."""


@dataclass
class UnitTimes:
    unit_id: str
    callsign: str
    assigned: datetime | None = None
    arrived: datetime | None = None
    left: datetime | None = None  # the call closed, or the unit was taken off it


@dataclass
class Debrief:
    incident_id: str
    facts: dict[str, str]
    created: datetime
    grade: str
    lat: float
    lon: float
    target_s: float | None
    response_s: float | None  # creation to the first unit on scene
    units: list[UnitTimes]
    timeline: list[tuple[datetime, str]]
    moments: list[tuple[str, int, datetime]]  # (what, seq, when): the maps' moments
    pictures: dict[int, Picture] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.target_s is None:
            return "no attendance target for this grade"
        if self.response_s is None:
            return f"not attended; target {self.target_s / 60:.0f} min"
        late = self.response_s - self.target_s
        said = f"{_minutes(self.response_s)} against a target of {self.target_s / 60:.0f} min"
        return f"within target: {said}" if late <= 0 else f"late by {_minutes(late)}: {said}"


def debrief(log: EventLog, incident_id: str) -> Debrief:
    """The incident's debrief from ``log``; :class:`NoSuchIncident` if the log has nothing."""
    history = log.history(incident_id=incident_id, limit=100_000)
    created = next((r for r in history if isinstance(r.event.data, IncidentCreated)), None)
    if created is None or not isinstance(data := created.event.data, IncidentCreated):
        raise NoSuchIncident(f"the log holds no incident {incident_id!r}")
    target = TARGET_SECONDS.get(data.grade)
    made = Debrief(
        incident_id,
        _facts(created, data),
        created.event.time,
        data.grade.value,
        data.lat,
        data.lon,
        None if target is None else float(target),
        None,
        [],
        [],
        [],
    )
    _follow(made, history)
    for _, seq, _ in made.moments:
        made.pictures[seq] = log.picture(seq)
    for unit in made.units:  # named as the radio names them, from the pictures
        found = (p.units[unit.unit_id] for p in made.pictures.values() if unit.unit_id in p.units)
        unit.callsign = next((u.callsign for u in found), unit.unit_id)
    return made


def _facts(created: Recorded, data: IncidentCreated) -> dict[str, str]:
    when = created.event.time.astimezone(LONDON)
    return {
        "Reference": data.reference or "-",
        "Grade": GRADES.get(data.grade.value, "-"),
        "Category": str(value("category", data.category)),
        "BCU": created.bcu or "-",
        "Borough": created.borough or "-",
        "Address": data.address or "-",
        "Created": f"{when:%a %d %b %Y %H:%M:%S} (London time)",
    }


def _follow(made: Debrief, history: list[Recorded]) -> None:
    """The units, the timeline and the key moments, in the order the log took them."""
    units: dict[str, UnitTimes] = {}
    seen: set[str] = set()
    for record in history:
        kind, data, when = record.event.type.value, record.event.data, record.event.time
        unit_id = getattr(data, "unit_id", None)
        if kind in MOMENTS and kind not in seen:
            seen.add(kind)
            made.moments.append((MOMENTS[kind], record.seq, when))
        if kind == "incident.assigned" and unit_id:
            units.setdefault(unit_id, UnitTimes(unit_id, unit_id, assigned=when))
        elif kind == "incident.arrived" and unit_id in units:
            times = units[unit_id]
            times.arrived = times.arrived or when
            if made.response_s is None:
                made.response_s = (when - made.created).total_seconds()
        elif kind == "incident.closed":
            for times in units.values():
                times.left = times.left or when
        made.timeline.append((when, _line(record)))
    made.units = list(units.values())


def _line(record: Recorded) -> str:
    """One timeline entry in the words a control room uses, and who did it."""
    said = _said(record.event.data) or record.event.type.value.replace(".", " ")
    source = record.event.source
    by = source.removeprefix("bluelamp-api/") if source.startswith("bluelamp-api/") else None
    return said + (f" (by {by})" if by else "")


@singledispatch
def _said(data: object) -> str:
    return ""  # any other event: its type in words


@_said.register
def _(data: IncidentCreated) -> str:
    return f"created: grade {data.grade.value}, {value('category', data.category)}"


@_said.register
def _(data: IncidentGraded) -> str:
    return f"regraded {data.grade.value}"


@_said.register
def _(data: IncidentAssigned) -> str:
    return f"{data.unit_id} sent"


@_said.register
def _(data: IncidentArrived) -> str:
    return f"{data.unit_id} on scene"


@_said.register
def _(data: IncidentClosed) -> str:
    return f"closed: {value('outcome', data.outcome)}"


@_said.register
def _(data: IncidentNoted) -> str:
    return f"note: {data.text}"


@_said.register
def _(data: AdviceOffered) -> str:
    away = f" ({_minutes(data.eta_s)} away)" if data.eta_s else ""
    return f"the recommender advised sending {data.unit_id}{away}"


@_said.register
def _(data: IncidentPersonLinked) -> str:
    return f"a {data.role.value} linked (who: the incident's context, audited)"


@_said.register
def _(data: IncidentPersonUnlinked) -> str:
    return f"a {data.role.value} unlinked"


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


# -- the PDF --------------------------------------------------------------------------------


def debrief_pdf(london: London, made: Debrief, produced: datetime) -> bytes:
    """The debrief as an A4 PDF: facts and the verdict, the units' times, the timeline, then
    a map at each key moment."""
    named = made.facts["Reference"] if made.facts["Reference"] != "-" else made.incident_id
    title = f"Debrief: incident {named}"
    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    doc.set_auto_page_break(auto=True, margin=15)
    doc.set_title(f"Bluelamp - {title}")
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.cell(0, 9, latin(title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    for name, text in [("Incident", made.incident_id), *made.facts.items()]:
        doc.cell(30, 5.5, latin(name))
        doc.multi_cell(0, 5.5, latin(text), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "B", 11)
    doc.multi_cell(0, 7, latin(f"Response: {made.verdict}"), new_x="LMARGIN", new_y="NEXT")
    _units_table(doc, made)
    _timeline_table(doc, made)
    names = {f"m{seq}": (what, seq, when) for what, seq, when in made.moments}
    view = View(
        made.lat, made.lon, SPAN_DEG, frozenset(u.unit_id for u in made.units),
        ((made.lat, made.lon, f"the incident ({made.grade})"),),
    )  # fmt: skip
    figures = {
        key: map_figure(london, made.pictures[seq], view, f"{what}, {_clock(when)} (seq {seq})")
        for key, (what, seq, when) in names.items()
    }
    for key, image in png_images(figures).items():
        what, _, when = names[key]
        doc.add_page()
        doc.set_font("Helvetica", "B", 12)
        caption = f"The picture when {what}: {_clock(when)}"
        doc.cell(0, 7, latin(caption), new_x="LMARGIN", new_y="NEXT")
        doc.image(io.BytesIO(image), w=180)
    doc.set_y(-12)
    doc.set_font("Helvetica", "", 8)
    when = produced.astimezone(LONDON)
    doc.cell(0, 6, latin(f"Produced {when:%d %b %Y %H:%M} (London time) from the event log"))
    return bytes(doc.output())


def _units_table(doc: FPDF, made: Debrief) -> None:
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 7, "Units sent", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 9)
    if not made.units:
        doc.cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
        return
    with doc.table(first_row_as_headings=True, line_height=4.5) as table:
        head = table.row()
        for text in ("unit", "sent", "on scene", "drive", "left"):
            head.cell(text)
        for unit in made.units:
            row = table.row()
            drive = unit.arrived - unit.assigned if unit.arrived and unit.assigned else None
            took = _minutes(drive.total_seconds()) if drive else "-"
            named = (
                unit.callsign
                if unit.callsign == unit.unit_id
                else f"{unit.callsign} ({unit.unit_id})"
            )
            for text in (named, _clock(unit.assigned), _clock(unit.arrived), took):
                row.cell(latin(text))
            row.cell(_clock(unit.left))


def _timeline_table(doc: FPDF, made: Debrief) -> None:
    doc.ln(3)
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 7, "Timeline (London time)", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 9)
    with doc.table(first_row_as_headings=True, line_height=4.5, col_widths=(25, 155)) as table:
        head = table.row()
        head.cell("time")
        head.cell("what happened")
        for when, text in made.timeline:
            row = table.row()
            row.cell(_clock(when))
            row.cell(latin(text))


def _clock(when: datetime | None) -> str:
    return "-" if when is None else f"{when.astimezone(LONDON):%H:%M:%S}"
