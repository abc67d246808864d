"""A period's debrief from a real log (SQLite): a simulated evening under strain. Its figures,
late arrivals and peak are worked out again here from the raw events; the PDF read back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from reports.period_debrief import NoSuchPeriod, period_debrief, period_debrief_pdf
from stream.events import Recorded, parse_event
from stream.log import EventLog, events
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load
from tests.databases import migrated
from tests.stream.factories import london

BEGIN = datetime(2026, 11, 10, 12, tzinfo=UTC)
START, END = BEGIN + timedelta(hours=6), BEGIN + timedelta(hours=9)


@pytest.fixture(scope="module")
def evening(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EventLog, list[dict[str, Any]]]]:
    path: Path = tmp_path_factory.mktemp("period-debrief") / "log.sqlite3"
    log = EventLog(migrated(f"sqlite:///{path}"))
    scenario = load("normal-day").starting(BEGIN, 10)
    sent = list(
        Simulation(london(), scenario, "closest-idle-own-bcu", 3, SimOptions(False)).events()
    )
    # A person's command in the evening, as the API records one.
    unit = next(e["data"]["unit_id"] for e in sent if e["type"] == "unit.on_duty")
    when = (START + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    command = {
        "specversion": "1.0", "id": "cmd-1", "source": "bluelamp-api/chief",
        "type": "unit.status", "time": when, "data": {"unit_id": unit, "status": "busy"},
    }  # fmt: skip
    at = next(i for i, e in enumerate(sent) if e["time"] > when)
    sent.insert(at, command)
    records = []
    for seq, raw in enumerate(sent, start=1):
        data = raw["data"]
        place = london().locate(data["lat"], data["lon"]) if "lat" in data else None
        records.append(
            Recorded(seq, parse_event(raw), place and place.borough, place and place.bcu)
        )
    log.append(records)
    with log.engine.begin() as conn:
        conn.execute(update(events).values(recorded_at=events.c.time))
    yield log, sent
    log.close()


def _t(e: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(e["time"].replace("Z", "+00:00"))


def test_the_figures_late_arrivals_and_peak_are_the_raw_events(
    evening: tuple[EventLog, list[dict[str, Any]]],
) -> None:
    log, sent = evening
    made = period_debrief(log, london(), START, END)
    inside = [e for e in sent if START < _t(e) <= END]
    created = {e["data"]["incident_id"]: e for e in inside if e["type"] == "incident.created"}
    arrived: dict[str, datetime] = {}
    for e in inside:
        if e["type"] == "incident.arrived":
            arrived.setdefault(e["data"]["incident_id"], _t(e))
    end = max(_t(e) for e in inside)
    for grade, target in (("I", 900), ("S", 3600)):
        ours = [i for i, e in created.items() if e["data"]["grade"] == grade]
        on_time = sum(
            1
            for i in ours
            if i in arrived and (arrived[i] - _t(created[i])).total_seconds() <= target
        )
        judged = on_time + sum(
            1 for i in ours
            if not (i in arrived and (arrived[i] - _t(created[i])).total_seconds() <= target)
            and _t(created[i]) + timedelta(seconds=target) <= end
        )  # fmt: skip
        f = made.figures.by_grade[grade]
        assert (f.incidents, f.on_time, f.judged) == (len(ours), on_time, judged), grade
    late_ids = {
        i for i, e in created.items() if e["data"]["grade"] in ("I", "S")
        and (due := _t(e) + timedelta(seconds=900 if e["data"]["grade"] == "I" else 3600))
        and ((i in arrived and arrived[i] > due) or (i not in arrived and due <= end))
    }  # fmt: skip
    assert sorted(name for _, name, _, _, _ in made.late) == sorted(
        created[i]["data"].get("reference", i) for i in late_ids
    )
    assert len(made.late) > 10, "the evening is under strain"
    first, last = log.seq_at(START), log.seq_at(END)
    assert first and last
    counts = _waiting_counts(sent)
    assert [(what, seq, n) for what, seq, n in made.moments[::2]] == [
        ("the period began", first, counts[first]),
        ("the period ended", last, counts[last]),
    ]
    assert counts[first] != counts[last], "the evening moves: began and ended differ"
    what, seq, most = made.moments[1]
    assert (what, most) == ("most calls waiting", max(counts[first : last + 1]))
    assert counts[seq] == most and made.pictures[seq].seq == seq
    assert [text for _, text in made.decisions] == [f"chief: unit status {_commanded(sent)} busy"]
    with pytest.raises(NoSuchPeriod):
        period_debrief(log, london(), START, START + timedelta(days=8))
    with pytest.raises(NoSuchPeriod):
        period_debrief(
            log, london(), datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 2, tzinfo=UTC)
        )


def _waiting_counts(sent: list[dict[str, Any]]) -> list[int]:
    """I/S calls created and neither assigned nor closed, after each seq (index = seq)."""
    waiting: set[str] = set()
    counts = [0]
    for e in sent:
        ident = e["data"].get("incident_id")
        if e["type"] == "incident.created" and e["data"]["grade"] in ("I", "S"):
            waiting.add(ident)
        elif e["type"] in ("incident.assigned", "incident.closed"):
            waiting.discard(ident)
        counts.append(len(waiting))
    return counts


def test_the_period_pdf_holds_figures_moments_late_arrivals_decisions_and_maps(
    evening: tuple[EventLog, list[dict[str, Any]]],
) -> None:
    log, _ = evening
    made = period_debrief(log, london(), START, END)
    body = period_debrief_pdf(london(), made, datetime(2026, 11, 11, 9, tzinfo=UTC))
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Debrief: Tue 10 Nov 18:00 to Tue 10 Nov 21:00 (London time)" in text
    i = made.figures.by_grade["I"]
    assert f"{i.within_target * 100:.1f}%" in text
    for heading in ("Key moments", "Late arrivals", "What people decided", "most calls waiting"):
        assert heading in text, heading
    assert "chief: unit status" in text
    maps = [p for p in reader.pages if "The picture when" in p.extract_text()]
    assert len(maps) == 3 and all(len(p.images) == 1 for p in maps)


def _commanded(sent: list[dict[str, Any]]) -> str:
    return str(next(e["data"]["unit_id"] for e in sent if e["id"] == "cmd-1"))
