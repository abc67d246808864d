"""Dash's callback endpoint answers a body it cannot dispatch with 400 and the reason (it
answered 500 with a traceback to anyone, no credential needed), and still serves real calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dashboard import ids
from tests.live import LiveServer

ENDPOINT = "/_dash-update-component"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer({}, tmp_path_factory.mktemp("callguard")).start()
    yield live
    live.stop()


def _router_call(pathname: Any) -> dict[str, Any]:
    return {
        "output": f"..{ids.PAGE}.children...{ids.PAGE_TITLE}.children..",
        "outputs": [
            {"id": ids.PAGE, "property": "children"},
            {"id": ids.PAGE_TITLE, "property": "children"},
        ],
        "inputs": [{"id": ids.URL, "property": "pathname", "value": pathname}],
        "changedPropIds": [f"{ids.URL}.pathname"],
    }


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[]",
        b"null",
        b"not json",
        b'{"output": []}',
        b'{"output": {"a": 1}}',
        b'{"output": "nope.children"}',
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_a_body_dash_cannot_dispatch_is_a_400_with_the_reason(
    server: LiveServer, body: bytes
) -> None:
    answer = httpx.post(
        server.url + ENDPOINT, content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"]


def test_a_known_callback_missing_its_inputs_is_a_400(server: LiveServer) -> None:
    call = _router_call("/wall")
    del call["inputs"]
    answer = httpx.post(server.url + ENDPOINT, json=call)
    assert answer.status_code == 400 and "inputs" in answer.json()["detail"]


@pytest.mark.parametrize("pathname", ["/wall", "/nowhere", 5, None])
def test_the_router_still_answers_real_calls(server: LiveServer, pathname: Any) -> None:
    answer = httpx.post(server.url + ENDPOINT, json=_router_call(pathname))
    assert answer.status_code == 200, answer.text
    title = answer.json()["response"][ids.PAGE_TITLE]["children"]
    assert title == ("Not found" if pathname == "/nowhere" else "Wall")  # no path: the wall
