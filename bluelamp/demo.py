"""Demo mode: the four demo users, and a simulated London feeding the spine in real time.

The simulator (stream.sim) starts an hour in the past, so the map is busy from the first
second, then runs at 1x: its events go onto the ingest stream exactly as a real CAD/AVL feed
would put them there. Passwords come from ``BLUELAMP_DEMO_PASSWORD`` or are generated at
each start and printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from api.security import Role
from api.services import Services
from bluelamp.settings import Settings
from stream.sim.demand import LONDON_TZ
from stream.sim.engine import SimOptions, Simulation
from stream.sim.scenario import load

log = logging.getLogger(__name__)
DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = (
    ("commander", Role.COMMANDER, None),
    ("inspector", Role.INSPECTOR, "AW"),
    ("planner", Role.PLANNER, None),
    ("feed", Role.FEED, None),
)
WARM_UP = timedelta(hours=1)
RUN_HOURS = 24 * 7
CHUNK = 2_000
#: Beside a demo's log: says the next demo start may erase it.
DEMO_MARK = ".demo"


class DemoRefused(RuntimeError):
    """The demo would have to erase a log that is not a demo's."""


def prepare(settings: Settings) -> Settings:
    """Demo settings. The demo uses the same database as every other command (so `bluelamp
    picture`, `log tail` and `report` see what it shows), starting it afresh at each run: the
    simulated fleet starts from nothing, and an old log would already hold it on duty. It
    erases only a log it made itself (marked by a file beside it) or an empty one; a
    configured database (BLUELAMP_DATABASE_URL) is used as it is."""
    if "database_url" in settings.model_fields_set:
        return settings
    path = Path(make_url(settings.database_url).database or "")
    mark = path.with_name(path.name + DEMO_MARK)
    if path.exists() and not mark.exists() and _holds_events(path):
        raise DemoRefused(
            f"{path.resolve()} holds an event log that a demo did not make, and the demo starts "
            "from an empty one. Move that file, or point BLUELAMP_DATABASE_URL at another "
            "database for the demo."
        )
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text("made by `bluelamp demo`: the next demo start erases this log\n")
    return settings


def _holds_events(path: Path) -> bool:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            return conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
        except sqlite3.DatabaseError:  # no events table: not a log at all
            return False


async def start(settings: Settings, services: Services) -> asyncio.Task[None]:
    """Create (or reset) the demo users, print how to sign in, start the simulated feed."""
    passwords = await asyncio.to_thread(ensure_users, services, settings.demo_password)
    lines = [
        f"  {name:<10} {role.value:<10} {bcu or '':<4} {passwords[name]}"
        for name, role, bcu in DEMO_USERS
    ]
    print(
        "\nBluelamp demo: sign in at "
        f"http://{settings.host}:{settings.port}/ as\n  user       role       bcu  password\n"
        + "\n".join(lines)
        + "\n",
        flush=True,
    )
    return asyncio.create_task(feed(services), name="bluelamp-demo-feed")


def ensure_users(services: Services, shared: SecretStr | None) -> dict[str, str]:
    passwords = {}
    for name, role, bcu in DEMO_USERS:
        password = shared.get_secret_value() if shared else secrets.token_urlsafe(9)
        services.accounts.ensure(name, password, role, bcu)
        passwords[name] = password
    return passwords


async def feed(services: Services) -> None:
    """The simulated feed at 1x, starting an hour ago (that hour goes in at once)."""
    now = datetime.now(LONDON_TZ).replace(microsecond=0)
    scenario = load("normal-day").starting(now - WARM_UP, RUN_HOURS)
    sim = Simulation(
        services.london, scenario, seed=int(time.time()), options=SimOptions(intel=True)
    )
    events = sim.events()
    bus = services.spine.bus
    sent = 0
    try:
        while batch := await asyncio.to_thread(_take, events, CHUNK):
            ready: list[str] = []
            for event in batch:
                delay = _epoch(event) - time.time()
                if delay > 0:
                    if ready:
                        await bus.add(ready)
                        sent, ready = sent + len(ready), []
                    await asyncio.sleep(delay)
                ready.append(json.dumps(event))
            if ready:
                await bus.add(ready)
                sent += len(ready)
    except asyncio.CancelledError:
        log.info("demo feed stopped after %d events", sent)
        raise
    except Exception:
        log.exception("demo feed failed after %d events", sent)


def _take(events: Iterator[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    batch = []
    for event in events:
        batch.append(event)
        if len(batch) >= n:
            break
    return batch


def _epoch(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["time"].replace("Z", "+00:00")).timestamp()
