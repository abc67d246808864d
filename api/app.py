"""The API application factory. Nothing is built at import time: call ``create_app``.

The lifespan opens what requests need (the event spine on the configured bus and database,
the users and audit tables, the sign-in rate limiter) and closes it on shutdown; routes
reach it through ``api.deps``. The server refuses to start outside demo mode without a real
secret key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from api import guards, retaining
from api.accounts import Accounts
from api.audit import AuditLog, AuditOutcome
from api.database import open_database
from api.deps import SAFE_METHODS, action_of, audit_request, resolve
from api.feedstatus import watch as watch_feed
from api.headers import install_security_headers
from api.live import router as live_router
from api.metrics import Metrics, RequestTimer
from api.ratelimit import open_rate_limiter
from api.routes import (
    audit,
    commands,
    debriefs,
    decisions,
    events,
    intel,
    mutualaid,
    queries,
    replay,
    reports,
    signin,
)
from api.routes.docs import add_docs
from api.schemas.health import Alive, Readiness
from api.security import OidcVerifier, signing_key
from api.services import Services
from api.sessions import Revocations
from api.settings import ApiSettings
from geodata import London
from reports.jobs import Jobs
from reports.projector import Projector
from reports.readmodel import ReadModel
from stream.log import EventLog
from stream.spine import Spine
from stream.trust import entry_key

API_PREFIX = "/api"
READINESS_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)

# A readiness check answers a short description of what it saw, or raises with the reason.
ReadinessCheck = Callable[[], Awaitable[str]]
# Work started once the services are open (the demo's feed), cancelled at shutdown.
StartHook = Callable[[Services], Awaitable[asyncio.Task[None]]]


def create_app(
    settings: ApiSettings, london: London | None = None, *, on_start: StartHook | None = None
) -> FastAPI:
    """The ASGI app serving /api, /ws, /docs, /metrics, /healthz and /readyz; the dashboard
    mounts itself on it. ``on_start`` starts a task once the services are open (the
    composition root's demo feed); it is cancelled at shutdown. Raises InsecureSettings now,
    not at the first request, when the secret key is missing or weak outside demo mode."""
    key = signing_key(settings)
    oidc = OidcVerifier.from_settings(settings)
    london = london or London.load(settings.boundaries, settings.h3_resolution)
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _services(settings, london, key, oidc, metrics) as services:
            app.state.services = services
            feed = await on_start(services) if on_start is not None else None
            try:
                yield
            finally:
                if feed is not None:
                    feed.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await feed
                app.state.services = None

    app = FastAPI(
        title="Bluelamp",
        summary="Live incidents and units across London for police control rooms.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served behind a credential by api.routes.docs
    )
    app.state.settings = settings
    app.state.readiness_checks = {}
    app.state.services = None
    app.state.metrics = metrics
    app.add_middleware(RequestTimer, metrics=metrics)
    install_security_headers(app)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(OperationalError, _database_unavailable)
    guards.install(app, settings)
    _add_health(app)
    routers = (signin, queries, decisions, commands, mutualaid, events, audit, reports, replay)
    for module in (*routers, debriefs, intel):
        app.include_router(module.router)
    app.include_router(live_router)
    add_docs(app)
    _guard_api_namespace(app)
    return app


@contextlib.asynccontextmanager
async def _services(
    settings: ApiSettings, london: London, key: str, oidc: OidcVerifier | None, metrics: Metrics
) -> AsyncIterator[Services]:
    engine = await asyncio.to_thread(open_database, settings.database_url, settings.database_schema)
    limiter = open_rate_limiter(
        settings.redis_url, settings.login_attempts, settings.login_window_s
    )
    try:
        async with Spine.open(
            settings,
            london,
            sequence=settings.sequence,
            database_schema=settings.database_schema,
            signing_key=entry_key(key),  # the API's commands are signed (stream.trust)
            queue_limit=settings.ws_queue_limit,
            on_batch=metrics.on_batch,
        ) as spine:
            services = Services(
                settings=settings,
                london=london,
                spine=spine,
                accounts=Accounts(engine),
                audit=AuditLog(engine),
                limiter=limiter,
                signing_key=key,
                oidc=oidc,
                metrics=metrics,
                read_model=ReadModel.of(spine.log),
                jobs=Jobs(
                    engine,
                    keep=timedelta(hours=settings.report_keep_hours),
                    stale=timedelta(seconds=settings.report_job_stale_s),
                ),
                revocations=Revocations(engine),
            )
            projector = Projector(services.read_model, spine.log, metrics)
            services.projector = projector
            watchers = [
                asyncio.create_task(projector.run(), name="bluelamp-reports"),
                asyncio.create_task(
                    watch_feed(services.feed, spine, settings.feed_stale_s), name="bluelamp-feed"
                ),
                asyncio.create_task(services.jobs.look_after(), name="bluelamp-report-jobs"),
                asyncio.create_task(
                    services.recommending.run(lambda: spine.picture), name="bluelamp-recommender"
                ),
                asyncio.create_task(
                    services.forecasting.run(lambda: spine.picture, _caught_up(projector)),
                    name="bluelamp-forecast",
                ),
                asyncio.create_task(_retention(settings, spine.log), name="bluelamp-retention"),
            ]
            try:
                yield services
            finally:
                # A catch-up runs in a worker thread, which cancelling cannot interrupt and
                # the interpreter waits for at exit: tell it to stop at its next check.
                services.read_model.stop()
                for task in watchers:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await services.recommending.close()
    finally:
        await limiter.close()
        await asyncio.to_thread(engine.dispose)


def _retention(settings: ApiSettings, log: EventLog) -> Coroutine[Any, Any, None]:
    secret = settings.pseudonym_key
    key = None if secret is None else secret.get_secret_value().encode()
    return retaining.run(log, settings.retain_people_days, key, settings.retention_every_s)


def _caught_up(projector: Projector) -> Callable[[], bool]:
    """Whether the reports' read model has had its first attempt at catching up (the
    forecast is fitted from it: before, it may hold only part of the log)."""
    return lambda: projector.cursor is not None or projector.failures > 0


def _add_health(app: FastAPI) -> None:
    async def app_answers() -> str:
        return "serving"

    async def bus_answers() -> str:
        services: Services | None = app.state.services
        if services is None:
            raise RuntimeError("the spine is not open yet")
        if not services.spine.hub.connected.is_set():
            raise RuntimeError("not subscribed to the live channel")
        return f"live feed at seq {services.spine.picture.seq}"

    async def database_answers() -> str:
        services: Services | None = app.state.services
        if services is None:
            raise RuntimeError("the database is not open yet")
        last = await asyncio.to_thread(services.spine.log.last_seq)
        return f"event log at seq {last}"

    async def sequencer_role() -> str:
        # Never a failure: a standby is as ready to serve as the leader. Operators (and the
        # two-server tests) read here which worker holds the lease.
        services: Services | None = app.state.services
        if services is None:
            raise RuntimeError("the spine is not open yet")
        sequencer = services.spine.sequencer
        if sequencer is None:
            return "not sequencing"
        return "leading (holds the lease)" if sequencer.leading.is_set() else "standing by"

    async def reports_state() -> str:
        # Always ready (see reports.projector): the detail says when the reports fail.
        services: Services | None = app.state.services
        if services is None or services.projector is None:
            raise RuntimeError("the reports' read model is not open yet")
        return services.projector.describe()

    async def forecast_state() -> str:
        # Always ready: the prior serves until the log can be fitted, and after a failed fit.
        services: Services | None = app.state.services
        if services is None:
            raise RuntimeError("the recommender is not open yet")
        return services.forecasting.describe()

    add_readiness_check(app, "app", app_answers)
    add_readiness_check(app, "bus", bus_answers)
    add_readiness_check(app, "database", database_answers)
    add_readiness_check(app, "sequencer", sequencer_role)
    add_readiness_check(app, "reports", reports_state)
    add_readiness_check(app, "forecast", forecast_state)

    @app.get("/healthz", tags=["health"], response_model=Alive)
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers. Needs no credential."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "a check failed"}},
    )
    async def readyz() -> JSONResponse:
        """Readiness: Redis (or the embedded bus) and the database answer (503 if not)."""
        return await _readiness(app.state.readiness_checks)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 with a sentence a person can act on (and the details); a write is audited."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    message = "; ".join(_describe(e) for e in errors) or "invalid request"
    if request.method not in SAFE_METHODS:
        try:
            await _audit_invalid(request, message)
        except OperationalError:
            # Nothing was done, and the caller needs the reason more than the row.
            log.warning("invalid %s %s not audited: no database", request.method, request.url.path)
    return JSONResponse({"detail": message, "errors": _jsonable(errors)}, status_code=422)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database refused or dropped the connection (down, restarting, failing over, its
    disk full): 503, to be retried, never a 500. Nothing can be audited meanwhile."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {
            "detail": "the database is not answering; try again in a few seconds "
            "(a command sent with an Idempotency-Key is safe to repeat)"
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request"
    return f"{where}: {error.get('msg', 'invalid')}"


def _jsonable(errors: Any) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg")), "type": str(e.get("type"))}
        for e in errors
    ]


async def _audit_invalid(request: Request, message: str) -> None:
    services: Services | None = request.app.state.services
    if services is None:
        return
    header = request.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    try:
        who = await resolve(request, services, bearer, audited=False)
    except Exception:
        who = None  # an anonymous bad request is still recorded, with no actor
    target = request.path_params.get("unit_id") or request.path_params.get("incident_id")
    await audit_request(
        request,
        services,
        action_of(request),
        AuditOutcome.INVALID,
        422,
        who,
        target=target or request.url.path,
        detail={"reason": message},
    )


def add_readiness_check(app: FastAPI, name: str, check: ReadinessCheck) -> None:
    """Register a dependency for /readyz (the bus, the database, ... as they are wired in)."""
    checks: dict[str, ReadinessCheck] = app.state.readiness_checks
    if name in checks:
        raise ValueError(f"readiness check {name!r} is already registered")
    checks[name] = check


async def _readiness(checks: dict[str, ReadinessCheck]) -> JSONResponse:
    results: dict[str, dict[str, object]] = {}
    for name, check in checks.items():
        try:
            detail = await asyncio.wait_for(check(), READINESS_TIMEOUT_S)
            results[name] = {"ok": True, "detail": detail}
        except TimeoutError:
            results[name] = {"ok": False, "detail": f"no answer within {READINESS_TIMEOUT_S} s"}
        except Exception as exc:  # a failing dependency is reported, never raised
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    ready = all(result["ok"] for result in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": results},
        status_code=200 if ready else 503,
    )


def _guard_api_namespace(app: FastAPI) -> None:
    """Unknown /api paths answer a JSON 404 instead of the dashboard's HTML page.

    Dash's FastAPI backend adds a catch-all GET route at start-up; registering this first
    keeps the API namespace the API's (else an unknown /api path gets Dash's page). Routes must be
    registered before this guard: it is called last in ``create_app``.
    """

    async def not_found(rest: str) -> JSONResponse:
        return JSONResponse({"detail": f"no such API path: {API_PREFIX}/{rest}"}, 404)

    app.add_api_route(
        f"{API_PREFIX}/{{rest:path}}",
        not_found,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
