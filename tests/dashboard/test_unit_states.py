"""The inspector's units in real Chromium: time in status in words on the grid and the panel,
and the station, break and custody buttons carried out and shown live."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page

from tests.dashboard import test_screens as screens
from tests.dashboard.test_screens import City, _event, _grid_js, _open, _row_shown, _safe
from tests.stream.factories import POINTS

# The server fixture of the screens' tests (one server for this module).
city = screens.city


def _stamped(kind: str, data: dict[str, object], at: datetime) -> dict[str, object]:
    return {**_event(kind, data), "time": at.isoformat().replace("+00:00", "Z")}


def _row(unit: str) -> str:
    return f"dash_ag_grid.getApi('units').getRowNode({json.dumps(unit)}).data"


def test_the_unit_grid_shows_time_in_status_in_words(
    browser: Browser, pages: list[Page], city: City
) -> None:
    unit = f"AWT-{uuid.uuid4().hex[:4]}"
    lat, lon = POINTS["AW"]
    now = datetime.now(UTC)
    city.xadd(
        _stamped(
            "unit.on_duty",
            {
                "unit_id": unit,
                "callsign": "AWTIME",
                "unit_type": "IRV",
                "home_bcu": "AW",
                "lat": lat,
                "lon": lon,
            },
            now - timedelta(minutes=40),
        ),
        _stamped(
            "unit.status", {"unit_id": unit, "status": "custody"}, now - timedelta(minutes=23)
        ),
        # A position now: the screen's clock is event time, and this is the newest event.
        _stamped("unit.location", {"unit_id": unit, "lat": lat, "lon": lon}, now),
    )
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    inspector.wait_for_function(_grid_js("units", f"getRowNode({json.dumps(unit)})"))
    inspector.wait_for_function(_safe(f"{_row(unit)}.status === 'custody'"))
    shown = inspector.evaluate(f"{_row(unit)}.in_status")
    # 23 minutes by the events' own times; a minute more if the page's clock moved on.
    assert shown in ("custody 23 min", "custody 24 min"), shown
    cell = inspector.locator(f".ag-row[row-id='{unit}'] [col-id='in_status']")
    assert cell.inner_text().startswith("custody 2"), cell.inner_text()
    assert inspector.errors == []  # type: ignore[attr-defined]


def test_the_new_status_buttons_change_the_unit_and_restart_its_clock(
    browser: Browser, pages: list[Page], city: City
) -> None:
    unit = city.unit("AW", "AWREF")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    inspector.wait_for_function(_row_shown("units", unit))
    inspector.evaluate(
        f"dash_ag_grid.getApi('units').getRowNode({json.dumps(unit)}).setSelected(true)"
    )
    for status, words in (
        ("refreshment", "refreshment"),
        ("at_station", "at station"),
        ("custody", "custody"),
    ):
        inspector.locator(f"button[data-status='{status}']:not([disabled])").click()
        inspector.wait_for_function(
            _safe(f"window.probe.live.units.get({json.dumps(unit)}).status === '{status}'")
        )
        inspector.wait_for_function(_safe(f"{_row(unit)}.in_status === '{words} 0 min'"))
        inspector.wait_for_function(
            "() => ((document.getElementById('unit-in-status') || {}).textContent || '')"
            f" === '{words} 0 min'"
        )
        # The current status is pressed and cannot be chosen again.
        pressed = inspector.locator(f"button[data-status='{status}']")
        assert pressed.get_attribute("aria-pressed") == "true" and pressed.is_disabled()
    inspector.wait_for_function(
        "() => ((document.getElementById('result') || {}).textContent || '')"
        ".includes('now custody')"
    )
    since = inspector.evaluate(f"window.probe.live.units.get({json.dumps(unit)}).status_since")
    assert datetime.fromisoformat(since) >= datetime.now(UTC) - timedelta(minutes=5)
    assert inspector.errors == []  # type: ignore[attr-defined]
