"""A map people can read: colours told apart with common colour-vision deficiencies, a legend
that says what they mean, and markers, labels and controls that grow with a 4K wall.

The colours are read from the shipped browser code (dashboard/assets/js/palette.js and
layers.js), never from a copy: the pure tests parse them, the browser tests check that
the legend and the markers Leaflet draws use exactly those.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from benchmarks.probe import probed
from stream.events import UnitStatus
from tests.dashboard.colour_vision import MACHADO, ciede2000, contrast, distance, simulate
from tests.dashboard.conftest import LiveServer, recording_errors, screenshot, sign_in
from tests.dashboard.feed import push
from tests.stream.factories import (
    POINTS,
    incident_arrived,
    incident_assigned,
    incident_created,
    unit_on_duty,
    unit_status,
)

ASSETS = Path(__file__).resolve().parents[2] / "dashboard" / "assets"
DEFICIENCIES = ["normal", *MACHADO]
# What the map shows and the legend explains: off duty units are not on the map.
SHOWN_STATUSES = [
    "available",
    "en_route",
    "on_scene",
    "busy",
    "at_station",
    "refreshment",
    "custody",
]
# CIEDE2000: about 2 is a just-noticeable difference side by side; these ask for far more.
GRADES_APART = 15.0
STATUSES_APART = 9.0
S_FROM_BUSY = 10.0
LIVE_GRADE_FROM_UNIT = 5.0  # shapes differ too (circle, square): colour is not the only cue
# WCAG 2.1: 1.4.11 (graphical objects) 3:1, 1.4.3 (text) 4.5:1.
MARKER_CONTRAST = 3.0
TEXT_CONTRAST = 4.5
CROWD = 60  # units beyond the fleet: more than a London-wide view has room to label


def _block(source: str, name: str) -> str:
    match = re.search(rf"export const {name} = (\{{.*?\n\}});", source, re.S)
    assert match, f"{name} not found in palette.js"
    return match.group(1)


def shipped_palette() -> dict[str, dict[str, str]]:
    """The grade, unit status and area colours as palette.js ships them."""
    source = (ASSETS / "js" / "palette.js").read_text()
    grades = dict(
        re.findall(r'(\w): \{[^}]*fillColor: "(#[0-9a-fA-F]{6})"', _block(source, "GRADE_STYLE"))
    )
    units = dict(re.findall(r'(\w+): "(#[0-9a-fA-F]{6})"', _block(source, "UNIT_COLOUR")))
    areas = {
        name: re.search(rf'export const {name}_COLOUR = "(#[0-9a-fA-F]{{6}})"', source).group(1)  # type: ignore[union-attr]
        for name in ("HEAT", "CITY")
    }
    return {"grade": grades, "unit": units, "area": areas}


def map_backgrounds() -> list[str]:
    """The fills markers sit on: a Met borough, the picked BCU's boroughs, the map itself."""
    source = (ASSETS / "js" / "layers.js").read_text()
    fills = re.search(r'fillColor: picked \? "(#[0-9a-f]{6})" : "(#[0-9a-f]{6})"', source)
    assert fills
    css = (ASSETS / "bluelamp.css").read_text()
    container = re.search(r"\.bl-map\.leaflet-container \{ background: (#[0-9a-f]{6})", css)
    assert container
    return [fills.group(1), fills.group(2), container.group(1)]


# -- the colour science itself -------------------------------------------------------------


def test_ciede2000_matches_sharmas_published_test_data() -> None:
    # Sharma, Wu and Dalal (2005), table 1, pairs 1 and 17.
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def test_simulated_deficiencies_keep_greys_and_merge_the_classic_confusions() -> None:
    for deficiency in MACHADO:
        assert simulate((0.5, 0.5, 0.5), deficiency) == pytest.approx((0.5, 0.5, 0.5), abs=1e-3)
    # Red and green, far apart to most eyes, come close for protanopes and deuteranopes.
    red, green = "#d62728", "#2ca02c"
    assert distance(red, green) > 3 * distance(red, green, "deuteranopia")
    assert distance(red, green) > 2 * distance(red, green, "protanopia")
    # The S grade and busy unit colours before this palette: under the bar with deuteranopia.
    assert distance("#ff9f0a", "#ffd60a", "deuteranopia") < S_FROM_BUSY


# -- the shipped palette -------------------------------------------------------------------


def test_every_status_a_unit_can_have_has_its_own_colour() -> None:
    palette = shipped_palette()
    assert set(palette["grade"]) == {"I", "S", "E", "R"}
    assert set(SHOWN_STATUSES) | {"off_duty"} == set(palette["unit"])


def pairs_apart(colours: dict[str, str]) -> Iterator[tuple[str, str, str, float]]:
    for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
        for deficiency in DEFICIENCIES:
            yield a, b, deficiency, distance(ca, cb, deficiency)


def test_legend_colours_are_told_apart_with_each_deficiency() -> None:
    palette = shipped_palette()
    units = {s: palette["unit"][s] for s in SHOWN_STATUSES}
    close = [p for p in pairs_apart(palette["grade"]) if p[3] < GRADES_APART]
    close += [p for p in pairs_apart(units) if p[3] < STATUSES_APART]
    close += [p for p in pairs_apart(palette["area"]) if p[3] < GRADES_APART]
    for grade in ("I", "S"):  # the live grades, against every unit square
        for status, colour in units.items():
            for deficiency in DEFICIENCIES:
                apart = distance(palette["grade"][grade], colour, deficiency)
                if apart < LIVE_GRADE_FROM_UNIT:
                    close.append((grade, status, deficiency, apart))
    assert close == []
    for deficiency in DEFICIENCIES:
        assert distance(palette["grade"]["S"], units["busy"], deficiency) >= S_FROM_BUSY


def test_markers_stand_out_against_the_map() -> None:
    palette = shipped_palette()
    colours = {**palette["grade"], **{s: palette["unit"][s] for s in SHOWN_STATUSES}}
    weak = [
        (name, background, round(contrast(colour, background), 2))
        for name, colour in colours.items()
        for background in map_backgrounds()
        if contrast(colour, background) < MARKER_CONTRAST
    ]
    assert weak == []


# -- in the browser ------------------------------------------------------------------------


def _rgb(css: str) -> str:
    """'rgb(r, g, b)' or 'rgba(r, g, b, a)' as '#rrggbb' (alpha ignored)."""
    r, g, b = (int(float(x)) for x in re.findall(r"[\d.]+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


# Each entry as (group, key) by what the legend says: its section and its words.
LEGEND = """(id) => Array.from(document.querySelectorAll('#' + id + ' .bl-legend li')).map((li) => {
  const swatch = li.querySelector('.bl-swatch'), text = li.textContent;
  const group = {Incidents: 'grade', Units: 'unit', Areas: 'area'}[
    li.closest('.bl-legend-group').querySelector('h3').textContent];
  const key = group === 'grade' ? text.charAt(0)
    : group === 'unit' ? text.replace(/ /g, '_') : (/heat/.test(text) ? 'heat' : 'city');
  return {group: group, key: key, text: text,
          background: getComputedStyle(swatch).backgroundColor,
          border: getComputedStyle(swatch).borderColor,
          radius: getComputedStyle(swatch).borderRadius};
})"""

MARKERS = """(id) => {
  const layers = window.probe.layers(id);
  const out = {incident: {}, unit: {}};
  const square = (m) => m._updatePath !== L.CircleMarker.prototype._updatePath;
  layers.incidentMarkers.forEach((m, key) => {
    out.incident[key] = {fill: m.options.fillColor, square: square(m)}; });
  layers.unitMarkers.forEach((m, key) => {
    out.unit[key] = {fill: m.options.fillColor, square: square(m)}; });
  return out;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from tests.dashboard.conftest import add_users

    live = LiveServer({}, tmp_path_factory.mktemp("legibility"))
    add_users(live)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def fleet(server: LiveServer) -> dict[str, str]:
    """One incident per grade and one unit per status the server accepts, near Trafalgar
    Square (the richer statuses join as soon as the ingest contract has them)."""
    lat, lon = POINTS["AW"]
    accepted = {s.value for s in UnitStatus}
    events = [
        incident_created(f"LEG-{g}", grade=g, lat=lat + 0.004 * i, lon=lon - 0.01)
        for i, g in enumerate("ISER")
    ]
    units: dict[str, str] = {}
    for i, status in enumerate(s for s in SHOWN_STATUSES if s in accepted):
        unit_id = f"LEG-U{i}"
        units[status] = unit_id
        events.append(
            unit_on_duty(unit_id, lat=lat + 0.003 * i, lon=lon + 0.01, callsign=f"AW{i}1")
        )
        # En route and on scene come from an assignment and an arrival, as a CAD sends them.
        if status == "en_route":
            events.append(incident_assigned("LEG-S", unit_id))
        elif status == "on_scene":
            events += [incident_assigned("LEG-I", unit_id), incident_arrived("LEG-I", unit_id)]
        elif status != "available":
            events.append(unit_status(unit_id, status))
    # A crowd 10 km west: too many callsigns to print while all London is in view.
    events += [
        unit_on_duty(
            f"LEG-C{i}", lat=lat + 0.001 * (i % 10), lon=lon - 0.15 + 0.001 * i, callsign=f"CR{i}"
        )
        for i in range(CROWD)
    ]
    push(server.url, *events)
    return units


def _wall(browser: Browser, server: LiveServer, width: int, height: int, units: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", timezone_id="Europe/London"
    )
    probed(context)
    page = recording_errors(context.new_page())
    sign_in(page, server.url, "commander", then="/wall")
    page.wait_for_function(
        "() => { const l = window.probe.layers && window.probe.layers('map');"
        f" return l && l.unitMarkers.size >= {units + CROWD} && l.incidentMarkers.size >= 4; }}",
        timeout=30_000,
    )
    return page


def test_the_legend_names_every_colour_the_markers_use(
    browser: Browser, server: LiveServer, fleet: dict[str, str]
) -> None:
    page = _wall(browser, server, 1920, 1080, len(fleet))
    palette = shipped_palette()
    assert page.locator("#map .bl-legend li").first.is_visible()  # open on the wall
    legend = page.evaluate(LEGEND, "map")
    by_key = {(e["group"], e["key"]): e for e in legend}
    for grade, colour in palette["grade"].items():
        entry = by_key[("grade", grade)]
        assert _rgb(entry["background"]) == colour
        assert entry["radius"] == "50%"  # incidents: circles
    for status in SHOWN_STATUSES:
        entry = by_key[("unit", status)]
        assert _rgb(entry["background"]) == palette["unit"][status]
        assert entry["radius"] in ("0px", "")  # units: squares
    assert by_key[("unit", "en_route")]["text"] == "en route"  # words, not identifiers
    # Areas by their outline: the City's swatch is filled with its hatch colour (CSS).
    assert _rgb(by_key[("area", "heat")]["border"]) == palette["area"]["HEAT"]
    assert _rgb(by_key[("area", "city")]["border"]) == palette["area"]["CITY"]
    assert "City of London" in by_key[("area", "city")]["text"]

    markers = page.evaluate(MARKERS, "map")
    for grade in "ISER":
        assert markers["incident"][f"LEG-{grade}"]["fill"] == palette["grade"][grade]
    for status, unit_id in fleet.items():
        assert markers["unit"][unit_id]["fill"] == palette["unit"][status]
        assert markers["unit"][unit_id]["square"]
    assert not any(m["square"] for m in markers["incident"].values())

    # The legend's words against its own background (WCAG 1.4.3).
    text, background = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('#map .bl-legend'));"
        " return [s.color, s.backgroundColor]; }"
    )
    assert contrast(_rgb(text), _rgb(background)) >= TEXT_CONTRAST
    screenshot(page, "legend-1080")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_inspector_map_has_the_legend_too(
    browser: Browser, server: LiveServer, fleet: dict[str, str]
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    probed(context)
    page = recording_errors(context.new_page())
    sign_in(page, server.url, "inspector", then="/inspector")
    page.wait_for_selector("#inspector-map .bl-legend li", state="attached")
    # Folded on the desk's small map, a click away.
    assert page.locator("#inspector-map .bl-legend li").first.is_hidden()
    page.locator("#inspector-map .bl-legend summary").click()
    page.locator("#inspector-map .bl-legend li").first.wait_for()
    keys = [(e["group"], e["key"]) for e in page.evaluate(LEGEND, "inspector-map")]
    assert keys == [("grade", g) for g in "ISER"] + [("unit", s) for s in SHOWN_STATUSES] + [
        ("area", "heat"),
        ("area", "city"),
    ]
    assert page.errors == []  # type: ignore[attr-defined]
    context.close()


SIZES = """() => {
  const layers = window.probe.layers('map');
  const zoom = document.querySelector('#map .leaflet-control-zoom-in').getBoundingClientRect();
  const legend = getComputedStyle(document.querySelector('#map .bl-legend')).fontSize;
  let unit = 0, incident = 0;
  layers.unitMarkers.forEach((m) => { unit = Math.max(unit, m.options.radius); });
  layers.incidentMarkers.forEach((m) => { incident = Math.max(incident, m.options.radius); });
  return {unit: unit, incident: incident, zoomButton: zoom.width, legend: parseFloat(legend)};
}"""

# The printed callsigns inside the map's frame (Leaflet places those of units out of view
# outside it, clipped).
CALLSIGNS = """() => {
  const frame = document.getElementById('map').getBoundingClientRect();
  const printed = document.querySelectorAll('#map .leaflet-tooltip.bl-callsign');
  return Array.from(printed).filter((t) => {
    const r = t.getBoundingClientRect();
    return r.right > frame.left && r.left < frame.right
      && r.bottom > frame.top && r.top < frame.bottom;
  }).map((t) => ({text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize)}));
}"""


def _zoom_to_units(page: Page, zoom: float, until: str = "true") -> None:
    """Zoom in on the units until ``until`` (a JS expression) holds: the map fits London's
    outline when that layer arrives, which under load can come after the first zoom."""
    lat, lon = POINTS["AW"]
    page.wait_for_function(
        f"""() => {{ const map = window.probe.maps['map'];
            if (Math.abs(map.getZoom() - {zoom}) > 0.01) {{
              map.setView([{lat + 0.0045}, {lon + 0.01}], {zoom}, {{animate: false}});
              return false;
            }}
            return {until}; }}"""
    )


def test_a_4k_wall_draws_markers_labels_and_controls_larger(
    browser: Browser, server: LiveServer, fleet: dict[str, str]
) -> None:
    sizes, labels = {}, {}
    for width, height in ((1920, 1080), (3840, 2160)):
        page = _wall(browser, server, width, height, len(fleet))
        sizes[width] = page.evaluate(SIZES)
        # All London in view: too many units to print every callsign; hover shows them.
        assert page.evaluate(CALLSIGNS) == []
        _zoom_to_units(page, 15, f"({CALLSIGNS})().length >= {len(fleet)}")
        labels[width] = page.evaluate(CALLSIGNS)
        assert {label["text"] for label in labels[width]} == {f"AW{i}1" for i in range(len(fleet))}
        screenshot(page, f"wall-{width}-callsigns")
        assert page.errors == []  # type: ignore[attr-defined]
        page.context.close()
    # About 30 px type on the 4K wall: a 10 mm cap height on a 65" panel, read at 3-6 m.
    assert min(label["size"] for label in labels[3840]) >= 24
    assert min(label["size"] for label in labels[3840]) >= 1.6 * max(
        label["size"] for label in labels[1920]
    )
    small, large = sizes[1920], sizes[3840]
    assert large["unit"] >= 1.6 * small["unit"]
    assert large["incident"] >= 1.6 * small["incident"]
    assert large["zoomButton"] >= 1.6 * small["zoomButton"]
    assert large["legend"] >= 1.6 * small["legend"]
