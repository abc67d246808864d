"""The spine's settings (bus, event log, London, ingest, lease, event time), and how every
room's settings are read.

Every setting is an environment variable prefixed ``BLUELAMP_`` (or a line in ``.env``). Each
room declares its own (``SpineSettings`` here, ``api.settings.ApiSettings`` over it,
``dashboard.settings.ScreenSettings``); the composition root's ``bluelamp.settings.Settings``
holds them all. Nothing reads the environment at import time: a process loads its settings
where it starts and passes them into the factories. ``geodata`` stays pure and takes what it
needs as arguments.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

#: The longest time bound a setting may hold (10,000 years): any datetime difference fits.
MAX_SPAN_S = 10_000 * 365 * 86_400


#: How every room's settings are read: BLUELAMP_* variables (or .env), frozen once built.
ENVIRONMENT = SettingsConfigDict(
    env_prefix="BLUELAMP_",
    env_file=".env",
    extra="ignore",
    frozen=True,
    # `BLUELAMP_X=` (as .env.example has it) means "not set": the default applies.
    env_ignore_empty=True,
)


class SpineSettings(BaseSettings):
    """What the spine needs: the bus, the event log, London, and the sequencer's bounds."""

    model_config = ENVIRONMENT

    # Backends, chosen by URL. "memory://" is the embedded in-process bus (a peer of Redis,
    # not a mock); a SQLite file is the embedded log. PostgreSQL: postgresql+psycopg://...
    redis_url: str = "memory://"
    database_url: str = "sqlite:///var/bluelamp.sqlite3"
    # PostgreSQL schema for Bluelamp's tables (None: the connection's search_path).
    database_schema: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    # London. None = the simplified OGL borough boundaries shipped in geodata/data.
    boundaries: Path | None = None
    h3_resolution: int = Field(8, ge=5, le=10)

    # The spine. sequence: this process competes for the sequencer lease (one process
    # sequences at a time); false: it only submits, follows and reads, and a sequencer runs
    # in a process of its own (`bluelamp sequence`).
    sequence: bool = True
    ingest_batch: int = Field(500, ge=1, le=10_000)
    snapshot_every: int = Field(10_000, ge=1)
    lease_ttl_ms: int = Field(5_000, ge=500)
    # Prefix of every Redis key and channel, so several deployments (or tests) share a Redis.
    key_prefix: str = Field("bluelamp", pattern=r"^[A-Za-z0-9_.-]+$")

    # Retention (stream/retention.py, `bluelamp retention apply`): a linked person's name,
    # date of birth and notes are kept in the log this many days after their incident closes,
    # then only their pseudonym: a keyed hash under pseudonym_key (a secret, at least 32
    # characters; keep it for good: the same key links the same person across years).
    retain_people_days: int = Field(30, ge=1, le=36_500)
    pseudonym_key: SecretStr | None = None

    # Event time at the sequencer's door (stream/eventtime.py): an event stamped more than
    # max_event_ahead_s after the sequencer's clock, more than max_event_late_s before the
    # latest event sequenced, or (unless 0) more than max_event_age_s before the sequencer's
    # clock is rejected with the reason. A simulation faster than real time into a live spine
    # runs ahead of the clock: give that spine a max_event_ahead_s covering the run
    # (docs/simulation.md). Replays of history out of order need a larger max_event_late_s.
    max_event_ahead_s: int = Field(
        300,
        ge=0,
        le=MAX_SPAN_S,
        description="Seconds an event's time may be after the sequencer's clock; raise it "
        "for simulations faster than real time (docs/simulation.md).",
    )
    max_event_late_s: int = Field(
        86_400,
        ge=0,
        le=MAX_SPAN_S,
        description="Seconds an event's time may be before the latest event sequenced.",
    )
    max_event_age_s: int = Field(
        0,
        ge=0,
        le=MAX_SPAN_S,
        description="Seconds an event's time may be before the sequencer's clock (0: no bound).",
    )

    @field_validator("redis_url")
    @classmethod
    def _known_bus(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://", "unix://")):
            raise ValueError("redis_url must be memory:// or a redis:// URL")
        return value


def load_settings(**overrides: Any) -> SpineSettings:
    """The spine's settings from the environment (and ``.env``), with explicit overrides on
    top (the stream commands; a server loads ``bluelamp.settings.load_settings``)."""
    return SpineSettings(**overrides)


def describe_settings_error(exc: ValidationError | SettingsError) -> str:
    """What is wrong with the configuration, one line per variable, named as it is set
    (``BLUELAMP_PORT: ...``); values are not repeated, since one may be a secret."""
    if isinstance(exc, SettingsError):
        found = re.search(r'field "(\w+)"', str(exc))
        name = f"BLUELAMP_{found.group(1).upper()}" if found else "a BLUELAMP_ setting"
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        return f'{name}: the value cannot be read{cause}; a list is JSON, e.g. ["a", "b"]'
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = f"BLUELAMP_{field.upper()}" if field else "settings"
        lines.append(f"{name}: {error['msg']}")
    return "\n".join(lines)
