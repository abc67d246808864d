"""A diversion in the reports' read model: the call a unit was diverted from is counted as
waiting again (its first assignment undone), its response measured to the unit that really
arrives, however the log is cut into pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from reports.readmodel import ReadModel
from reports.tables import report_incidents
from stream.log import EventLog
from tests.databases import migrated
from tests.stream import factories as f
from tests.stream.factories import POINTS, START

AW = POINTS["AW"]


def _at(minutes: int) -> dict[str, Any]:
    return {"time": START + timedelta(minutes=minutes)}


DAY = [
    f.unit_on_duty("U1", "AW", "IRV", *AW, **_at(0)),
    f.unit_on_duty("U2", "AW", "IRV", *AW, **_at(0)),
    f.incident_created("S1", "S", *AW, **_at(1)),
    f.incident_assigned("S1", "U1", **_at(2)),
    f.incident_created("I1", "I", *AW, **_at(3)),
    f.incident_assigned("I1", "U1", **_at(4)),  # diverted: S1 waits again
    f.incident_arrived("I1", "U1", **_at(8)),
    f.incident_assigned("S1", "U2", **_at(10)),
    f.incident_arrived("S1", "U2", **_at(25)),
]


def _incidents(model: ReadModel) -> dict[str, tuple[Any, ...]]:
    t = report_incidents.c
    query = select(t.incident_id, t.first_unit, t.assigned_at, t.arrived_at)
    with model.engine.connect() as conn:
        return {
            r.incident_id: (
                r.first_unit,
                r.assigned_at.replace(tzinfo=START.tzinfo) if r.assigned_at else None,
                r.arrived_at.replace(tzinfo=START.tzinfo) if r.arrived_at else None,
            )
            for r in conn.execute(query)
        }


# 1: every record its own page (updates of earlier rows); 4: the undo and the next first
# assignment in one update; 6: the undo on a row still in memory; 100: all at once.
@pytest.mark.parametrize("page", [1, 4, 6, 7, 100])
def test_the_call_left_counts_its_next_unit_as_its_first(
    sqlite_or_postgres: tuple[str, str | None], page: int
) -> None:
    url, schema = sqlite_or_postgres
    log = EventLog(migrated(url, schema), schema=schema)
    log.append(f.numbered(DAY))
    model = ReadModel.of(log)
    assert model.catch_up(log, page=page) == len(DAY)
    got = _incidents(model)
    assert got["I1"] == ("U1", START + timedelta(minutes=4), START + timedelta(minutes=8))
    # S1's response (24 min) runs to U2, which arrived; U1's assignment at 2 min is undone.
    assert got["S1"] == ("U2", START + timedelta(minutes=10), START + timedelta(minutes=25))


def test_while_it_waits_again_it_has_no_first_unit(
    sqlite_or_postgres: tuple[str, str | None],
) -> None:
    url, schema = sqlite_or_postgres
    log = EventLog(migrated(url, schema), schema=schema)
    log.append(f.numbered(DAY[:6]))
    model = ReadModel.of(log)
    model.catch_up(log, page=4)
    assert _incidents(model)["S1"] == (None, None, None)


@pytest.mark.parametrize("page", [1, 100])
def test_a_call_a_unit_reached_keeps_its_first_assignment(tmp_path: Any, page: int) -> None:
    """A unit arrived, then left for other work: a diversion of the next unit undoes
    nothing (the response was made)."""
    log = EventLog(migrated(f"sqlite:///{tmp_path / 'log.sqlite3'}"))
    log.append(
        f.numbered(
            [
                *DAY[:4],
                f.incident_arrived("S1", "U1", **_at(5)),
                f.unit_status("U1", "busy", **_at(6)),
                f.incident_assigned("S1", "U2", **_at(7)),
                f.incident_created("I1", "I", *AW, **_at(8)),
                f.incident_assigned("I1", "U2", **_at(9)),
            ]
        )
    )
    model = ReadModel.of(log)
    model.catch_up(log, page=page)
    want = ("U1", START + timedelta(minutes=2), START + timedelta(minutes=5))
    assert _incidents(model)["S1"] == want
