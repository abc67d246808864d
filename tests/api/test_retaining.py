"""The server applies retention by itself (api/retaining.py) when it has a pseudonym key:
a person linked to a call closed long enough ago leaves the log's text."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from stream.log import EventLog, events
from tests.dashboard.conftest import add_users
from tests.dashboard.feed import push
from tests.live import LiveServer
from tests.stream.factories import Events

NAME = "Peregrine Nettlefold"


def test_a_server_with_a_key_rewrites_people_past_their_time(tmp_path: Path) -> None:
    server = LiveServer(
        {
            "BLUELAMP_PSEUDONYM_KEY": "s" * 40,
            "BLUELAMP_RETENTION_EVERY_S": "1",
            "BLUELAMP_RETAIN_PEOPLE_DAYS": "1",  # the story below is two days old
        },
        tmp_path,
    )
    add_users(server)
    server.start()
    try:
        ev = Events(source="cad")
        push(
            server.url,
            ev.incident_created("RET-1"),
            ev.person_linked("RET-1", name=NAME),
            ev.closed("RET-1"),
        )
        log = EventLog(server.env["BLUELAMP_DATABASE_URL"])
        try:
            deadline = time.monotonic() + 60
            while True:
                with log.engine.connect() as conn:
                    bodies = "".join(conn.execute(select(events.c.body)).scalars())
                if NAME not in bodies:
                    break
                assert time.monotonic() < deadline, "the server never applied retention"
                time.sleep(0.5)
            assert '"pseudonym"' in bodies
        finally:
            log.close()
    finally:
        server.stop()
