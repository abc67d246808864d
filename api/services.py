"""What every request may need, opened once per process in the app's lifespan.

Routes get it through ``api.deps.ServicesDep``; nothing here is a module-level global, so
several apps (tests, workers) can live in one process.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.exc import OperationalError

from api.accounts import Accounts
from api.audit import AuditEntry, AuditLog
from api.feedstatus import FeedStatus
from api.forecasting import Forecasting
from api.liveframes import LiveFrames
from api.metrics import Metrics
from api.moments import PastPictures
from api.picturecache import PictureDocuments
from api.ratelimit import RateLimiter
from api.recommending import Recommending, context_for
from api.security import OidcVerifier
from api.sessions import Revocations
from api.settings import ApiSettings
from api.views import MessageCache, UnitTexts
from geodata import London
from geodata.travel import CrowFliesModel
from reports.jobs import Jobs
from reports.projector import Projector
from reports.readmodel import ReadModel
from stream.advice import Advisor
from stream.picture import Picture
from stream.spine import Spine

# How long a "this account is enabled" answer is trusted: disabling a user locks them out
# of every worker within this time, without a database read on every request.
ACTIVE_CACHE_S = 5.0


#: Audiences of the live advice: every waiting call's ranked units, or none of them (a BCU
#: code: that BCU's calls only).
EVERY_CALL, NO_CALL = "*", ""


def for_audience(advice: dict[str, Any], audience: str) -> dict[str, Any]:
    """The advice with the recommender's per-call rankings (``recommendations.calls`` and
    ``backups``, the bulk of it: about 1 KB a call) cut to what ``audience`` uses: all of them
    for a commander, an inspector's own BCU's, none for the wall and planners (docs/api.md)."""
    recommendations = advice.get("recommendations")
    if audience == EVERY_CALL or not recommendations:
        return advice
    mine = {
        key: [c for c in recommendations.get(key, ()) if c["bcu"] == audience] if audience else []
        for key in ("calls", "backups")
    }
    return advice | {"recommendations": recommendations | mine}


@dataclass
class Services:
    settings: ApiSettings
    london: London
    spine: Spine
    accounts: Accounts
    audit: AuditLog
    limiter: RateLimiter
    signing_key: str
    oidc: OidcVerifier | None
    metrics: Metrics
    read_model: ReadModel
    jobs: Jobs
    revocations: Revocations
    live_messages: MessageCache = field(default_factory=MessageCache)
    unit_texts: UnitTexts = field(default_factory=UnitTexts)  # units' views in live frames
    advisor: Advisor = field(default_factory=lambda: Advisor(CrowFliesModel()))
    recommending: Recommending = field(init=False)
    past: PastPictures = field(init=False)  # pictures of past moments (?at=), a few kept
    pictures: PictureDocuments = field(init=False)  # the live picture's JSON, once per seq
    forecasting: Forecasting = field(init=False)  # refits the recommender's forecast
    background: set[asyncio.Task[Any]] = field(default_factory=set)  # report jobs
    projector: Projector | None = None  # keeps the reports' read model up to date
    geo_cache: dict[str, Any] = field(default_factory=dict)  # GeoJSON layers, built once
    _active: dict[str, tuple[float, bool]] = field(default_factory=dict)
    _revoked: dict[str, tuple[float, bool]] = field(default_factory=dict)
    _kpis: tuple[int, bytes] = (-1, b"")
    _advice: tuple[int, dict[str, str]] = (-1, {})  # version, and its JSON by audience
    frames: LiveFrames = field(init=False)  # live-feed frames sockets in step share
    # Whether the feed is current, for the outage banner (api.feedstatus).
    feed: FeedStatus = field(default_factory=FeedStatus)

    def __post_init__(self) -> None:
        self.recommending = Recommending(
            context_for(self.london, self.advisor.travel),
            self.advisor,
            self.spine if self.settings.record_advice else None,
            apart=self.settings.recommender_process,
        )
        self.past = PastPictures(self.spine.log)
        self.pictures = PictureDocuments(self.london.hex_of)
        self.frames = LiveFrames(self.settings.ws_frame_ms)
        self.forecasting = Forecasting.of(
            self.london, self.read_model.engine, self.recommending, self.settings.forecast_refit_s
        )

    async def is_active(self, username: str) -> bool:
        now = time.monotonic()
        cached = self._active.get(username)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            active = await asyncio.to_thread(self.accounts.active, username)
        except OperationalError:
            if cached is None:
                raise
            # The database is not answering: the last answer stands until it does (no one
            # can be disabled meanwhile), so the live picture stays readable in an outage.
            return cached[1]
        self._active[username] = (now + ACTIVE_CACHE_S, active)
        return active

    async def is_revoked(self, token_id: str) -> bool:
        """Whether the session was signed out: at once on this worker, within
        ``ACTIVE_CACHE_S`` on the others (a "still valid" answer is trusted that long)."""
        now = time.monotonic()
        cached = self._revoked.get(token_id)
        if cached is not None and (cached[1] or cached[0] > now):
            return cached[1]
        try:
            revoked = await asyncio.to_thread(self.revocations.revoked, token_id)
        except OperationalError:
            if cached is None:
                raise
            return cached[1]  # as is_active: the last answer stands while the database is out
        if len(self._revoked) > 100_000:  # forget stale answers rather than grow
            self._revoked = {k: v for k, v in self._revoked.items() if v[1] or v[0] > now}
        self._revoked[token_id] = (now + ACTIVE_CACHE_S, revoked)
        return revoked

    async def revoke(self, token_id: str, username: str, expires: int) -> None:
        await asyncio.to_thread(self.revocations.revoke, token_id, username, expires)
        self._revoked[token_id] = (time.monotonic(), True)

    async def record(self, entry: AuditEntry) -> None:
        """Append to the audit log (in a worker thread: it is a database write)."""
        await asyncio.to_thread(self.audit.record, entry)

    def kpis_json(self, picture: Picture) -> bytes:
        """The picture's KPIs as JSON, made once per seq however many sockets send them."""
        if self._kpis[0] != picture.seq:
            self._kpis = (picture.seq, orjson.dumps(picture.kpis()))
        return self._kpis[1]

    def advice_json(self, advice: dict[str, Any], audience: str = EVERY_CALL) -> str:
        """The advice as JSON for ``audience`` (api.live.audience_of), made once per version
        and audience however many sockets send it."""
        version = int(advice.get("version", 0))
        if self._advice[0] != version:
            self._advice = (version, {})
        made = self._advice[1]
        if audience not in made:
            made[audience] = orjson.dumps(for_audience(advice, audience)).decode()
        return made[audience]
