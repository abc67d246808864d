"""An incident's debrief PDF from a real log (SQLite), read back with pypdf: its facts, the
response against the target worked out from the raw events, each unit sent with its times,
the timeline with the recommender's advice, and a map at each key moment."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports.debrief import NoSuchIncident, debrief, debrief_pdf
from reports.model import LONDON
from stream.events import Recorded, parse_event
from stream.log import EventLog
from tests.databases import migrated
from tests.stream.factories import Events, london

START = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)


def _story() -> list[dict[str, Any]]:
    """A late I-grade call: two units on, the call, advice, one sent far, one nearer later."""
    ev = Events(source="cad", start=START, step=timedelta(seconds=30))
    story = [ev.on_duty("U1", callsign="AW11"), ev.on_duty("U2", "CN", callsign="CN07")]
    story.append(ev.on_duty("U9", "NE", callsign="NE99"))  # on duty, far away
    created = ev.incident_created("C1")
    created["data"] |= {"reference": "CAD 4711/21NOV", "address": "1 High St"}
    story.append(created)
    story.append(
        ev.raw(
            "advice.offered",
            {
                "advice_id": "A1",
                "kind": "assignment",
                "unit_id": "U1",
                "incident_id": "C1",
                "bcu": "AW",
                "eta_s": 420,
                "reason": "nearest by road",
            },
            source="bluelamp-recommender",
        )
    )
    story.append(ev.assigned("C1", "U2"))
    ev.advance(600)
    story.append(ev.assigned("C1", "U1"))
    ev.advance(400)
    story += [ev.arrived("C1", "U1"), ev.arrived("C1", "U2")]
    ev.advance(900)
    story.append(ev.closed("C1", "arrest"))
    return story


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventLog]:
    path: Path = tmp_path_factory.mktemp("debrief") / "log.sqlite3"
    opened = EventLog(migrated(f"sqlite:///{path}"))
    records = []
    for seq, raw in enumerate(_story(), start=1):
        data = raw["data"]
        place = london().locate(data["lat"], data["lon"]) if "lat" in data else None
        records.append(
            Recorded(seq, parse_event(raw), place and place.borough, place and place.bcu)
        )
    opened.append(records)
    yield opened
    opened.close()


def _times() -> dict[tuple[str, str], datetime]:
    """(type, unit or "") -> the event's time, from the raw events."""
    found: dict[tuple[str, str], datetime] = {}
    for e in _story():
        key = (e["type"], e["data"].get("unit_id", "") if e["type"] != "incident.created" else "")
        found.setdefault(key, datetime.fromisoformat(e["time"].replace("Z", "+00:00")))
    return found


def test_the_debrief_reads_the_incident_out_of_the_log(log: EventLog) -> None:
    made = debrief(log, "C1")
    times = _times()
    created = times[("incident.created", "")]
    first_on_scene = times[("incident.arrived", "U1")]
    assert made.response_s == (first_on_scene - created).total_seconds()
    late = made.response_s - 15 * 60
    assert late > 0 and made.verdict.startswith(f"late by {int(late) // 60} min")
    assert [(u.callsign, u.assigned, u.arrived) for u in made.units] == [
        ("CN07", times[("incident.assigned", "U2")], times[("incident.arrived", "U2")]),
        ("AW11", times[("incident.assigned", "U1")], times[("incident.arrived", "U1")]),
    ]
    assert [what for what, _, _ in made.moments] == [
        "created", "first unit sent", "first unit on scene", "closed",
    ]  # fmt: skip
    assert made.pictures[made.moments[0][1]].seq == made.moments[0][1]
    assert "U9" in made.pictures[made.moments[0][1]].units
    with pytest.raises(NoSuchIncident):
        debrief(log, "nope")


def test_the_pdf_holds_the_facts_units_timeline_and_a_map_per_moment(log: EventLog) -> None:
    made = debrief(log, "C1")
    body = debrief_pdf(london(), made, datetime(2026, 11, 22, 9, tzinfo=UTC))
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Debrief: incident CAD 4711/21NOV" in text
    assert "1 High St" in text and "Immediate (I)" in text
    assert "late by" in text and "against a target of 15 min" in text
    assert "CN07 (U2)" in text and "AW11 (U1)" in text
    assert "the recommender advised sending U1 (7 min 00 s away)" in text
    assert "closed: arrest" in text
    created = made.created.astimezone(LONDON)
    assert f"{created:%H:%M:%S}" in text
    maps = [p for p in reader.pages if "The picture when" in p.extract_text()]
    assert len(maps) == 4
    assert all(len(page.images) == 1 for page in maps)
