"""Single-server fault drills (issue 12), with the simulator feeding London's evening peak
into a private Redis and a commander's wall screen open in Chromium:

(a) Redis restarted, without persistence and with AOF; (b) the server killed with SIGKILL and
started again; (c) PostgreSQL refusing connections; (d) the browser cut off; (e) the disk the
SQLite log is on full. After each, :meth:`City.verify`: every event written is in the log
exactly once (or rejected with a reason), the picture is a replay of the log, the browser
shows the server's picture; and the outage banner showed while the fault lasted; nobody
lifted a finger for the server to recover.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.resilience.city import City, now_ms
from tests.resilience.conftest import open_city, postgres_schema, through
from tests.resilience.faults import RedisServer, TcpProxy, Tmpfs, wait_until
from tests.resilience.feed import Key

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

REDIS_DOWN_S = 3.0  # at least; and until the screen has said so
DISK_FULL_S = 10.0
RECOVER_S = 90.0  # generous: a busy machine; the server backs off up to 5 s between tries


@pytest.fixture(scope="module")
def pg_town(
    browser: Browser, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[City, TcpProxy, TcpProxy]]:
    """PostgreSQL behind a proxy, Redis without persistence, the page behind a proxy."""
    workdir = tmp_path_factory.mktemp("drill-pg")
    host_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    with (
        RedisServer(workdir / "redis") as redis_server,
        TcpProxy(host, int(port or 5432)) as database,
        TcpProxy("127.0.0.1", 1) as page,
        postgres_schema(postgres_url) as schema,
        open_city(
            browser,
            workdir,
            redis_server,
            postgres_url,
            served_url=through(postgres_url, database),
            schema=schema,
            page_proxy=page,
        ) as city,
    ):
        yield city, database, page


@pytest.fixture(scope="module")
def sqlite_town(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[City, Tmpfs]]:
    """The SQLite log on a 64 MB file system of its own, Redis with AOF (fsync always)."""
    workdir = tmp_path_factory.mktemp("drill-sqlite")
    with (
        RedisServer(workdir / "redis", appendonly=True, appendfsync="always") as redis_server,
        Tmpfs(workdir / "disk", size_mb=64) as disk,
        open_city(browser, workdir, redis_server, f"sqlite:///{disk.path}/log.sqlite3") as city,
    ):
        yield city, disk


@pytest.fixture
def pg_city(pg_town: tuple[City, TcpProxy, TcpProxy]) -> tuple[City, TcpProxy, TcpProxy]:
    """The PostgreSQL city, its feed running (a drill that failed may have left it paused)."""
    pg_town[0].producer.resume()
    return pg_town


@pytest.fixture
def sqlite_city(sqlite_town: tuple[City, Tmpfs]) -> tuple[City, Tmpfs]:
    """The SQLite city, its feed running."""
    sqlite_town[0].producer.resume()
    return sqlite_town


def _banner_showed(city: City, since_ms: float, until_ms: float) -> None:
    assert city.banner_shown_between(since_ms, until_ms), (
        f"the outage banner did not show; its changes: {city.banner_log()}"
    )
    wait_until(city.banner_hidden, RECOVER_S, "the banner gone after recovery")


def _redis_down(city: City, kill: bool) -> set[Key]:
    """Stop Redis, keep it down until the screen says so (at least ``REDIS_DOWN_S``), and
    start it again on the same port; the events written to the Redis that stopped."""
    down = now_ms()
    city.redis_server.stop(kill=kill)
    written = set(city.producer.written)  # nothing can be written while it is down
    try:
        wait_until(lambda: city.banner_shown_between(down, now_ms()), RECOVER_S, "the banner")
        wait_until(lambda: now_ms() - down >= REDIS_DOWN_S * 1000, REDIS_DOWN_S + 5, "down")
    finally:
        city.redis_server.start()
    return written


def _unchanged_through_the_outage(
    read: Callable[[], int], started_ms: float, outage_s: float, what: str
) -> int:
    """What ``read`` answers stays put until the outage has lasted ``outage_s``."""
    held = read()
    wait_until(lambda: now_ms() - started_ms >= outage_s * 1000, outage_s + 5, "the outage")
    assert read() == held, what
    return held


def _wal_emptied(database: Path) -> None:
    """Checkpoint the log's write-ahead file and truncate it. SQLite reuses that file once
    checkpointed, so a full disk would bite only after up to 1,000 pages of new events
    (minutes at the drill's pace, depending on where in its cycle the file was); emptied
    first, the log's next few writes need space the full disk no longer has."""
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as conn:
        wait_until(
            lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0,
            RECOVER_S,
            "the write-ahead log checkpointed",
        )
    assert database.with_name(database.name + "-wal").stat().st_size < 1 << 20


def _sequencing(city: City, timeout: float = RECOVER_S) -> None:
    """New events are being logged (the server recovered by itself)."""
    before = city.log.last_seq()
    wait_until(lambda: city.log.last_seq() > before, timeout, "new events logged")


def test_a_redis_restart_without_persistence_loses_only_unlogged_entries(
    pg_city: tuple[City, TcpProxy, TcpProxy],
) -> None:
    """Redis comes back empty: no stream, no group, no lease. The service recreates the
    group and carries on from the log's last seq; entries that were XADDed but not yet
    logged are gone, and the producer (as the contract says, docs/operations.md) sends
    again every event it cannot find logged or rejected: then each is logged exactly once."""
    city, _database, _page = pg_city
    city.verify()
    logged_before = city.log.last_seq()
    started = now_ms()
    written_before = _redis_down(city, kill=False)
    _sequencing(city)
    ended = now_ms()
    _banner_showed(city, started, ended)
    city.producer.pause()
    wait_until(lambda: city.waiting() == 0, RECOVER_S, "the ingest stream drained")
    lost = city.account().missing
    assert lost <= written_before, "an event written after the restart was lost"
    city.producer.resend(lost)
    city.sign_in()  # a person signing in after the restart gets in (was a 500)
    accounting = city.verify()
    assert accounting.records[logged_before].seq == logged_before + 1
    assert city.producer.failed_writes > 0, "the feed never saw Redis down"


def test_b_kill_9_and_start_again_loses_nothing(pg_city: tuple[City, TcpProxy, TcpProxy]) -> None:
    city, _database, _page = pg_city
    started = now_ms()
    city.server.stop(kill=True)
    city.page.wait_for_selector("#feed-banner", state="visible", timeout=30_000)
    city.server.start()
    _sequencing(city)
    _banner_showed(city, started, now_ms())
    city.verify()


def test_c_postgres_refusing_then_back(
    pg_city: tuple[City, TcpProxy, TcpProxy], outage_s: float
) -> None:
    city, database, _page = pg_city
    started = now_ms()
    database.refuse()
    try:
        wait_until(lambda: city.banner_shown_between(started, now_ms()), outage_s, "banner")
        _unchanged_through_the_outage(
            city.log.last_seq, started, outage_s, "events were logged while PostgreSQL refused"
        )
    finally:
        database.resume()
    _sequencing(city)
    _banner_showed(city, started, now_ms())
    city.verify()


def test_d_a_browser_cut_off_resumes_where_it_left(
    pg_city: tuple[City, TcpProxy, TcpProxy], outage_s: float
) -> None:
    city, _database, page = pg_city
    started = now_ms()
    page.drop()
    try:
        city.page.wait_for_selector("#feed-banner", state="visible", timeout=30_000)
        seen = _unchanged_through_the_outage(
            lambda: int(city.browser()["seq"]), started, outage_s, "the browser was not cut off"
        )
        assert city.log.last_seq() > seen, "nothing happened meanwhile to catch up with"
    finally:
        page.resume()
    _banner_showed(city, started, now_ms())
    city.verify()


def test_a_redis_killed_with_aof_loses_nothing(sqlite_city: tuple[City, Tmpfs]) -> None:
    city, _disk = sqlite_city
    started = now_ms()
    _redis_down(city, kill=True)
    _sequencing(city)
    _banner_showed(city, started, now_ms())
    city.verify()
    assert city.producer.resent == 0


def test_e_a_full_disk_under_the_sqlite_log(sqlite_city: tuple[City, Tmpfs]) -> None:
    city, disk = sqlite_city
    city.verify()
    before = city.log.last_seq()
    started = now_ms()
    _wal_emptied(disk.path / "log.sqlite3")
    disk.fill()
    try:
        wait_until(lambda: city.banner_shown_between(started, now_ms()), RECOVER_S, "banner")
        wait_until(lambda: now_ms() - started >= DISK_FULL_S * 1000, DISK_FULL_S + 5, "full")
    finally:
        disk.free()
    _sequencing(city)
    _banner_showed(city, started, now_ms())
    accounting = city.verify()
    assert accounting.records[-1].seq > before
