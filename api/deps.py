"""Dependencies: the process's services, who is calling, and what their role allows.

    async def route(who: Reader, services: ServicesDep): ...

``Reader``, ``Operator``, ``Commander``, ``Feed`` and ``Authenticated`` resolve the caller
from a bearer token (``Authorization``) or the dashboard's session cookie and refuse, with
the reason, anyone whose role does not fit (403, audited by ``refuse``). Cookie-authenticated
writes must carry the CSRF token (``X-CSRF-Token``) that came with the cookie (else 403,
audited too).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, WebSocket
from fastapi.security import OAuth2PasswordBearer
from starlette.requests import HTTPConnection

from api.audit import AuditEntry, AuditOutcome
from api.security import InvalidCredential, Principal, Role, read_token
from api.services import Services
from stream.events import PRINTABLE

SESSION_COOKIE = "bluelamp_session"
CSRF_COOKIE = "bluelamp_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BEARER = {"WWW-Authenticate": "Bearer"}


def services(conn: HTTPConnection) -> Services:
    found: Services | None = getattr(conn.app.state, "services", None)
    if found is None:
        raise HTTPException(503, "the server is starting; try again in a moment")
    return found


ServicesDep = Annotated[Services, Depends(services)]
_bearer = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


def csrf_token(session_token: str, key: str) -> str:
    """The CSRF token that goes with a session: derived from it, so a cookie planted by
    another site cannot come with a matching header."""
    return hmac.new(key.encode(), session_token.encode(), hashlib.sha256).hexdigest()[:40]


def client_address(conn: HTTPConnection) -> str | None:
    return conn.client.host if conn.client else None


async def _principal(
    request: Request, services: ServicesDep, bearer: Annotated[str | None, Depends(_bearer)]
) -> Principal:
    return await resolve(request, services, bearer)


async def resolve(
    conn: HTTPConnection, services: Services, bearer: str | None, *, audited: bool = True
) -> Principal:
    """The caller, from a bearer token, else (WebSocket only) ``?token=``, else the cookie.
    ``audited``: a cookie write without its CSRF token is an audited 403 (False where the
    caller records the request itself: the 422 handler)."""
    token, via = bearer, "token"
    if token is None and isinstance(conn, WebSocket):
        token = conn.query_params.get("token")
    if token is None:
        token, via = conn.cookies.get(SESSION_COOKIE), "cookie"
    if not token:
        raise HTTPException(
            401, "sign in first: send Authorization: Bearer <token> (POST /api/token)", BEARER
        )
    try:
        principal = read_token(token, services.signing_key, services.oidc)
    except InvalidCredential as exc:
        raise HTTPException(401, str(exc), BEARER) from None
    if (ended := await session_ended(services, principal)) is not None:
        raise HTTPException(401, ended, BEARER)
    if via == "cookie":
        method = conn.scope.get("method", "GET")
        if method not in SAFE_METHODS:
            sent = conn.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, csrf_token(token, services.signing_key)):
                reason = f"a signed-in browser must send {CSRF_HEADER}"
                if not audited:
                    raise HTTPException(403, reason)
                raise await refuse(conn, services, principal, reason)
        principal = replace(principal, via="cookie")
    return principal


async def session_ended(services: Services, who: Principal) -> str | None:
    """Why a once-valid credential no longer is (expired, account disabled, signed out), or
    None. Asked on every request and, every few seconds, by every open live socket."""
    if who.expires is not None and time.time() >= who.expires:
        return "the token has expired; sign in again"
    if who.via == "oidc":
        return None  # the identity provider's accounts are not ours to disable or revoke
    if not await services.is_active(who.name):
        return f"the account {who.name!r} is disabled or gone"
    if who.token_id is not None and await services.is_revoked(who.token_id):
        return "this session was signed out; sign in again"
    return None


Authenticated = Annotated[Principal, Depends(_principal)]


async def audit_request(
    conn: HTTPConnection,
    services: Services,
    action: str,
    outcome: AuditOutcome,
    status: int,
    who: Principal | None = None,
    *,
    actor: str | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record what a request attempted: by whom (the principal, or a bare name for a
    sign-in), from which address, and how it was answered."""
    await services.record(
        AuditEntry(
            action=action,
            outcome=outcome,
            actor=who.name if who else actor,
            role=who.role.value if who else None,
            target=target,
            client=client_address(conn),
            status=status,
            detail=detail or {},
        )
    )


async def refuse(
    conn: HTTPConnection,
    services: Services,
    who: Principal | None,
    reason: str,
    *,
    status: int = 403,
    outcome: AuditOutcome = AuditOutcome.DENIED,
    action: str | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> HTTPException:
    """Audit a refused request and make the HTTPException that says why. Every 403 goes
    through here (a role, an inspector's BCU, a missing CSRF token, another's report job),
    and every refused command with its own status and outcome. ``action`` defaults to the
    route's name, ``target`` to the path."""
    await audit_request(
        conn,
        services,
        action or action_of(conn),
        outcome,
        status,
        who,
        target=target or conn.url.path,
        detail=(detail or {}) | {"reason": reason},
    )
    return HTTPException(status, reason)


def action_of(conn: HTTPConnection) -> str:
    """The audit name of what was attempted: the route's name (e.g. ``unit.assign``)."""
    route = conn.scope.get("route")
    name = getattr(route, "name", None)
    return str(name) if name else f"{conn.scope.get('method', 'WS')} {conn.url.path}"


def allow(*roles: Role) -> Any:
    allowed = frozenset(roles)
    names = " or ".join(r.value for r in roles)

    async def check(request: Request, who: Authenticated, services: ServicesDep) -> Principal:
        if who.role not in allowed:
            raise await refuse(
                request,
                services,
                who,
                f"this needs the {names} role; {who.name} is a {who.role.value}",
            )
        return who

    return Depends(check)


Reader = Annotated[Principal, allow(Role.COMMANDER, Role.INSPECTOR, Role.PLANNER)]
# The live picture as a wall shows it: readers and wall kiosks.
Viewer = Annotated[Principal, allow(Role.COMMANDER, Role.INSPECTOR, Role.PLANNER, Role.WALL)]
Operator = Annotated[Principal, allow(Role.COMMANDER, Role.INSPECTOR)]
Commander = Annotated[Principal, allow(Role.COMMANDER)]
Feed = Annotated[Principal, allow(Role.FEED)]
ReportReader = Annotated[Principal, allow(Role.COMMANDER, Role.PLANNER)]

# Ids in paths as the event contract has them (printable, at most 64 characters).
UnitId = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]
IncidentId = Annotated[str, Path(min_length=1, max_length=64, pattern=PRINTABLE)]
