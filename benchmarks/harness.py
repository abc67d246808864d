"""A ``bluelamp serve`` subprocess for the benchmarks, and a busy London to load it with.

The server runs on a free port over SQLite in a working folder, with accounts made before it
starts (sign-in is the only way in). ``busy_london`` gives units on duty and open incidents
at random points inside the Met's BCUs, as events for the caller to send its own way (HTTP
or XADD).
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg

from api.accounts import Accounts
from api.database import open_database
from bluelamp.migrations import upgrade
from geodata import London

PASSWORD = secrets.token_urlsafe(12)
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def pg_schema(url: str = POSTGRES_URL) -> Iterator[str]:
    """A PostgreSQL schema of the benchmark's own, dropped after."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    workdir: Path, users: dict[str, str], **env: str
) -> tuple[subprocess.Popen[bytes], str]:
    """``bluelamp serve`` with ``users`` (name -> role, password PASSWORD) and extra
    BLUELAMP_* ``env``, once it answers /readyz: the process and its base URL."""
    port = free_port()
    database = f"sqlite:///{workdir}/bench.sqlite3"
    upgrade(database)  # the migrations make the tables, as serve would
    accounts = Accounts(open_database(database))
    for name, role in users.items():
        accounts.add(name, PASSWORD, role)
    environment = {
        # The caller's own BLUELAMP_* settings would make the run measure something else.
        **{k: v for k, v in os.environ.items() if not k.startswith("BLUELAMP_")},
        "BLUELAMP_DATABASE_URL": database,
        "BLUELAMP_SECRET_KEY": secrets.token_urlsafe(48),
        "BLUELAMP_PORT": str(port),
        "BLUELAMP_COOKIE_SECURE": "false",
        **env,
    }
    process = _bluelamp("serve", workdir, environment)
    if environment.get("BLUELAMP_SEQUENCE") == "false":
        # The sequencer in a process of its own (bluelamp sequence), on the same Redis, log
        # and secret; it ends with the server's working folder's lifetime (the caller's).
        sequencer = _bluelamp("sequence", workdir, environment)
        SEQUENCERS.append(sequencer)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server did not start: {(workdir / 'serve.log').read_text()[-2000:]}")


SEQUENCERS: list[subprocess.Popen[bytes]] = []  # started by start_server; stop_sequencers


def _bluelamp(command: str, workdir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    bluelamp = Path(sys.executable).with_name("bluelamp")
    log = (workdir / f"{command}.log").open("wb")
    return subprocess.Popen(
        [str(bluelamp), command], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def stop_sequencers() -> None:
    """Stop every ``bluelamp sequence`` start_server started."""
    while SEQUENCERS:
        process = SEQUENCERS.pop()
        process.terminate()
        process.wait(20)


def token(url: str, user: str) -> str:
    answer = httpx.post(f"{url}/api/token", data={"username": user, "password": PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def met_points(london: London, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n`` random points inside a Met BCU (not the City, not outside London)."""
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lat, lon = rng.uniform(51.3, 51.68), rng.uniform(-0.5, 0.3)
        place = london.locate(lat, lon)
        if place is not None and place.bcu is not None:
            points.append((round(lat, 5), round(lon, 5)))
    return points


def busy_london(
    london: London, units: int, incidents: int, rng: random.Random, first: int = 0
) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """``units`` IRVs on duty and ``incidents`` open incidents, numbered from ``first``:
    the unit ids, and the events' (type, data) in order."""
    ids: list[str] = []
    events: list[tuple[str, dict[str, Any]]] = []
    for i, (lat, lon) in enumerate(met_points(london, units, rng)):
        unit_id = f"U{first + i:05d}"
        ids.append(unit_id)
        bcu = london.locate(lat, lon).bcu  # type: ignore[union-attr]
        data = {"unit_id": unit_id, "callsign": unit_id, "unit_type": "IRV", "home_bcu": bcu}
        events.append(("unit.on_duty", {**data, "lat": lat, "lon": lon}))
    for i, (lat, lon) in enumerate(met_points(london, incidents, rng)):
        data = {
            "incident_id": f"I{first + i:05d}",
            "grade": rng.choice("IISSE"),
            "summary": "bench",
        }
        events.append(
            ("incident.created", {**data, "category": "violence", "lat": lat, "lon": lon})
        )
    return ids, events
