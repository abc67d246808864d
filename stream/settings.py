"""Bluelamp's one configuration object.

Every setting is an environment variable prefixed ``BLUELAMP_`` (or a line in ``.env``).
Nothing reads it at import time: call :func:`load_settings` where a process starts and pass
the result into the factories (``create_app(settings)`` and friends). It lives in ``stream``
because that is the lowest room that needs configuration; ``geodata`` stays pure and takes
what it needs as arguments.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

#: The longest time bound a setting may hold (10,000 years): any datetime difference fits.
MAX_SPAN_S = 10_000 * 365 * 86_400


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BLUELAMP_",
        env_file=".env",
        extra="ignore",
        frozen=True,
        # `BLUELAMP_X=` (as .env.example has it) means "not set": the default applies.
        env_ignore_empty=True,
    )

    # Where it listens.
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)

    # Backends, chosen by URL. "memory://" is the embedded in-process bus (a peer of Redis,
    # not a mock); a SQLite file is the embedded log. PostgreSQL: postgresql+psycopg://...
    redis_url: str = "memory://"
    database_url: str = "sqlite:///var/bluelamp.sqlite3"
    # PostgreSQL schema for Bluelamp's tables (None: the connection's search_path).
    database_schema: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    # London. None = the simplified OGL borough boundaries shipped in geodata/data.
    boundaries: Path | None = None
    h3_resolution: int = Field(8, ge=5, le=10)

    # Map base layer. None = vector layers of London only (no tile server needed).
    tile_url: str | None = None
    tile_attribution: str = ""

    # The spine.
    ingest_batch: int = Field(500, ge=1, le=10_000)
    snapshot_every: int = Field(10_000, ge=1)
    lease_ttl_ms: int = Field(5_000, ge=500)
    # Prefix of every Redis key and channel, so several deployments (or tests) share a Redis.
    key_prefix: str = Field("bluelamp", pattern=r"^[A-Za-z0-9_.-]+$")

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

    # Sign-in. The API refuses to start outside demo mode without a real secret.
    secret_key: SecretStr | None = None
    demo: bool = False
    demo_password: SecretStr | None = None
    token_minutes: int = Field(480, ge=1)
    # A wall kiosk's session (role wall, read-only): long, so a wall is not signed out mid-shift.
    wall_session_days: int = Field(30, ge=1, le=400)
    # The session cookie is Secure (sent over HTTPS only; browsers also allow it on
    # http://localhost and 127.0.0.1). Turn off only behind a proxy that cannot do TLS.
    cookie_secure: bool = True
    # Sign-in attempts per user name in a window, then 429: counted per device for a
    # client holding a device cookie for that name, together for all other clients.
    login_attempts: int = Field(10, ge=1)
    login_window_s: int = Field(60, ge=1)
    # How long a device cookie (this browser signed in as this user) is honoured.
    login_device_days: int = Field(90, ge=1, le=400)
    # Origins (scheme://host:port) allowed to open the WebSocket besides the server's own.
    allowed_origins: list[str] = Field(default_factory=list)
    # OpenID Connect (optional): bearer tokens from this issuer, checked against its JWKS,
    # are accepted; the role (and BCU) come from these claims.
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str | None = None
    oidc_role_claim: str = "bluelamp_role"
    oidc_bcu_claim: str = "bluelamp_bcu"

    # The live feed: a frame at most every ws_frame_ms under load, a heartbeat after
    # ws_heartbeat_s of quiet, a client more than ws_queue_limit events behind is dropped.
    ws_frame_ms: int = Field(50, ge=1, le=1_000)
    ws_heartbeat_s: float = Field(15.0, gt=0)
    ws_queue_limit: int = Field(20_000, ge=100)
    # A frame the client has not taken in this long (its socket is full): it is too slow.
    ws_send_timeout_s: float = Field(10.0, gt=0)
    # A reconnecting client whose ``since`` is further behind than this gets a snapshot.
    ws_replay_limit: int = Field(50_000, ge=0)

    # Hostile requests: a body larger than this is refused with 413 before it is read whole.
    max_body_bytes: int = Field(20 * 1024 * 1024, ge=1024)

    # The outage banner: screens say the feed is held up once an ingest event has waited
    # this long to be logged (or Redis or the database does not answer).
    feed_stale_s: float = Field(5.0, gt=0)

    # Report jobs: a finished report's file is deleted this many hours after it was made;
    # a job whose worker has shown no sign of life for this many seconds (the process died)
    # is failed with the reason, so no one waits for it for ever.
    report_keep_hours: float = Field(24.0, gt=0)
    report_job_stale_s: float = Field(60.0, ge=5)

    # Who closes incidents: commanders always; inspectors too (for their BCU's incidents)
    # unless the force's policy keeps closing for commanders.
    inspectors_may_close: bool = True

    # What the screens show (data are always UTC).
    display_timezone: str = "Europe/London"

    @model_validator(mode="after")
    def _queue_holds_batches(self) -> Settings:
        # A sequencer batch reaches every subscriber at once: a queue smaller than two would
        # drop even a client that keeps up.
        if self.ws_queue_limit < 2 * self.ingest_batch:
            raise ValueError("ws_queue_limit must be at least twice ingest_batch")
        return self

    @field_validator("redis_url")
    @classmethod
    def _known_bus(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://", "unix://")):
            raise ValueError("redis_url must be memory:// or a redis:// URL")
        return value


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment (and ``.env``), with explicit overrides on top."""
    return Settings(**overrides)


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
