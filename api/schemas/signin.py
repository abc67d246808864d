"""Sign-in's answers: a bearer token, a browser session, signing out, and who one is.

These routes return plain dicts, so FastAPI validates and encodes them with these models:
each lists exactly the keys the route builds, in the same order."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.closed import Closed


class Token(Closed):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="seconds")
    user: str
    role: str
    bcu: str | None


class Session(Closed):
    user: str
    role: str
    bcu: str | None
    csrf_token: str = Field(description="send it as X-CSRF-Token with every write")
    expires_in: int


class SignedOut(Closed):
    status: Literal["signed out"]


class Me(Closed):
    user: str
    role: str
    bcu: str | None
    via: str = Field(description="token, cookie or oidc: how the credential came")
    commands: Literal["all", "own_bcu", "none"]
