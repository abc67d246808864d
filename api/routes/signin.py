"""Sign-in: OAuth2 password flow for API clients, a session cookie for the dashboard.

Both are rate-limited per client address and user name, and every attempt is audited.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.accounts import USERNAME, User
from api.audit import AuditOutcome
from api.deps import (
    BEARER,
    CSRF_COOKIE,
    SESSION_COOKIE,
    Authenticated,
    ServicesDep,
    audit_request,
    client_address,
    csrf_token,
)
from api.security import issue_token
from api.services import Services

router = APIRouter(prefix="/api", tags=["sign-in"])


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
    client = client_address(request) or "unknown"
    key = services.spine.keys.signin_attempts(client, username.lower())
    if (wait := await services.limiter.hit(key)) is not None:
        await audit_request(
            request,
            services,
            action,
            AuditOutcome.DENIED,
            429,
            actor=username,
            detail={"reason": "rate limited"},
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
    await audit_request(request, services, action, AuditOutcome.OK, 200, user.principal)
    return user


@router.post("/token", name="signin.token", summary="Sign in (OAuth2 password flow)")
async def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    services: ServicesDep,
) -> dict[str, Any]:
    """Form fields ``username`` and ``password``; answers a bearer token for every other
    call (``Authorization: Bearer <token>``; the WebSocket may pass ``?token=``)."""
    user = await _sign_in(request, services, form.username, form.password, "signin.token")
    access, seconds = issue_token(
        user.principal, services.signing_key, services.settings.token_minutes
    )
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": seconds,
        "user": user.username,
        "role": user.role.value,
        "bcu": user.bcu,
    }


@router.post("/session", name="signin.session", summary="Sign in a browser (session cookie)")
async def open_session(
    request: Request,
    response: Response,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    services: ServicesDep,
) -> dict[str, Any]:
    """Sets an HTTP-only, SameSite=Strict session cookie and a readable CSRF cookie; a
    cookie-authenticated write must echo the CSRF token in ``X-CSRF-Token``."""
    user = await _sign_in(request, services, username, password, "signin.session")
    settings = services.settings
    access, seconds = issue_token(user.principal, services.signing_key, settings.token_minutes)
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


@router.delete("/session", name="signin.end", summary="Sign a browser out")
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


@router.get("/me", name="me", summary="Who the credential names")
async def me(who: Authenticated) -> dict[str, Any]:
    return {"user": who.name, "role": who.role.value, "bcu": who.bcu, "via": who.via}
