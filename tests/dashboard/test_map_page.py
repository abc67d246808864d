"""The map of London in real headless Chromium, with no tile server and with one.

Shapes are drawn on a canvas (preferCanvas), so there are no SVG paths to count: the test
asks Leaflet itself, through the map registry in assets/js/maps.js (the test's
window.probe), which features are on the map with a visible projected outline on the
canvas renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from geodata.bcu import BCUS, CITY_OF_LONDON
from geodata.places import places
from tests.dashboard.conftest import LiveServer, add_users, screenshot, sign_in
from tests.dashboard.feed import push
from tests.stream.factories import (
    POINTS,
    incident_assigned,
    incident_closed,
    incident_created,
    unit_location,
    unit_on_duty,
)

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
  const map = window.probe.maps["map"];
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
        "() => { const m = window.probe && window.probe.maps['map'];"
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
    check_place_names(page)
    assert page.errors == []  # type: ignore[attr-defined]


SHOWN_PLACES = """() => Array.from(document.querySelectorAll('#map .bl-place-label'))
  .filter((e) => getComputedStyle(e).display !== 'none')
  .map((e) => [e.textContent, Number(e.className.match(/bl-place-(\\d)/)[1])])"""


def check_place_names(page: Page) -> None:
    """All London in view names its large places only; close in, the small ones appear."""
    assert len(page.locator("#map .bl-place-label").all()) == len(places())
    shown = page.evaluate(SHOWN_PLACES)
    assert "Croydon" in {name for name, _ in shown}
    assert {rank for _, rank in shown} == {1}
    small = next(p for p in places() if p.rank == 3)
    page.evaluate(
        f"() => {{ window.probe.maps['map'].setView([{small.lat}, {small.lon}], 13,"
        " {animate: false}); }"
    )
    page.wait_for_function(f"() => ({SHOWN_PLACES})().some((p) => p[0] === {small.name!r})")
    assert "GeoNames" in page.locator(".leaflet-control-attribution").inner_text()


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
    assert page.locator(".bl-place-label").count() == 0  # the tiles name places
    assert page.errors == []  # type: ignore[attr-defined]


def test_deep_link_first_after_start_gets_the_whole_app(live_server: str, page: Page) -> None:
    """A wall screen reloading a page after a restart: the first request is not for /."""
    sign_in(page, live_server, "commander")
    page.goto(f"{live_server}/no-such-page")
    page.get_by_text("No such page").wait_for()
    assert page.evaluate("() => typeof window.bluelamp.map.boroughStyle") == "function"
    page.get_by_role("link", name="Back to the map of London").click()
    page.wait_for_function("() => window.probe.maps['map'] !== undefined")
    assert page.errors == []  # type: ignore[attr-defined]


# -- the inspector's map --------------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the inspector map tests, with an incident and a unit in AW."""
    server = LiveServer({}, tmp_path_factory.mktemp("desk"))
    add_users(server)
    server.start()
    yield server
    server.stop()


# Is the map framed on the BCU: all of it in view, and not much else (fitBounds fits one
# side tightly; London around it would be several times wider).
FRAMED = """(code) => {
  const map = window.probe.maps['inspector-map'];
  if (!map) { return false; }
  let outline = null;
  map.eachLayer((l) => {
    if (l.feature && l.feature.properties.code === code && l.getBounds) { outline = l; }
  });
  if (!outline) { return false; }
  const view = map.getBounds(), bcu = outline.getBounds();
  const wide = (view.getEast() - view.getWest()) / (bcu.getEast() - bcu.getWest());
  const tall = (view.getNorth() - view.getSouth()) / (bcu.getNorth() - bcu.getSouth());
  return view.contains(bcu) && Math.min(wide, tall) < 1.5;
}"""


def _inspector(page: Page, url: str) -> None:
    sign_in(page, url, "inspector", then="/inspector")
    page.wait_for_function("() => window.probe.layers && window.probe.layers('inspector-map')")


def test_the_inspector_map_opens_on_the_bcu_after_a_reload_and_follows_a_change(
    desk: LiveServer, page: Page
) -> None:
    _inspector(page, desk.url)
    page.wait_for_function(FRAMED, arg="AW", timeout=30_000)
    assert not page.evaluate(FRAMED, "SN")
    page.reload()
    page.wait_for_function("() => window.probe.layers && window.probe.layers('inspector-map')")
    page.wait_for_function(FRAMED, arg="AW", timeout=30_000)
    page.click("#inspector-bcu")
    page.get_by_role("option", name="SN").click()
    page.wait_for_function(FRAMED, arg="SN", timeout=30_000)
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_bcu_picked_while_the_map_still_moves_is_the_one_framed(
    desk: LiveServer, page: Page
) -> None:
    """Two picks in quick succession: Leaflet ignores a zoom asked for during another zoom's
    animation, which once left the map on the first pick (and failed the test above under
    load, when the dropdown was used within the animation)."""
    _inspector(page, desk.url)
    page.wait_for_function(FRAMED, arg="AW", timeout=30_000)
    page.evaluate(
        """() => { for (const code of ['NE', 'SN']) {
          document.dispatchEvent(new CustomEvent('bluelamp:bcu', {detail: code})); } }"""
    )
    page.wait_for_function(FRAMED, arg="SN", timeout=30_000)
    assert page.url.endswith("bcu=SN")
    assert page.errors == []  # type: ignore[attr-defined]


RING = """() => {
  const layers = window.probe.layers('inspector-map');
  const ring = layers.ring;
  if (!ring) { return null; }
  const marker = layers.incidentMarkers.get(ring.bluelamp.id);
  return {id: ring.bluelamp.id, at: [ring.getLatLng().lat, ring.getLatLng().lng],
          marker: [marker.getLatLng().lat, marker.getLatLng().lng],
          ring: ring.options.radius, radius: marker.options.radius, fill: ring.options.fill};
}"""


def test_the_selected_incident_is_ringed_on_the_map(desk: LiveServer, page: Page) -> None:
    lat, lon = POINTS["AW"]
    push(desk.url, incident_created("RING-1", grade="S", lat=lat, lon=lon - 0.004))
    _inspector(page, desk.url)
    row = page.locator("#queue .ag-row[row-id='RING-1']")
    row.first.click()
    page.wait_for_function(
        "() => { const r = window.probe.layers('inspector-map').ring;"
        " return r && r.bluelamp.id === 'RING-1'; }"
    )
    ring = page.evaluate(RING)
    assert ring["at"] == ring["marker"] == [lat, lon - 0.004]
    assert ring["ring"] > ring["radius"] and ring["fill"] is False  # around it, not over it
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.probe.layers('inspector-map').ring === null")
    assert page.errors == []  # type: ignore[attr-defined]


LINK = """(unit) => {
  const line = window.probe.layers('inspector-map').links.get(unit);
  return line ? {incident: line.bluelamp.incident,
                 ends: line.getLatLngs().map((p) => [p.lat, p.lng])} : null;
}"""


def test_a_line_joins_each_assigned_unit_to_its_incident_and_follows_it(
    desk: LiveServer, page: Page
) -> None:
    lat, lon = POINTS["AW"]
    push(
        desk.url,
        incident_created("LINK-1", grade="I", lat=lat, lon=lon + 0.004),
        unit_on_duty("LINK-U", lat=lat + 0.01, lon=lon, callsign="AW99"),
        incident_assigned("LINK-1", "LINK-U"),
    )
    _inspector(page, desk.url)
    page.wait_for_function(f"() => ({LINK})('LINK-U') !== null")
    assert page.evaluate(LINK, "LINK-U") == {
        "incident": "LINK-1",
        "ends": [[lat + 0.01, lon], [lat, lon + 0.004]],
    }
    push(desk.url, unit_location("LINK-U", lat=lat + 0.005, lon=lon + 0.002))
    page.wait_for_function(
        f"() => {{ const l = ({LINK})('LINK-U'); return l && l.ends[0][0] === {lat + 0.005}; }}"
    )
    assert page.evaluate(LINK, "LINK-U")["ends"] == [[lat + 0.005, lon + 0.002], [lat, lon + 0.004]]
    screenshot(page, "inspector-lines")
    push(desk.url, incident_closed("LINK-1"))
    page.wait_for_function(f"() => ({LINK})('LINK-U') === null")
    assert page.errors == []  # type: ignore[attr-defined]
