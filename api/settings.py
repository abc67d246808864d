"""The API's settings: sign-in (secret, tokens, cookies, attempts, OpenID Connect), the live
feed, request limits, reports and commanding policy; over the spine's, which the API opens."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from stream.settings import SpineSettings


class ApiSettings(SpineSettings):
    """What the API reads, beside the spine it opens (BLUELAMP_* variables)."""

    # Sign-in. The API refuses to start outside demo mode without a real secret.
    secret_key: SecretStr | None = None
    demo: bool = False
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
    # permessage-deflate on /ws when the client offers it (browsers do): each socket
    # compresses each frame with a zlib stream of its own, so the network carries a fraction
    # of the bytes and the server pays CPU per socket per frame. Off by default: 200 screens
    # at 2,000 events/s left a server 20-60 s behind with it and 0.4-0.8 s without
    # (docs/performance.md). On where screens reach the server over a thin or metered link.
    ws_compress: bool = False

    # uvicorn's line per request on stderr (tokens redacted, api.redaction). Off where a proxy
    # in front logs the requests: the line was a fifth of the server's CPU for a small
    # request (docs/performance.md). Commands are audited either way.
    access_log: bool = True

    # The recommender's periodic computation in a process of its own rather than a thread:
    # its Python then stops taking the GIL from the live feed and requests, at the cost of a
    # process (~100 MB) and a core to run it on (docs/performance.md).
    recommender_process: bool = False

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

    # Whether the recommender's advice is recorded in the log (advice.offered, for the
    # ledger and the advice report). Off: advice is still shown, and accepting a move-up
    # is refused as unknown, since nothing was offered on the record.
    record_advice: bool = True

    # How often the recommender's forecast is fitted again from the log (api.forecasting),
    # after a first fit once the reports' read model has caught up at start. 0: never fitted,
    # the simulator's calibrated prior throughout.
    forecast_refit_s: float = Field(3600.0, ge=0)
    # How often the server applies retention to the log (stream/retention.py; it needs
    # BLUELAMP_PSEUDONYM_KEY, and runs only with it). 0: never (run `bluelamp retention
    # apply` from cron instead). The first run is a minute after start.
    retention_every_s: float = Field(86_400.0, ge=0)

    @model_validator(mode="after")
    def _queue_holds_batches(self) -> ApiSettings:
        # A sequencer batch reaches every subscriber at once: a queue smaller than two would
        # drop even a client that keeps up.
        if self.ws_queue_limit < 2 * self.ingest_batch:
            raise ValueError("ws_queue_limit must be at least twice ingest_batch")
        return self
