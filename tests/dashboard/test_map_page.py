"""The map of London in real headless Chromium, with no tile server and with one.

Shapes are drawn on a canvas (preferCanvas), so there are no SVG paths to count: the test
asks Leaflet itself, through the map registry in assets/bluelamp.js, which features are on
the map with a visible projected outline on the canvas renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, Route

from geodata.bcu import BCUS, CITY_OF_LONDON
from tests.dashboard.conftest import LiveServer, screenshot, sign_in

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2"
    "2a4b1a0000000049454e44ae426082"
)
BOROUGHS = {CITY_OF_LONDON, *(borough for bcu in BCUS for borough in bcu.boroughs)}
BCU_CODES = {bcu.code for bcu in BCUS}

# Every vector feature on the map drawn on a canvas with at least one ring on screen
# (_parts is what Leaflet's renderer paints, after projection and clipping to the view).
DRAWN_FEATURES = """() => {
  const map = window.bluelamp.maps["map"];
  const drawn = [];
  map.eachLayer((layer) => {
    if (!layer.feature || !layer._parts) { return; }
    drawn.push({
      properties: layer.feature.properties,
      canvas: layer._renderer instanceof L.Canvas,
      rings: layer._parts.length,
      style: {color: layer.options.color, fillColor: layer.options.fillColor,
              dashArray: layer.options.dashArray, weight: layer.options.weight},
    });
  });
  return drawn;
}"""


def open_map(page: Page, url: str) -> list[dict[str, Any]]:
    """Sign in, open the wall and wait until Leaflet has drawn the boroughs; the features."""
    sign_in(page, url, "commander", then="/")
    # Leaflet adds a GeoJSON layer's features in one synchronous call, so once one borough
    # and one BCU are drawn, all that will ever be drawn are: the counts below are final.
    page.wait_for_function(
        "() => { const m = window.bluelamp && window.bluelamp.maps['map'];"
        " if (!m) return false; const seen = {borough: false, bcu: false};"
        " m.eachLayer((l) => { if (!l.feature || !l._parts) return;"
        "   if ('gss_code' in l.feature.properties) seen.borough = true;"
        "   if ('code' in l.feature.properties) seen.bcu = true; });"
        " return seen.borough && seen.bcu; }",
        timeout=30_000,
    )
    drawn: list[dict[str, Any]] = page.evaluate(DRAWN_FEATURES)
    return drawn


def test_map_shows_33_boroughs_and_12_bcus_without_tiles(live_server: str, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    drawn = open_map(page, live_server)

    boroughs = [f for f in drawn if "gss_code" in f["properties"]]
    bcus = [f for f in drawn if "code" in f["properties"]]
    assert sorted(f["properties"]["name"] for f in boroughs) == sorted(BOROUGHS)
    assert sorted(f["properties"]["code"] for f in bcus) == sorted(BCU_CODES)
    assert all(f["canvas"] and f["rings"] > 0 for f in drawn)
    # The City of London is shown but set apart: not Met, drawn differently from the rest.
    city = [f for f in boroughs if not f["properties"]["met"]]
    assert [f["properties"]["name"] for f in city] == [CITY_OF_LONDON]
    met_styles = {f["style"]["fillColor"] for f in boroughs if f["properties"]["met"]}
    assert city[0]["style"]["fillColor"] not in met_styles and city[0]["style"]["dashArray"]
    # BCU outlines are heavier than borough edges.
    assert min(f["style"]["weight"] for f in bcus) > max(f["style"]["weight"] for f in boroughs)

    labels = page.locator(".bl-bcu-label span").all_inner_texts()
    assert sorted(labels) == sorted(BCU_CODES)
    assert page.locator("img.leaflet-tile").count() == 0
    assert all(r.startswith(live_server) for r in requested), "something left the server"
    assert "Open Government Licence" in page.locator(".leaflet-control-attribution").inner_text()
    page.wait_for_function("() => document.getElementById('clock').textContent.length > 0")
    assert re.search(r"\b\d{2}:\d{2}:\d{2}\b", page.locator("#clock").inner_text())
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
    drawn = open_map(page, server.url)
    page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    assert tiles and all(re.search(r"/\d+/\d+/\d+\.png$", url) for url in tiles)
    assert "Test tiles" in page.locator(".leaflet-control-attribution").inner_text()
    assert len([f for f in drawn if "gss_code" in f["properties"]]) == 33
    assert page.errors == []  # type: ignore[attr-defined]


def test_deep_link_first_after_start_gets_the_whole_app(live_server: str, page: Page) -> None:
    """A wall screen reloading a page after a restart: the first request is not for /."""
    sign_in(page, live_server, "commander")
    page.goto(f"{live_server}/no-such-page")
    page.get_by_text("No such page").wait_for()
    assert page.evaluate("() => typeof window.bluelamp.map.boroughStyle") == "function"
    page.get_by_role("link", name="Back to the map of London").click()
    page.wait_for_function("() => window.bluelamp.maps['map'] !== undefined")
    assert page.errors == []  # type: ignore[attr-defined]
