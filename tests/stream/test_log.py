"""The durable event log, on SQLite and on PostgreSQL: gap-free, fenced, deduplicated,
snapshotted, and the same after a reopen."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from stream.events import Recorded, to_json
from stream.log import EventLog, LogConflict, events
from stream.picture import Picture, fold
from stream.sim.engine import Simulation
from stream.sim.scenario import load
from tests.databases import migrated
from tests.stream.factories import Events, london, numbered, recorded


@pytest.fixture
def log_url(sqlite_or_postgres: tuple[str, str | None]) -> tuple[str, str | None]:
    url, schema = sqlite_or_postgres
    return migrated(url, schema), schema


@pytest.fixture
def log(log_url: tuple[str, str | None]) -> Iterator[EventLog]:
    event_log = EventLog(log_url[0], schema=log_url[1])
    yield event_log
    event_log.close()


def _story(n_pings: int = 30) -> list[Recorded]:
    ev = Events()
    raws = [ev.on_duty("U1"), ev.on_duty("U2", bcu="SN"), ev.incident_created("I1")]
    raws += [ev.assigned("I1", "U1"), ev.arrived("I1", "U1"), ev.closed("I1")]
    raws += [ev.location("U2", bcu="SN", jitter=i * 1e-5) for i in range(n_pings)]
    return [recorded(seq, raw) for seq, raw in enumerate(raws, 1)]


def test_appends_read_back_in_seq_order_with_place_and_body(log: EventLog) -> None:
    records = _story()
    log.append(records[:10])
    log.append(records[10:])
    assert log.last_seq() == len(records)
    assert log.read() == records
    assert [r.seq for r in log.read(after=5, limit=3)] == [6, 7, 8]
    assert [r.seq for r in log.read(after=5, upto=7)] == [6, 7]
    assert [r.seq for r in log.iter(after=2, page=4)] == list(range(3, len(records) + 1))
    assert log.read()[2].borough == "Westminster" and log.read()[2].bcu == "AW"


def test_appended_rows_are_the_rows_sqlalchemys_own_insert_writes(log: EventLog) -> None:
    # append writes through the driver (SQLite's executemany, PostgreSQL's COPY); the same
    # records through SQLAlchemy's INSERT, with its type processing, must give the same text.
    records = _story(5)
    log.append(records)
    raw = text(f"SELECT {', '.join(c.name for c in events.columns)} FROM events ORDER BY seq")
    with log.engine.connect() as conn:
        fast = [tuple(map(str, row)) for row in conn.execute(raw)]
        stamps = [row.recorded_at for row in conn.execute(select(events.c.recorded_at))]
    rows = [
        {
            "seq": r.seq,
            "source": r.event.source,
            "event_id": r.event.id,
            "type": r.event.type.value,
            "time": r.event.time,
            "borough": r.borough,
            "bcu": r.bcu,
            "recorded_at": stamp,
            "body": to_json(r.event),
            "incident_id": getattr(r.event.data, "incident_id", None),
            "unit_id": getattr(r.event.data, "unit_id", None),
        }
        for r, stamp in zip(records, stamps, strict=True)
    ]
    with log.engine.begin() as conn:
        conn.execute(events.delete())
        conn.execute(insert(events), rows)
        assert [tuple(map(str, row)) for row in conn.execute(raw)] == fast
    assert any(row[-1] != "None" for row in fast) and any(row[-2] != "None" for row in fast)


def test_an_empty_log_starts_at_zero(log: EventLog) -> None:
    assert log.last_seq() == 0
    assert log.read() == []
    assert log.latest_snapshot() is None
    assert log.picture().seq == 0


def test_a_seq_taken_already_is_refused_whole_batch_and_all(log: EventLog) -> None:
    """The fence against a stale sequencer: two writers cannot both append seq N."""
    ev = Events(source="other")
    records = _story(4)
    log.append(records)
    clash = [
        recorded(len(records) + 1, ev.on_duty("X1")),
        recorded(len(records), ev.off_duty("X1")),
    ]
    with pytest.raises(LogConflict):
        log.append(clash)
    assert log.last_seq() == len(records)  # nothing of the refused batch stayed


def test_a_source_and_id_is_recorded_at_most_once(log: EventLog) -> None:
    records = _story(4)
    log.append(records)
    again = Recorded(len(records) + 1, records[0].event, records[0].borough, records[0].bcu)
    with pytest.raises(LogConflict):
        log.append([again])
    found = log.seqs_of([r.event.key for r in records] + [("nobody", "nothing")])
    assert found == {r.event.key: r.seq for r in records}


def test_duplicate_lookup_covers_large_batches(log: EventLog) -> None:
    records = _story(1_200)
    log.append(records)
    assert len(log.seqs_of(r.event.key for r in records)) == len(records)


def test_the_picture_at_any_seq_is_a_snapshot_plus_a_replay(log: EventLog) -> None:
    records = _story(40)
    shots = [fold(records[:10]).to_snapshot(), fold(records[:30]).to_snapshot()]
    log.append(records, shots)

    def snapshot_seq(at: int) -> int | None:
        shot = log.latest_snapshot(at)
        return None if shot is None else shot.seq

    assert [snapshot_seq(at) for at in (9, 10, 29, 30, 99)] == [None, 10, 10, 30, 30]
    for at in (1, 9, 10, 11, 29, 30, 31, len(records)):
        assert log.picture(at) == fold(records[:at])
    assert log.picture() == fold(records)


def test_a_reopened_log_holds_the_same(log_url: tuple[str, str | None]) -> None:
    records = _story(5)
    first = EventLog(log_url[0], schema=log_url[1])
    first.append(records)
    first.save_snapshot(fold(records[:3]))
    first.close()
    second = EventLog(log_url[0], schema=log_url[1])
    try:
        assert second.read() == records
        snapshot = second.latest_snapshot()
        assert snapshot is not None and snapshot == fold(records[:3])
        assert second.picture() == fold(records)
    finally:
        second.close()


def test_cloudevents_extras_are_stored_and_read_back_unchanged(log: EventLog) -> None:
    ev = Events()
    extras = {
        "subject": "unit/U1",
        "dataschema": "https://bluelamp.example/schemas/unit.on_duty.json",
        "datacontenttype": "application/json; charset=utf-8",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "priority": 3,
        "replayed": False,
    }
    record = recorded(1, ev.on_duty("U1") | extras)
    log.append([record])
    with log.engine.connect() as conn:
        body = json.loads(conn.execute(text("SELECT body FROM events")).scalar_one())
    assert {k: body[k] for k in extras} == extras
    assert log.read() == [record] == log.history(unit_id="U1")
    assert log.read()[0].event.extensions == {
        "traceparent": extras["traceparent"],
        "priority": 3,
        "replayed": False,
    }


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    log = EventLog(migrated(f"sqlite:///{tmp_path}/wal.sqlite3"))
    try:
        with log.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        log.close()


def test_picture_class_round_trips_through_the_log(log: EventLog) -> None:
    records = _story(3)
    log.append(records)
    log.save_snapshot(fold(records))
    assert isinstance(log.latest_snapshot(), Picture)


def test_the_picture_at_any_moment_of_a_simulated_evening_is_the_one_live_then(
    log: EventLog,
) -> None:
    """Two simulated hours of a weekday evening (AVL pings included) folded as the live
    process folds them, the picture kept at 40 random seqs; written to the log in the
    sequencer's batches with a snapshot every 500 records. The picture rebuilt at each of
    those seqs (a snapshot plus a replay) is the one the live fold had then."""
    scenario = load("normal-day")
    scenario = scenario.starting(scenario.start.replace(hour=18), 2)
    raws = list(Simulation(london(), scenario, seed=4).events())
    wanted = set(random.Random(9).sample(range(1, len(raws) + 1), 40))
    live, kept, batch, shots = Picture(), {}, [], []
    for record in numbered(raws):
        live.apply(record)
        batch.append(record)
        if record.seq in wanted:
            kept[record.seq] = json.dumps(live.to_snapshot(), sort_keys=True)
        if record.seq % 500 == 0:
            shots.append(live.to_snapshot())
        if len(batch) == 200:
            log.append(batch, shots)
            batch, shots = [], []
    log.append(batch, shots)
    assert len(raws) > 5_000
    for seq in sorted(wanted):
        assert json.dumps(log.picture(seq).to_snapshot(), sort_keys=True) == kept[seq], seq


def test_when_each_unit_last_came_on_duty_by_a_record(log: EventLog) -> None:
    ev = Events()
    raws = [ev.on_duty("U1"), ev.on_duty("U2", bcu="SN"), ev.off_duty("U1"), ev.on_duty("U1")]
    log.append(numbered(raws))
    started = [recorded(seq, raw).event.time for seq, raw in enumerate(raws, 1)]
    assert log.came_on_duty(3) == {"U1": started[0], "U2": started[1]}
    assert log.came_on_duty(4) == {"U1": started[3], "U2": started[1]}
    assert log.came_on_duty(0) == {}
