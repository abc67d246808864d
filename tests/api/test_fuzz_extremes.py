"""Times at the far ends of the calendar, over HTTP.

These assert behaviour other tracks of issue 12 are fixing, and pass once their work is
merged: spine-input (event time bounds: an event stamped ``9999-12-31T23:59:59-01:00`` or
``0001-01-01T00:00:00+01:00`` answered 500, and far-future events are to be rejected with a
reason) and readers (a report from 0001-01-01 to 9999-12-31 answered 500; the picture,
incidents and advice broke on a far-future incident). They run on a server of their own: an
accepted far-future event would break the picture every other API test module reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.accounts import Accounts
from api.database import open_database
from tests.api.conftest import PASSWORD, USERS
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream.factories import POINTS, incident_created

#: Far-future events move the picture's clock for good: the issue asks they be rejected.
FUTURE = ["9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59Z"]
#: Far-past ones may be refused or taken, but never a 500 nor a broken picture.
PAST = ["0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir: Path = tmp_path_factory.mktemp("extremes")
    server = LiveServer({"BLUELAMP_LOGIN_ATTEMPTS": "1000"}, workdir)
    engine = open_database(migrated(server.env["BLUELAMP_DATABASE_URL"]))
    accounts = Accounts(engine)
    for name in ("chief", "feed"):
        accounts.add(name, PASSWORD, *USERS[name])
    engine.dispose()
    server.start()
    yield server
    server.stop()


def _client(server: LiveServer, user: str) -> httpx.Client:
    answer = httpx.post(f"{server.url}/api/token", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def _readable_refusal(answer: httpx.Response) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    detail = answer.json().get("detail")
    assert isinstance(detail, str) and len(detail.split()) >= 2, answer.text[:300]


@pytest.mark.parametrize("time", FUTURE + PAST)
def test_an_event_at_the_ends_of_time_is_never_a_server_error(
    server: LiveServer, time: str
) -> None:
    lat, lon = POINTS["AW"]
    event = incident_created(f"end-{time[:4]}-{time[-6:]}", lat=lat, lon=lon, time=time)
    with _client(server, "feed") as feed:
        answer = feed.post("/api/events", json=event)
    if time in FUTURE or answer.status_code >= 400:
        _readable_refusal(answer)
    with _client(server, "chief") as chief:
        for path in ("/api/picture", "/api/incidents", "/api/advice", "/api/demand"):
            answer = chief.get(path)
            assert answer.status_code == 200, (path, answer.text[:300])


def test_a_report_over_the_whole_calendar_is_not_a_server_error(server: LiveServer) -> None:
    with _client(server, "chief") as chief:
        answer = chief.get("/api/reports/demand", params={"from": "0001-01-01", "to": "9999-12-31"})
    if answer.status_code >= 400:
        _readable_refusal(answer)
    else:
        assert answer.status_code == 200, answer.text[:300]
