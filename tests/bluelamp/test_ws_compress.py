"""``BLUELAMP_WS_COMPRESS``: permessage-deflate on ``/ws``, which browsers and the websockets
client offer, is refused by default and when the setting is off (a control room of many
screens spares the server a zlib stream per socket) and agreed when it is on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.api.conftest import Api, serving
from tests.live import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture(params=["true", "false", None])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str | None, Api]]:
    env = {} if request.param is None else {"BLUELAMP_WS_COMPRESS": request.param}
    server = LiveServer(env, tmp_path)
    with serving(server, server.env["BLUELAMP_DATABASE_URL"]) as api:
        yield request.param, api


def test_the_live_feed_compresses_only_when_told_to(api: tuple[str | None, Api]) -> None:
    compress, served = api
    with connect(f"{served.server.ws_url}?token={served.token('chief')}") as ws:
        assert ws.request is not None and ws.response is not None
        assert "permessage-deflate" in ws.request.headers.get("Sec-WebSocket-Extensions", "")
        agreed = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        first = ws.recv(timeout=30)  # the feed works either way: its snapshot arrives
    assert ("permessage-deflate" in agreed) is (compress == "true")
    assert '"type"' in str(first)
