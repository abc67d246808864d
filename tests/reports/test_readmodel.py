"""The reports' read model at the extremes of event time: an interval no duty could last is
not expanded hour by hour (a unit "on duty since 1970" was ~500,000 rows, since year 1 the
projector grew to gigabytes), and a projection stops when asked (a server shutting down)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from reports.fold import MAX_UNIT_INTERVAL
from reports.readmodel import ProjectionStopped, ReadModel
from reports.tables import report_incidents, report_unit_hours
from stream.engines import SchemaBehind
from stream.log import EventLog
from tests.databases import migrated
from tests.stream import factories as f
from tests.stream.factories import POINTS, START

AW = POINTS["AW"]


def logged(path: Path, raws: list[dict[str, Any]]) -> EventLog:
    log = EventLog(migrated(f"sqlite:///{path / 'log.sqlite3'}"))
    log.append(f.numbered(raws))
    return log


def hours_of(model: ReadModel, unit: str) -> tuple[int, float]:
    t = report_unit_hours.c
    with model.engine.connect() as conn:
        rows, seconds = conn.execute(
            select(func.count(), func.coalesce(func.sum(t.seconds), 0.0)).where(t.unit_id == unit)
        ).one()
    return int(rows), float(seconds)


@pytest.mark.parametrize("since", [datetime(1970, 1, 1, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)])
def test_a_unit_on_duty_since_long_ago_costs_no_hour_rows(tmp_path: Path, since: datetime) -> None:
    log = logged(
        tmp_path,
        [
            f.unit_on_duty("OLD", "AW", "IRV", *AW, time=since),
            f.unit_status("OLD", "busy", time=START),
            f.unit_status("OLD", "available", time=START + timedelta(minutes=90)),
        ],
    )
    model = ReadModel.of(log)
    assert model.catch_up(log) == 3
    # the implausible interval is left out; the ordinary one after it counts, by hour
    assert hours_of(model, "OLD") == (2, 90 * 60.0)
    assert model.skipped_intervals == 1


def test_one_event_far_ahead_does_not_stop_a_unit_being_counted(tmp_path: Path) -> None:
    log = logged(
        tmp_path,
        [
            f.unit_on_duty("U1", "AW", "IRV", *AW, time=START),
            f.unit_status("U1", "busy", time=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
            f.unit_status("U1", "available", time=START + timedelta(minutes=30)),
            f.unit_status("U1", "busy", time=START + timedelta(minutes=50)),
        ],
    )
    model = ReadModel.of(log)
    model.catch_up(log)
    assert hours_of(model, "U1") == (1, 20 * 60.0)  # available 30..50; both gaps left out
    assert model.skipped_intervals == 2


def test_an_interval_up_to_the_limit_is_counted_in_full(tmp_path: Path) -> None:
    log = logged(
        tmp_path,
        [
            f.unit_on_duty("U1", "AW", "IRV", *AW, time=START),
            f.unit_status("U1", "busy", time=START + MAX_UNIT_INTERVAL),
        ],
    )
    model = ReadModel.of(log)
    model.catch_up(log)
    assert hours_of(model, "U1") == (24, MAX_UNIT_INTERVAL.total_seconds())
    assert model.skipped_intervals == 0


def test_a_stopped_projection_writes_nothing_and_keeps_its_cursor(tmp_path: Path) -> None:
    log = logged(
        tmp_path,
        [f.unit_on_duty("U1", "AW", "IRV", *AW, time=START)]
        + [
            f.unit_status("U1", s, time=START + timedelta(minutes=n))
            for n, s in enumerate(["busy", "available"] * 50, start=1)
        ],
    )
    model = ReadModel.of(log)
    model.stop()
    with pytest.raises(ProjectionStopped):
        model.catch_up(log)
    assert model.cursor() == 0 and hours_of(model, "U1") == (0, 0.0)


def test_incidents_carry_their_reference_and_address_and_an_older_table_is_rebuilt(
    tmp_path: Path,
) -> None:
    named = {"reference": "CAD 12/24NOV", "address": "3 High Street, Westminster"}
    log = logged(tmp_path, [f.incident_created("I1", "I", *AW, **named), f.incident_created("I2")])
    model = ReadModel.of(log)
    model.catch_up(log)
    t = report_incidents.c
    query = select(t.incident_id, t.reference, t.address).order_by(t.incident_id)
    with model.engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == [
            ("I1", named["reference"], named["address"]),
            ("I2", None, None),
        ]
    # as a version before references (and migrations) left it: no such column, its cursor
    # at the end; refused until the upgrade, which drops and remakes the derived tables
    with model.engine.begin() as conn:
        conn.execute(text("ALTER TABLE report_incidents DROP COLUMN reference"))
        conn.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(SchemaBehind, match=r"report_incidents\.reference"):
        ReadModel.of(log)
    migrated(log.url)
    again = ReadModel.of(log)
    assert again.cursor() == 0  # rebuilt from the log on the next catch-up
    again.catch_up(log)
    with again.engine.connect() as conn:
        assert conn.execute(query).first() == ("I1", named["reference"], named["address"])
