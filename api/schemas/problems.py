"""The error bodies the API answers, and the ``responses=`` entries routes declare them by.

Every refusal is an HTTPException (or one of api.app's handlers): ``{"detail": sentence}``.
A 422 from request validation also lists the ``errors`` (api.app's handler).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.schemas.closed import Closed

_MEANS = {
    401: "no credential, or one that is expired, revoked or disabled",
    403: "the role (or an inspector's BCU) may not do this; the reason is in detail",
    404: "no such thing",
    409: "refused by the state of the picture (e.g. the unit was sent elsewhere)",
    410: "no longer kept",
    413: "too large",
    422: "the request is not valid; the reason is in detail",
    429: "too many attempts; see Retry-After",
    503: "a moment's outage (shutting down, or a dependency not answering); try again",
}


class Problem(Closed):
    """A refusal: what is wrong, in a sentence a person can act on."""

    detail: str = Field(description="what is wrong, in a sentence")


class FieldError(Closed):
    """One thing wrong with the request, as request validation found it."""

    loc: list[str | int]
    msg: str
    type: str


class Invalid(Problem):
    """A 422: the sentence, and (when request validation refused it) each error."""

    errors: list[FieldError] | None = Field(
        None, description="present when the request did not validate"
    )


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these error statuses, each answered as a
    :class:`Problem` (a 422 as :class:`Invalid`, which may list the errors too)."""
    return {
        status: {"description": _MEANS[status], "model": Invalid if status == 422 else Problem}
        for status in statuses
    }


#: What every route behind a credential may answer besides its own refusals (503: the
#: server is starting).
SIGNED_IN = problems(401, 403, 503)
