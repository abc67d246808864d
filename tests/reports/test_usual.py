"""Demand now against the usual for this hour (reports/usual.py), on a real SQLite log and
read model; the expected figures counted by hand from the events the test wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reports.readmodel import ReadModel
from reports.usual import calibrated, usual_demand
from stream.clock import EARLIEST, LATEST
from stream.events import BCU_CODES
from stream.log import EventLog
from stream.sim.demand import base_rate_per_s
from tests.databases import migrated
from tests.stream.factories import POINTS, numbered

AT = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)  # a Wednesday evening
SHARES = {bcu: 1 / len(BCU_CODES) for bcu in BCU_CODES}


def _created(n: int, bcu: str, when: datetime) -> dict[str, Any]:
    lat, lon = POINTS[bcu]
    return {
        "specversion": "1.0",
        "id": f"u-{n}",
        "source": "test-usual",
        "type": "incident.created",
        "time": when.isoformat(),
        "data": {"incident_id": f"I{n}", "grade": "S", "category": "theft", "lat": lat, "lon": lon},
    }


def _model(path: Path, raws: list[dict[str, Any]]) -> EventLog:
    log = EventLog(migrated(f"sqlite:///{path / 'log.sqlite3'}"))
    log.append(numbered(raws))
    ReadModel.of(log).catch_up(log)
    return log


def test_usual_is_the_mean_of_the_same_hour_over_four_weeks_of_log(tmp_path: Path) -> None:
    week = timedelta(weeks=1)
    whens = [AT - timedelta(weeks=6)]  # the log starts six weeks back
    whens += [AT - week - timedelta(minutes=m) for m in (1, 30, 59)]  # 3 in week 1
    whens += [AT - 3 * week - timedelta(minutes=5)]  # 1 in week 3; none in weeks 2 and 4
    whens += [AT - 2 * week - timedelta(minutes=61)]  # outside the hour
    whens += [AT - timedelta(minutes=m) for m in (0, 59)]  # 2 now
    log = _model(tmp_path, [_created(n, "CN", t) for n, t in enumerate(whens)])
    try:
        usual = usual_demand(log.engine, AT, BCU_CODES, base_rate_per_s, SHARES)
    finally:
        log.close()
    assert (usual.source, usual.weeks) == ("log", 4)
    assert usual.now["CN"] == 2 and usual.usual["CN"] == (3 + 0 + 1 + 0) / 4
    assert usual.now["AW"] == 0 and usual.usual["AW"] == 0
    assert usual.to_json()["bcus"]["CN"] == {"now": 2, "usual": 1.0}  # type: ignore[index]


def test_a_log_shorter_than_that_is_compared_with_the_calibration(tmp_path: Path) -> None:
    log = _model(tmp_path, [_created(0, "AW", AT - timedelta(weeks=3))])
    try:
        usual = usual_demand(log.engine, AT, BCU_CODES, base_rate_per_s, SHARES)
    finally:
        log.close()
    assert (usual.source, usual.weeks) == ("calibration", 0)
    by_second = sum(base_rate_per_s(AT - timedelta(seconds=s + 0.5)) for s in range(3600))
    assert abs(usual.usual["AW"] - by_second * SHARES["AW"]) < 1e-9


def test_the_calibration_follows_the_clock_hours_through_a_clock_change() -> None:
    # 29 March 2026, 01:00 UTC: clocks go forward, so 00:30-01:30 UTC is half of the
    # local hour 00 and half of the local hour 02 (at different rates).
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert base_rate_per_s(start) != base_rate_per_s(start + timedelta(minutes=45))
    end = start + timedelta(hours=1)
    by_second = sum(base_rate_per_s(start + timedelta(seconds=s + 0.5)) for s in range(3600))
    assert abs(calibrated(start, end, base_rate_per_s, {"AW": 1.0})["AW"] - by_second) < 1e-9


def test_times_at_the_ends_of_the_calendar_are_not_an_error(tmp_path: Path) -> None:
    log = _model(tmp_path, [_created(0, "AW", AT)])
    try:
        for at in (EARLIEST, LATEST):
            usual = usual_demand(log.engine, at, BCU_CODES, base_rate_per_s, SHARES)
            assert set(usual.now) == set(BCU_CODES)
    finally:
        log.close()
