"""Migrations: an empty database upgrades to exactly the rooms' tables, and a database made
by the previous release (0.1, before migrations) upgrades in place with its data, on SQLite
and PostgreSQL alike."""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from api.accounts import Accounts
from api.audit import AuditEntry, AuditLog, AuditOutcome, AuditQuery
from api.database import open_database, revoked_tokens
from bluelamp import cli, migrations
from reports.history import cell_of
from reports.jobs import Jobs, report_jobs
from reports.readmodel import ReadModel
from stream.engines import SchemaBehind, make_engine
from stream.log import EventLog
from stream.picture import Picture, fold

DATA = Path(__file__).parent / "data"
Database = tuple[str, str | None]


def load_release_0_1(url: str, schema: str | None) -> None:
    """The database as Bluelamp 0.1 left it, from the committed dump."""
    if schema is None:
        script = (DATA / "release_0_1_sqlite.sql").read_text()
        path = make_url(url).database or ""
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.executescript(script)
        return
    script = (DATA / "release_0_1_postgresql.sql").read_text()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute(script.encode())


def differences(url: str, schema: str | None) -> list[object]:
    """What Alembic finds between the database and every room's tables."""
    engine = make_engine(url, schema)
    with engine.connect() as conn:
        found = compare_metadata(MigrationContext.configure(conn), list(migrations.METADATA))
    engine.dispose()
    return list(found)


def db(command: str, database: Database, **env: str) -> tuple[int, str]:
    url, schema = database
    env = {"BLUELAMP_DATABASE_URL": url, "BLUELAMP_DATABASE_SCHEMA": schema or "", **env}
    result = CliRunner().invoke(cli.create_cli(), ["db", command], env=env)
    return result.exit_code, result.output


def test_an_empty_database_upgrades_to_every_rooms_tables(sqlite_or_postgres: Database) -> None:
    url, schema = sqlite_or_postgres
    assert differences(url, schema), "an empty database must differ from the rooms' tables"
    standing = migrations.upgrade(url, schema)
    assert standing.current == migrations.head() and not standing.behind
    assert differences(url, schema) == []
    engine = open_database(url, schema)
    AuditLog(engine).record(AuditEntry("signin", AuditOutcome.OK, actor="chief"))
    rewrites = ["UPDATE audit SET actor = 'someone else'", "DELETE FROM audit"]
    if schema is not None:
        rewrites.append("TRUNCATE audit")  # PostgreSQL's, refused too
    for rewrite in rewrites:  # the triggers came with the baseline
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(rewrite))
    engine.dispose()


def test_the_rooms_make_no_table_and_say_to_upgrade(sqlite_or_postgres: Database) -> None:
    url, schema = sqlite_or_postgres
    log_engine = make_engine(url, schema)
    for opening in (
        lambda: EventLog(url, schema=schema),
        lambda: open_database(url, schema),
        lambda: ReadModel(log_engine),
    ):
        with pytest.raises(SchemaBehind, match="run `bluelamp db upgrade`"):
            opening()
    assert sa_inspect(log_engine).get_table_names() == []
    log_engine.dispose()


def test_a_release_0_1_database_upgrades_in_place(sqlite_or_postgres: Database) -> None:
    url, schema = sqlite_or_postgres
    load_release_0_1(url, schema)
    code, output = db("current", sqlite_or_postgres)
    assert code == 1 and "made before migrations" in output
    code, output = db("upgrade", sqlite_or_postgres)
    assert code == 0 and f"from no revision to {migrations.head()}" in output, output
    assert db("current", sqlite_or_postgres)[0] == 0
    assert differences(url, schema) == []
    the_app_reads_what_0_1_wrote(url, schema)


def the_app_reads_what_0_1_wrote(url: str, schema: str | None) -> None:
    log = EventLog(url, schema=schema)
    assert log.last_seq() == 12
    # From 0.1's snapshot at seq 6 plus the replay: the same picture as all 12 from nothing.
    picture = log.picture()
    assert picture.to_snapshot() == fold(log.read(), Picture()).to_snapshot()
    assert set(picture.units) == {"AW-IRV-01", "AW-IRV-02", "CN-IRV-01"}
    assert [r.event.type.value for r in log.history(incident_id="CAD-0001")][-1] == (
        "incident.closed"
    )
    engine = open_database(url, schema)
    assert Accounts(engine).authenticate("chief", "correct horse battery staple") is not None
    assert {row["action"] for row in AuditLog(engine).query(AuditQuery())} == {"signin", "export"}
    with engine.connect() as conn:
        assert conn.execute(select(revoked_tokens.c.username)).scalars().all() == ["chief"]
        done = conn.execute(select(report_jobs.c.id).where(report_jobs.c.state == "done"))
        job_id = done.scalar_one()
    assert Jobs(engine).file(job_id) == (
        b"reference,grade\nCAD-1,I\n",
        "text/csv",
        "incidents-2026-03-23.csv",
    )
    read_model = ReadModel.of(log)
    assert read_model.cursor() == 12 and read_model.catch_up(log) == 12
    log.close()
    engine.dispose()


def test_an_older_log_gains_its_columns_from_the_events(sqlite_or_postgres: Database) -> None:
    """Before 0.1 the log had no incident/unit columns and the jobs no heartbeat: the upgrade
    adds them (the ids read from each event's body) where it once said to start afresh."""
    url, schema = sqlite_or_postgres
    load_release_0_1(url, schema)
    engine = make_engine(url, schema)
    with engine.begin() as conn:
        for statement in (
            "DROP INDEX ix_events_incident",
            "DROP INDEX ix_events_unit",
            "ALTER TABLE events DROP COLUMN incident_id",
            "ALTER TABLE events DROP COLUMN unit_id",
            "ALTER TABLE report_jobs DROP COLUMN heartbeat_at",
            "ALTER TABLE report_incidents DROP COLUMN address",
        ):
            conn.execute(text(statement))
    engine.dispose()
    with pytest.raises(RuntimeError, match="bluelamp db upgrade"):
        EventLog(url, schema=schema)
    migrations.upgrade(url, schema)
    assert differences(url, schema) == []
    log = EventLog(url, schema=schema)
    assert [r.seq for r in log.history(incident_id="CAD-0001")] == [4, 5, 6, 10, 11]
    assert [r.seq for r in log.history(unit_id="AW-IRV-02")] == [2, 8, 9]
    read_model = ReadModel.of(log)  # derived, so made again: the catch-up rebuilds it
    assert read_model.cursor() == 0 and read_model.catch_up(log) == 12
    log.close()


def test_a_database_a_newer_bluelamp_upgraded_is_left_alone(
    sqlite_or_postgres: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, schema = sqlite_or_postgres
    migrations.upgrade(url, schema)
    engine = make_engine(url, schema)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for command in ("current", "upgrade"):
        code, output = db(command, sqlite_or_postgres)
        assert code == 1 and "revision 9999, which this Bluelamp does not have" in output
    monkeypatch.setenv("BLUELAMP_SECRET_KEY", secrets.token_urlsafe(48))
    code, output = _serve(sqlite_or_postgres)
    assert code == 2 and "a newer Bluelamp upgraded it" in output


def test_servers_starting_together_migrate_once(sqlite_or_postgres: Database) -> None:
    url, schema = sqlite_or_postgres
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def server() -> None:
        start.wait()
        try:
            migrations.upgrade(url, schema)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=server) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert differences(url, schema) == []


def test_serve_migrates_at_start_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    database: Database = (f"sqlite:///{tmp_path}/bluelamp.sqlite3", None)
    monkeypatch.setenv("BLUELAMP_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, *args: None)
    code, output = _serve(database, BLUELAMP_AUTO_MIGRATE="false")
    assert code == 2 and "bluelamp db upgrade" in output and "AUTO_MIGRATE is off" in output
    assert migrations.standing(*database).current is None
    code, output = _serve(database)
    assert code == 0, output
    assert not migrations.standing(*database).behind


def _serve(database: Database, **env: str) -> tuple[int, str]:
    url, schema = database
    env = {"BLUELAMP_DATABASE_URL": url, "BLUELAMP_DATABASE_SCHEMA": schema or "", **env}
    result = CliRunner().invoke(cli.create_cli(), ["serve"], env=env)
    return result.exit_code, result.output


def test_0003_and_0005_give_the_incidents_projected_under_0002_their_places_and_cells(
    sqlite_or_postgres: Database,
) -> None:
    """A read model projected before 0003 keeps its rows, each with where its call was
    (read from its incident.created event), and the catch-up goes on from its cursor."""
    url, schema = sqlite_or_postgres
    load_release_0_1(url, schema)
    assert migrations.upgrade(url, schema, "0002").current == "0002"
    engine = make_engine(url, schema)
    columns = {c["name"] for c in sa_inspect(engine).get_columns("report_incidents")}
    assert not {"lat", "lon"} & columns
    engine.dispose()
    assert migrations.upgrade(url, schema).current == migrations.head()
    assert differences(url, schema) == []
    log = EventLog(url, schema=schema)
    with log.engine.connect() as conn:
        places = conn.execute(
            text("SELECT incident_id, lat, lon FROM report_incidents ORDER BY incident_id")
        ).all()
    assert [tuple(row) for row in places] == [
        ("CAD-0001", 51.5154, -0.1418),
        ("CAD-0002", 51.5415, -0.1466),
    ]
    # 0005: each its H3 cell, for a place's history by index (reports.history).
    with log.engine.connect() as conn:
        cells = conn.execute(text("SELECT lat, lon, cell FROM report_incidents")).all()
    assert cells and all(cell == cell_of(lat, lon) for lat, lon, cell in cells)
    read_model = ReadModel.of(log)
    assert read_model.cursor() == 12 and read_model.catch_up(log) == 12
    log.close()
