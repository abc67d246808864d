"""Sign-in: OAuth2 password flow for API clients, a session cookie for the dashboard.

Both are rate-limited, and every attempt is audited. A user name longer than
:data:`USERNAME_MAX` is refused (422) before anything is counted or stored. Attempts from a
client holding a device cookie for the name (it signed in as that user before) are counted
per device; all other attempts on a name share one count (api.devices says why).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response

from api.accounts import USERNAME, User
from api.audit import AuditOutcome
from api.deps import (
    BEARER,
    CSRF_COOKIE,
    SESSION_COOKIE,
    Authenticated,
    ServicesDep,
    audit_request,
    csrf_token,
)
from api.devices import DEVICE_COOKIE, device_key, known_device, name_digest, remember
from api.ratelimit import LimiterUnavailable
from api.schemas.problems import SIGNED_IN, problems
from api.schemas.signin import Me, Session, SignedOut, Token
from api.security import command_reach, issue_token, session_minutes
from api.services import Services

router = APIRouter(prefix="/api", tags=["sign-in"])
log = logging.getLogger(__name__)
USERNAME_MAX = 128  # longer than any name `users add` takes (64); checked before anything
PASSWORD_MAX = 1024  # argon2 hashes whatever it is given: bound the work
RETRY_UNAVAILABLE_S = 5
#: A sign-in's refusals: a wrong password, too many attempts, its counter not answering.
SIGN_IN = problems(401, 422, 429, 503)

UserName = Annotated[str, Form(min_length=1, max_length=USERNAME_MAX)]
Password = Annotated[str, Form(min_length=1, max_length=PASSWORD_MAX)]


class PasswordForm:
    """OAuth2's password grant form, with the user name and password bounded."""

    def __init__(
        self,
        username: UserName,
        password: Password,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        scope: Annotated[str, Form(max_length=1000)] = "",
    ) -> None:
        self.username, self.password = username, password


class TooManyAttempts(HTTPException):
    def __init__(self, retry_after: float) -> None:
        seconds = max(1, round(retry_after))
        super().__init__(
            429,
            f"too many sign-in attempts; try again in {seconds} s",
            {"Retry-After": str(seconds)},
        )


async def _sign_in(
    request: Request, services: Services, username: str, password: str, action: str
) -> User:
    device = known_device(
        request.cookies.get(DEVICE_COOKIE), username, device_key(services.signing_key)
    )
    keys = services.spine.keys
    key = (
        keys.signin_attempts("device", device)
        if device
        else keys.signin_attempts("user", name_digest(username))
    )
    try:
        wait = await services.limiter.hit(key)
    except LimiterUnavailable as exc:
        log.warning("sign-in refused: %s", exc)
        await audit_request(
            request,
            services,
            action,
            AuditOutcome.FAILED,
            503,
            actor=username,
            detail={"reason": "the sign-in attempt counter (Redis) does not answer"},
        )
        raise HTTPException(
            503,
            "sign-in is unavailable for a moment: its attempt counter (Redis) does not "
            f"answer; try again in {RETRY_UNAVAILABLE_S} s",
            {"Retry-After": str(RETRY_UNAVAILABLE_S)},
        ) from None
    if wait is not None:
        await audit_request(
            request,
            services,
            action,
            AuditOutcome.DENIED,
            429,
            actor=username,
            detail={"reason": "rate limited", "device": "known" if device else "unknown"},
        )
        raise TooManyAttempts(wait)
    if not USERNAME.match(username):
        user = None  # not a name anyone could have: no need to ask the database
    else:
        user = await asyncio.to_thread(services.accounts.authenticate, username, password)
    if user is None:
        await audit_request(
            request,
            services,
            action,
            AuditOutcome.FAILED,
            401,
            actor=username,
            detail={"reason": "wrong user name or password, or account disabled"},
        )
        raise HTTPException(401, "wrong user name or password", BEARER)
    await services.limiter.refund(key)
    await audit_request(request, services, action, AuditOutcome.OK, 200, user.principal)
    return user


def _remember_device(
    request: Request, response: Response, services: Services, username: str
) -> None:
    """Give (or refresh) the client's device cookie for ``username``: from now on its
    attempts on that name are counted apart from everyone else's."""
    settings = services.settings
    value = remember(
        request.cookies.get(DEVICE_COOKIE),
        username,
        device_key(services.signing_key),
        settings.login_device_days,
    )
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=settings.login_device_days * 86_400,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/api",
    )


@router.post(
    "/token",
    name="signin.token",
    summary="Sign in (OAuth2 password flow)",
    response_model=Token,
    responses=SIGN_IN,
)
async def token(
    request: Request,
    response: Response,
    form: Annotated[PasswordForm, Depends()],
    services: ServicesDep,
) -> dict[str, Any]:
    """Form fields ``username`` (at most 128 characters) and ``password``; answers a bearer
    token for every other call (``Authorization: Bearer <token>``; the WebSocket may pass
    ``?token=``), and a device cookie a client may keep (see docs/api.md, sign-in limits)."""
    user = await _sign_in(request, services, form.username, form.password, "signin.token")
    _remember_device(request, response, services, user.username)
    access, seconds = issue_token(
        user.principal, services.signing_key, session_minutes(user.role, services.settings)
    )
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": seconds,
        "user": user.username,
        "role": user.role.value,
        "bcu": user.bcu,
    }


@router.post(
    "/session",
    name="signin.session",
    summary="Sign in a browser (session cookie)",
    response_model=Session,
    responses=SIGN_IN,
)
async def open_session(
    request: Request,
    response: Response,
    username: UserName,
    password: Password,
    services: ServicesDep,
) -> dict[str, Any]:
    """Sets an HTTP-only, SameSite=Strict session cookie and a readable CSRF cookie; a
    cookie-authenticated write must echo the CSRF token in ``X-CSRF-Token``."""
    user = await _sign_in(request, services, username, password, "signin.session")
    _remember_device(request, response, services, user.username)
    settings = services.settings
    minutes = session_minutes(user.role, settings)
    access, seconds = issue_token(user.principal, services.signing_key, minutes)
    csrf = csrf_token(access, services.signing_key)
    secure = settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE,
        access,
        max_age=seconds,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=seconds,
        httponly=False,
        secure=secure,
        samesite="strict",
        path="/",
    )
    return {
        "user": user.username,
        "role": user.role.value,
        "bcu": user.bcu,
        "csrf_token": csrf,
        "expires_in": seconds,
    }


@router.delete(
    "/session",
    name="signin.end",
    summary="Sign a browser out",
    response_model=SignedOut,
    responses=SIGNED_IN,
)
async def close_session(
    request: Request, response: Response, who: Authenticated, services: ServicesDep
) -> dict[str, str]:
    """Ends the session on every worker: its token is revoked (so a copy of the cookie is
    refused too, and a live socket on it closes), and the cookies are cleared."""
    if who.token_id is not None and who.expires is not None:
        await services.revoke(who.token_id, who.name, who.expires)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    await audit_request(request, services, "signout", AuditOutcome.OK, 200, who)
    return {"status": "signed out"}


@router.get(
    "/me", name="me", summary="Who the credential names", response_model=Me, responses=SIGNED_IN
)
async def me(who: Authenticated) -> dict[str, Any]:
    """Who the caller is, and which units their commands may move (``commands``: ``all``,
    ``own_bcu`` (units deployed to ``bcu``) or ``none``), as the server decides it."""
    return {
        "user": who.name,
        "role": who.role.value,
        "bcu": who.bcu,
        "via": who.via,
        "commands": command_reach(who.role),
    }
