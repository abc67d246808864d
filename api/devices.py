"""Device cookies: a browser (or API client) that has signed in as a user before is known.

OWASP's answer to online guessing that does not lock a user out because of someone else's
failures: after a successful sign-in the client gets a signed cookie naming a random device
id for that user (``expiry.device.signature``; the user name is inside the signature, not
in the cookie). Attempts from a client presenting a valid one for the name it signs in as
are limited per device; every other attempt on that name (any address, no cookie, a copied
or forged one, another user's) shares one limit for the name. A control room behind one
address therefore keeps signing in while a guesser is held to the limit.

One cookie holds up to :data:`MAX_USERS` users, most recent first, so a shared desk
remembers everyone who signs in there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

DEVICE_COOKIE = "bluelamp_device"
MAX_USERS = 8
_SEPARATOR = "~"


def device_key(signing_key: str) -> bytes:
    """A key for device cookies alone, derived from the token-signing secret."""
    return hmac.new(signing_key.encode(), b"bluelamp device cookie v1", hashlib.sha256).digest()


def _signature(key: bytes, username: str, expiry: str, device: str) -> str:
    message = f"{username.lower()}|{expiry}|{device}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def known_device(cookie: str | None, username: str, key: bytes) -> str | None:
    """The device id ``cookie`` holds for ``username`` if validly signed and not expired."""
    for entry in (cookie or "").split(_SEPARATOR)[:MAX_USERS]:
        parts = entry.split(".")
        if not _unexpired(entry):
            continue
        expiry, device, signature = parts
        if hmac.compare_digest(signature, _signature(key, username, expiry, device)):
            return device
    return None


def remember(cookie: str | None, username: str, key: bytes, days: int) -> str:
    """The cookie to set after ``username`` signed in: their entry (kept device id, new
    expiry) first, then the others it held that are still valid, at most MAX_USERS."""
    device = known_device(cookie, username, key) or secrets.token_urlsafe(16)
    expiry = str(int(time.time()) + days * 86_400)
    mine = f"{expiry}.{device}.{_signature(key, username, expiry, device)}"
    others = [e for e in (cookie or "").split(_SEPARATOR)[:MAX_USERS] if _unexpired(e)]
    others = [e for e in others if e.split(".")[1] != device]
    return _SEPARATOR.join([mine, *others][:MAX_USERS])


def _unexpired(entry: str) -> bool:
    parts = entry.split(".")
    return (
        len(parts) == 3
        and parts[0].isascii()
        and parts[0].isdigit()
        and len(parts[0]) < 12
        and int(parts[0]) > int(time.time())
    )


def name_digest(username: str) -> str:
    """A user name as a fixed-length key part (what was typed never becomes a key)."""
    return hashlib.sha256(username.lower().encode()).hexdigest()[:32]
