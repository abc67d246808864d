"""Report jobs expire, on SQLite and on PostgreSQL: a finished job's file is deleted after
the keeping time, and a job whose worker died (no heartbeat) is failed with the reason, so
no one waits for it for ever; a job its worker still beats for is left alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect, text

from reports.jobs import Jobs, metadata
from stream.engines import SchemaBehind, make_engine, require_tables
from tests.databases import migrated

KEEP = timedelta(hours=24)
STALE = timedelta(seconds=60)
ASKED = {"from": "2026-11-01", "to": "2026-11-01", "format": "csv"}


@pytest.fixture
def database(sqlite_or_postgres: tuple[str, str | None]) -> tuple[str, str | None]:
    url, schema = sqlite_or_postgres
    return migrated(url, schema), schema


@pytest.fixture
def engine(database: tuple[str, str | None]) -> Iterator[Engine]:
    engine = _open(*database)
    yield engine
    engine.dispose()


def _open(url: str, schema: str | None) -> Engine:
    """The database as a server opens it, for its jobs (api.database.open_database)."""
    return make_engine(url, schema)


def _worker(engine: Engine) -> Jobs:
    return Jobs(engine, keep=KEEP, stale=STALE)


def test_a_finished_reports_file_is_deleted_after_the_keeping_time(engine: Engine) -> None:
    jobs = _worker(engine)
    job = jobs.create("plan", "response", ASKED)
    jobs.finish(job.id, b"a,b\n", "text/csv", "response.csv")
    made = jobs.get(job.id).finished_at
    assert made is not None
    jobs.tend(made + KEEP - timedelta(seconds=1))
    assert jobs.get(job.id).state == "done" and jobs.file(job.id) is not None
    jobs.tend(made + KEEP + timedelta(seconds=1))
    expired = jobs.get(job.id)
    assert (expired.state, jobs.file(job.id)) == ("expired", None)
    assert expired.error == (
        "the file was deleted 24 hours after it was made; ask for the report again"
    )
    assert expired.to_json()["file"] is None and expired.filename == "response.csv"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM report_jobs")).scalar_one() is None


def test_a_job_whose_worker_died_is_failed_with_the_reason(engine: Engine) -> None:
    dead = _worker(engine)  # this worker's process is gone: nothing beats for its job
    job = dead.create("plan", "demand", ASKED)
    dead.advance(job.id, "making the report", 1)
    other = _worker(engine)
    started = datetime.now(UTC)
    other.tend(started + STALE - timedelta(seconds=5))
    assert other.get(job.id).state == "running"
    other.tend(started + STALE + timedelta(seconds=5))
    failed = other.get(job.id)
    assert failed.state == "failed" and failed.finished_at is not None
    assert failed.error == (
        "the server making it stopped (no sign of life for 60 s); ask for the report again"
    )


def test_a_job_its_worker_beats_for_is_left_running(engine: Engine) -> None:
    alive, other = _worker(engine), _worker(engine)
    job = alive.create("plan", "resources", ASKED)
    now = datetime.now(UTC)
    for minute in range(1, 6):  # a long report: five minutes without a step done
        alive.tend(now + timedelta(minutes=minute))
        other.tend(now + timedelta(minutes=minute, seconds=30))
    assert alive.get(job.id).state == "queued"
    alive.finish(job.id, b"x", "text/csv", "resources.csv")
    other.tend(now + timedelta(minutes=10))  # no longer beaten for, but done: kept
    assert alive.get(job.id).state == "done"


def test_a_job_from_before_heartbeats_is_judged_by_when_it_was_made(engine: Engine) -> None:
    jobs = _worker(engine)
    job = jobs.create("plan", "response", ASKED)
    with engine.begin() as conn:
        conn.execute(text("UPDATE report_jobs SET heartbeat_at = NULL"))
    _worker(engine).tend(jobs.get(job.id).created_at + STALE + timedelta(seconds=1))
    assert jobs.get(job.id).state == "failed"


def test_a_database_from_before_heartbeats_gets_the_column(
    database: tuple[str, str | None], engine: Engine
) -> None:
    """Made before migrations and before heartbeats: the job table is refused until the
    upgrade (bluelamp.migrations) adds the column."""
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE report_jobs DROP COLUMN heartbeat_at"))
        conn.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(SchemaBehind, match=r"report_jobs\.heartbeat_at"):
        require_tables(engine, metadata)
    again = _open(migrated(*database), database[1])
    try:
        columns = {c["name"] for c in inspect(again).get_columns("report_jobs")}
        assert "heartbeat_at" in columns
        job = _worker(again).create("plan", "response", ASKED)
        assert _worker(again).get(job.id).state == "queued"
    finally:
        again.dispose()
