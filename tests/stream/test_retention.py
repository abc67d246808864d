"""Retention on a real log (SQLite and PostgreSQL): past its date nothing personal survives
in the log or its snapshots, the same person keeps one pseudonym, what is not yet due is
untouched, and the rewritten log rebuilds the same picture. The command as a user runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, inspect, select

from api.audit import AuditLog, AuditQuery
from reports.readmodel import ReadModel
from stream import retention
from stream.log import EventLog, events
from stream.picture import Picture, fold
from tests.databases import migrated
from tests.stream.factories import START, Events, numbered
from tests.stream.test_cli import _run

KEY = b"k" * 32
NOW = START + timedelta(days=40)  # retention runs 40 days after the story
OLD = ("Ifor Blandwick", "1979-08-02", "Known to carry a blade")
RECENT = ("Saoirse Penhallow", "2001-12-24", "Speaks Cornish only")
OLD_MARKER, KEPT_MARKER = "Dogs kept in rear yard, bit an officer", "Vulnerable adult lives alone"


def _story() -> list[dict[str, Any]]:
    """Two calls closed 1 and 39 days before NOW with people linked (the old one's person on
    a second old call too), one still open with a person, and three markers."""
    ev = Events(source="retention")
    name, born, notes = OLD
    raws = [ev.marker_set("MOLD", "dangerous_dog", text=OLD_MARKER, review_date="2026-12-01")]
    raws += [ev.marker_set("MKEPT", "vulnerable_adult", text=KEPT_MARKER, review_date="2027-06-30")]
    raws += [ev.incident_created("OLD1"), ev.person_linked("OLD1", "suspect", name, born, notes)]
    raws += [ev.incident_created("OLD2"), ev.person_linked("OLD2", "suspect", name, born, None)]
    raws += [ev.person_linked("OLD1", "witness", "Wrong Person", "1990-01-01", None)]
    raws += [ev.person_unlinked("OLD1", "witness", "Wrong Person", "1990-01-01")]
    raws += [ev.closed("OLD1"), ev.closed("OLD2")]
    ev.advance(38 * 86_400)
    name, born, notes = RECENT
    raws += [ev.incident_created("NEW1"), ev.person_linked("NEW1", "victim", name, born, notes)]
    raws += [ev.closed("NEW1"), ev.incident_created("OPEN1")]
    raws += [ev.person_linked("OPEN1", "caller", name, born, None)]
    return raws


@pytest.fixture
def log(sqlite_or_postgres: tuple[str, str | None]) -> Iterator[EventLog]:
    url, schema = sqlite_or_postgres
    event_log = EventLog(migrated(url, schema), schema=schema)
    records = numbered(_story())
    for chunk in (records[:4], records[4:10], records[10:]):  # a snapshot after each
        event_log.append(chunk)
        event_log.save_snapshot(event_log.picture())
    yield event_log
    event_log.close()


def _everything(log: EventLog) -> str:
    """Every row of every table in the log's database (the log, its snapshots, the reports'
    read models, the audit, report jobs), as text."""
    found = []
    with log.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        for name in names:
            table = Table(name, MetaData(), autoload_with=conn)
            found += [repr(tuple(row)) for row in conn.execute(select(table))]
    assert {"events", "snapshots", "report_incidents", "audit"} <= set(names)
    return "\n".join(found)


def test_past_its_date_nothing_personal_survives_and_the_picture_is_the_same(
    log: EventLog,
) -> None:
    before = fold(log.read())
    ReadModel.of(log).catch_up(log)  # the reports' read models, as a server keeps them
    dry = retention.plan(log, NOW, 30, KEY)
    assert dry.summary() == {"people": 4, "markers": 1, "snapshots": 3}
    assert OLD[0] in _everything(log)  # the dry run changed nothing
    retention.apply(log, dry)
    stored = _everything(log)
    for gone in (*OLD, "Wrong Person", OLD_MARKER):
        assert gone not in stored, gone
    assert "address" not in json.loads(_marker_body(log, "MOLD"))["data"]
    for kept in (*RECENT, KEPT_MARKER):
        assert kept in stored, kept
    old = [r for r in log.read() if getattr(r.event.data, "role", None) == "suspect"]
    names = {r.event.data.pseudonym for r in old}  # type: ignore[union-attr]
    assert len(old) == 2 and len(names) == 1 and None not in names  # one person, one name
    after = fold(log.read())
    assert after == before and Picture.from_snapshot(after.to_snapshot()) == before
    assert log.picture() == before  # from the new snapshot
    assert retention.plan(log, NOW, 30, KEY).rewrites == []  # done once, for good


def _marker_body(log: EventLog, marker_id: str) -> str:
    with log.engine.connect() as conn:
        bodies = conn.execute(
            select(events.c.body).where(events.c.type == "location.marker_set")
        ).scalars()
        return next(b for b in bodies if marker_id in b)


def test_people_are_kept_at_least_a_day(log: EventLog) -> None:
    with pytest.raises(ValueError, match="at least a day"):
        retention.plan(log, NOW, 0, KEY)


def test_the_command_lists_by_id_then_rewrites_and_needs_its_key(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    log = EventLog(migrated(f"sqlite:///{path}"))
    log.append(numbered(_story()))
    log.close()
    env = {"BLUELAMP_RETAIN_PEOPLE_DAYS": "1"}  # the story is two days old by the clock
    refused = _run(["retention", "apply"], tmp_path, **env)
    assert refused.returncode == 2 and "BLUELAMP_PSEUDONYM_KEY" in refused.stdout
    env["BLUELAMP_PSEUDONYM_KEY"] = "p" * 40
    dry = _run(["retention", "apply", "--dry-run"], tmp_path, **env)
    assert dry.returncode == 0, dry.stderr
    assert "would rewrite" in dry.stdout and "OLD1" in dry.stdout
    assert OLD[0] not in dry.stdout  # by id, never the data
    done = _run(["retention", "apply"], tmp_path, **env)
    assert done.returncode == 0 and "rewrote" in done.stdout, done.stderr
    log = EventLog(f"sqlite:///{path}")
    try:
        assert OLD[0] not in _everything(log)
    finally:
        log.close()


def test_subject_access_finds_a_person_before_and_after_retention_and_is_audited(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    log = EventLog(migrated(f"sqlite:///{path}"))
    log.append(numbered(_story()))
    env = {"BLUELAMP_RETAIN_PEOPLE_DAYS": "1", "BLUELAMP_PSEUDONYM_KEY": "p" * 40}
    name, born, _ = OLD
    for step in ("before", "after"):
        found = _run(["subject-access", name.upper(), "--dob", born], tmp_path, **env)
        assert found.returncode == 0, found.stderr
        assert "2 links to 2 incidents" in found.stdout, (step, found.stdout)
        assert "OLD1" in found.stdout and "OLD2" in found.stdout and "NEW1" not in found.stdout
        if step == "before":
            assert _run(["retention", "apply"], tmp_path, **env).returncode == 0
    searches = AuditLog(log.engine).query(AuditQuery(action="subject_access.search"))
    assert len(searches) == 2 and all(
        s["detail"]["incidents"] == ["OLD1", "OLD2"] for s in searches
    )
    assert name not in json.dumps(searches) and name.upper() not in json.dumps(searches)
    nobody = _run(["subject-access", "No Such Person", "--dob", born], tmp_path, **env)
    assert "0 links to 0 incidents" in nobody.stdout
    log.close()
