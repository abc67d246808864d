"""Guards against hostile requests that no single route should have to think about.

- ``BodyLimit``: a NUL character in the URL (``%00``) is answered 400: no id, name or
  filter holds one, and PostgreSQL cannot even compare a text with one. A request body
  larger than ``max_body_bytes`` is answered 413 with the limit. A declared
  ``Content-Length`` over it is refused before one byte of the body is read; a body without
  one (chunked) is counted as it arrives and refused the moment it passes the limit, so no
  request is ever held in memory whole beyond it.
- Exception handlers that turn input Python cannot decode into a 4xx with the reason instead
  of a 500: JSON nested deeper than the interpreter's recursion limit (``RecursionError``)
  and text that is not valid Unicode (a lone surrogate such as ``"\\ud800"`` in a JSON
  string, invalid UTF-8 bytes).

``install(app, settings)`` wires all of it; ``create_app`` calls it once.
"""

from __future__ import annotations

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import ApiSettings

NUL_IN_URL = "the URL holds a NUL character (%00); no id, name or filter may contain one"


class BodyTooLarge(BaseException):
    """Raised from ``receive`` once a streaming body passes the limit. Not an Exception, so
    no ``except Exception`` on the way (FastAPI's body parser, Dash's dispatcher) swallows
    it and reads on; ``BodyLimit`` answers 413 when it arrives."""


def too_large(limit: int) -> str:
    return (
        f"the request body is larger than the {_size(limit)} this server accepts; "
        "send less at a time (for events, several smaller batches)"
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    return f"{n} bytes"


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body, else 413 with the reason."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _nul_in_url(scope):
            await _answer(send, 400, NUL_IN_URL)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _answer(send, 413, too_large(self.limit))  # the body is never read
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except* BodyTooLarge:
            if not started:  # else the answer is cut short, and the client sees that
                await _answer(send, 413, too_large(self.limit))


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not (value.isascii() and value.isdigit()):
        return None  # the HTTP server refuses a malformed length before we are called
    return int(value) if len(value) <= 18 else 10**18  # int() takes at most 4,300 digits


def _nul_in_url(scope: Scope) -> bool:
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    return b"%00" in raw_path or b"\0" in raw_path or b"%00" in scope.get("query_string", b"")


async def _answer(send: Send, status: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _too_deep(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {
            "detail": "the request is nested too deeply to read (JSON arrays or objects "
            "hundreds of levels deep); flatten it"
        },
        status_code=422,
    )


async def _not_unicode(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {
            "detail": f"the request holds text that is not valid Unicode ({_where(exc)}); "
            "send UTF-8 with no lone surrogates such as \\ud800"
        },
        status_code=422,
    )


def _where(exc: Exception) -> str:
    if isinstance(exc, UnicodeError) and hasattr(exc, "reason"):
        return str(exc.reason)
    return type(exc).__name__


def install(app: FastAPI, settings: ApiSettings) -> None:
    """The body limit around everything, and the decode-error handlers.

    Outermost, even outside middleware added after this call: Dash's (added when the
    dashboard mounts itself) reads a callback's whole body before any route runs.
    """
    build = app.build_middleware_stack

    def build_guarded() -> ASGIApp:
        return BodyLimit(build(), settings.max_body_bytes)

    app.build_middleware_stack = build_guarded  # type: ignore[method-assign]
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(UnicodeError, _not_unicode)
