"""Events into a live test server through the feed account, as a CAD/AVL system sends them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.conftest import PASSWORD


def push(url: str, *events: dict[str, Any]) -> None:
    """POST the events to /api/events; every one must be accepted."""
    token = httpx.post(f"{url}/api/token", data={"username": "feed", "password": PASSWORD})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    answer = httpx.post(f"{url}/api/events", json=list(events), headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
