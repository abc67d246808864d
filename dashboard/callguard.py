"""A shape check in front of Dash's callback endpoint.

Dash answers any body it cannot dispatch (``{}``, ``[]``, not JSON, an output no callback
has) with a 500 and a traceback in the log. The endpoint needs no credential (the router it
serves hands out static page layouts), so anyone could fill the logs and fire 5xx alerts. A
request that is not a callback call this dashboard knows is answered 400 with the reason
before Dash sees it.
"""

from __future__ import annotations

import json
from typing import Any

from dash import Dash
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class CallbackGuard:
    """ASGI middleware: POST ``<prefix>_dash-update-component`` must name a known callback."""

    def __init__(self, app: ASGIApp, dash_app: Dash) -> None:
        self.app = app
        self.dash_app = dash_app
        self.path = f"{dash_app.config.routes_pathname_prefix}_dash-update-component"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        problem = _problem(body, set(self.dash_app.callback_map))
        if problem is not None:
            await _refuse(send, problem)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read(receive: Receive) -> bytes:
    # The server's body limit (api.guards.BodyLimit) sits outside this and bounds it.
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # the disconnect, when it comes

    return again


def _problem(body: bytes, outputs: set[str]) -> str | None:
    """Why ``body`` is not a call of one of ``outputs``' callbacks, or None if it is."""
    try:
        call: Any = json.loads(body)
    except (ValueError, RecursionError):
        return "a callback call must be a JSON object"
    if not isinstance(call, dict):
        return "a callback call must be a JSON object"
    output = call.get("output")
    if not isinstance(output, str) or output not in outputs:
        return "no such callback output"
    for key in ("inputs", "changedPropIds"):
        if not isinstance(call.get(key), list):
            return f"a callback call needs a list of {key}"
    if not all(isinstance(i, dict) and "id" in i and "property" in i for i in call["inputs"]):
        return "each input needs an id and a property"
    if not isinstance(call.get("outputs"), dict | list):
        return "a callback call needs its outputs"
    return None


async def _refuse(send: Send, reason: str) -> None:
    body = json.dumps({"detail": reason}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
