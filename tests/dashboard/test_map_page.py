"""The map of London in real headless Chromium, with no tile server and with one."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, Route

from tests.dashboard.conftest import LiveServer, screenshot

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2"
    "2a4b1a0000000049454e44ae426082"
)


def _open_map(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "document.querySelectorAll('path.bl-borough').length >= 33", timeout=30_000
    )


def test_map_shows_33_boroughs_and_12_bcus_without_tiles(
    start_server: Callable[..., LiveServer], page: Page
) -> None:
    server = start_server()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _open_map(page, server.url)

    assert page.locator("path.bl-borough").count() == 33
    assert page.locator("path.bl-not-met").count() == 1  # the City of London
    assert page.locator("path.bl-bcu").count() == 12
    labels = page.locator(".bl-bcu-label span").all_inner_texts()
    assert sorted(labels) == sorted(
        ["AW", "CN", "CE", "AS", "EA", "NA", "NE", "NW", "SN", "SE", "SW", "WA"]
    )
    assert page.locator("img.leaflet-tile").count() == 0
    assert all(r.startswith(server.url) for r in requested), "something left the server"
    assert "Open Government Licence" in page.locator(".leaflet-control-attribution").inner_text()
    page.wait_for_function("document.getElementById('clock').textContent.length > 0")
    assert re.search(r"\d{2}:\d{2}:\d{2}", page.locator("#clock").inner_text())
    screenshot(page, "map")
    assert page.errors == []  # type: ignore[attr-defined]


def test_configured_tile_url_adds_a_street_layer(
    start_server: Callable[..., LiveServer], page: Page
) -> None:
    tiles: list[str] = []

    def serve_tile(route: Route) -> None:
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG_1PX)

    page.route("http://tiles.bluelamp.test/**", serve_tile)
    server = start_server(
        BLUELAMP_TILE_URL="http://tiles.bluelamp.test/{z}/{x}/{y}.png",
        BLUELAMP_TILE_ATTRIBUTION="Test tiles",
    )
    _open_map(page, server.url)
    page.wait_for_function("document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    assert tiles and all(re.search(r"/1[01]/\d+/\d+\.png$", url) for url in tiles)
    assert "Test tiles" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator("path.bl-borough").count() == 33
