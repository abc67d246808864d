"""Security headers on every HTTP answer (pages, API, docs): a Content-Security-Policy,
no framing, no MIME sniffing, no referrer; ``Cache-Control: no-store`` on the API's, and
``no-cache`` on the dashboard's browser modules.

The policy allows scripts from our own origin and, inline, only those whose SHA-256 hash
was registered at start-up (Dash's renderer and clientside callbacks, registered by the
composition root; Swagger UI's configuration): no ``'unsafe-inline'`` and no
``'unsafe-eval'`` for scripts. Styles need ``'unsafe-inline'``: AG Grid's themes and
Leaflet write ``<style>`` elements and ``style`` attributes at run time (measured in
Chromium: tests/dashboard/test_browser_security.py), which a hash cannot cover.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Answers that hold operational data or credentials: no shared or browser cache keeps them
# (pages and their assets may be cached; they hold none).
NO_STORE_PREFIXES = ("/api/", "/openapi.json", "/docs", "/metrics")
# The dashboard's ES modules import each other by plain URL (no version in it, unlike the
# assets Dash links): a browser must ask again each time, or it could run an old module
# beside a new one after an upgrade.
REVALIDATE_PREFIXES = ("/assets/js/",)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)


class ContentSecurityPolicy:
    """The policy's text, with inline-script hashes added as the app is put together."""

    def __init__(self, image_sources: Iterable[str] = ()) -> None:
        self._scripts: list[str] = []
        self._images = list(image_sources)
        self._text: str | None = None

    def allow_images(self, sources: Iterable[str]) -> None:
        """Allow images from these sources too (the map's tile server)."""
        self._images += [source for source in sources if source not in self._images]
        self._text = None

    def allow_scripts(self, hashes: Iterable[str]) -> None:
        """Allow inline scripts by hash (``'sha256-...'``, quoted or not)."""
        for value in hashes:
            quoted = value if value.startswith("'") else f"'{value}'"
            if quoted not in self._scripts:
                self._scripts.append(quoted)
        self._text = None

    def allow_inline_scripts_of(self, html: str | bytes) -> None:
        """Allow the inline scripts of a page of our own, fixed at start-up."""
        text = html.decode() if isinstance(html, bytes) else html
        self.allow_scripts(
            script_hash(body)
            for attributes, body in _INLINE_SCRIPT.findall(text)
            if "json" not in attributes.lower()  # data blocks are not run
        )

    @property
    def text(self) -> str:
        if self._text is None:
            directives = {
                "default-src": ["'self'"],
                "script-src": ["'self'", *self._scripts],
                "style-src": ["'self'", "'unsafe-inline'"],
                "img-src": ["'self'", "data:", "blob:", *self._images],
                "font-src": ["'self'", "data:"],
                "connect-src": ["'self'"],  # fetch and the same-origin WebSocket
                "worker-src": ["'self'", "blob:"],
                "object-src": ["'none'"],
                "base-uri": ["'none'"],
                "form-action": ["'self'"],
                "frame-ancestors": ["'none'"],
            }
            self._text = "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())
        return self._text


def script_hash(body: str) -> str:
    digest = hashlib.sha256(body.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def tile_source(tile_url: str | None) -> list[str]:
    """The map tiles' origin as a CSP source (``{s}`` subdomains become ``*``)."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url)
    host = re.sub(r"\{[a-z]\}", "*", parts.netloc)
    return [f"{parts.scheme}://{host}"] if parts.scheme in ("http", "https") and host else []


class SecurityHeaders:
    """ASGI middleware: the headers on every HTTP answer (a route's own value is kept,
    except the policy, which is always this one)."""

    def __init__(self, app: ASGIApp, policy: ContentSecurityPolicy) -> None:
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = str(scope.get("path", ""))
        no_store = path.startswith(NO_STORE_PREFIXES)
        revalidate = path.startswith(REVALIDATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.policy.text
                for name, value in FIXED_HEADERS.items():
                    headers.setdefault(name, value)
                if no_store:
                    headers["Cache-Control"] = "no-store"
                elif revalidate:
                    headers["Cache-Control"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> ContentSecurityPolicy:
    """Add the middleware; the policy is also ``app.state.csp`` for the composition root
    to register the inline scripts and image sources of what it mounts."""
    policy = ContentSecurityPolicy()
    app.add_middleware(SecurityHeaders, policy=policy)
    app.state.csp = policy
    return policy
