"""The incident's whole life on the inspector's screen and the wall, in real headless
Chromium against a real server on Redis: the CAD reference and address where the incident
is named, close with an outcome, a second unit, regrade, arrival, a note, a timeline that
follows the live feed, the confirmation before a unit leaves the BCU, and acknowledging an
alert on the wall."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.dashboard.test_screens import City, _event, _grid_js, _open, _row_shown, _safe, open_city
from tests.stream.factories import POINTS


@pytest.fixture(scope="module")
def city(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    with open_city(redis_url, tmp_path_factory.mktemp("lifecycle")) as city:
        yield city


def _incident(city: City, reference: str, address: str, bcu: str = "AW") -> str:
    incident_id = f"INC-{uuid.uuid4().hex[:6]}"
    lat, lon = POINTS[bcu]
    city.xadd(
        _event(
            "incident.created",
            {
                "incident_id": incident_id,
                "grade": "I",
                "category": "concern_for_welfare",
                "lat": lat,
                "lon": lon + 0.003,
                "reference": reference,
                "address": address,
            },
        )
    )
    return incident_id


def _select(page: Page, grid: str, ident: str) -> None:
    """Click the row, as a user does."""
    page.wait_for_function(_row_shown(grid, ident))
    page.locator(f"#{grid} .ag-center-cols-container .ag-row[row-id={json.dumps(ident)}]").click()


def _timeline_has(page: Page, words: str) -> None:
    try:
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('.bl-timeline li')].some(
                (li) => li.textContent.includes({json.dumps(words)}))"""
        )
    except Exception:
        selected = page.evaluate(
            "() => dash_ag_grid.getApi('queue').getSelectedRows().map((r) => r.incident_id)"
        )
        shown = page.locator("#detail").inner_text()
        errors = page.errors  # type: ignore[attr-defined]
        raise AssertionError(f"{shown} | {page.url} | selected {selected} | {errors}") from None


def _result(page: Page, words: str) -> None:
    page.wait_for_function(
        "() => ((document.getElementById('result') || {}).textContent || '')"
        f".includes({json.dumps(words)})"
    )
    assert page.locator("#result").inner_text().startswith("✓"), page.locator(
        "#result"
    ).inner_text()


def _command(page: Page, method: str, path: str, body: dict[str, object]) -> int:
    return int(
        page.evaluate(
            "([m, p, b]) => window.probe.session.request(m, p, b).then((a) => a.status)",
            [method, path, body],
        )
    )


def _live(page: Page, expression: str) -> None:
    page.wait_for_function(_safe(expression))


def test_the_reference_and_address_name_the_incident_and_it_closes_with_an_outcome(
    browser: Browser, pages: list[Page], city: City
) -> None:
    incident = _incident(city, "CAD 4711/25NOV", "14 Station Road, Westminster")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    inspector.wait_for_function(
        _grid_js("queue", f"getRowNode({json.dumps(incident)}).data.reference === 'CAD 4711/25NOV'")
    )
    _select(inspector, "queue", incident)
    detail = inspector.locator("#detail")
    detail.locator(".bl-reference").filter(has_text="CAD 4711/25NOV").wait_for()
    assert "14 Station Road, Westminster" in detail.inner_text()
    assert "concern for welfare" in detail.inner_text()  # words, not concern_for_welfare
    _timeline_has(inspector, "created · grade I · concern for welfare")
    inspector.fill("#close-outcome", "advice given")
    inspector.click("button[data-close]")
    _result(inspector, "CAD 4711/25NOV closed")
    inspector.wait_for_function(
        f"() => !dash_ag_grid.getApi('queue').getRowNode({json.dumps(incident)})"
    )
    _timeline_has(inspector, "closed: advice given · inspector")
    assert "is closed: advice given" in detail.inner_text()
    assert inspector.errors == []  # type: ignore[attr-defined]


def test_a_second_unit_regrade_arrival_and_a_note_each_show_on_the_live_timeline(
    browser: Browser, pages: list[Page], city: City
) -> None:
    first, second = city.unit("AW", "AW1LC"), city.unit("AW", "AW2LC")
    incident = _incident(city, "CAD 12/25NOV", "3 High Street, Westminster")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    _live(inspector, f"window.probe.live.units.has({json.dumps(second)})")
    path = f"/api/units/{first}/assignment"
    assert _command(inspector, "POST", path, {"incident_id": incident}) == 200
    _select(inspector, "queue", incident)
    _timeline_has(inspector, "assigned AW1LC")
    # A second unit for an incident that has one already.
    inspector.locator(f"#second-unit option[value='{second}']").wait_for(state="attached")
    inspector.select_option("#second-unit", second)
    inspector.click("button[data-second]")
    _result(inspector, "AW2LC assigned to CAD 12/25NOV")
    _timeline_has(inspector, "assigned AW2LC · inspector")
    _live(inspector, f"window.probe.live.incidents.get({json.dumps(incident)}).units.length === 2")
    # Regrade.
    inspector.select_option("#regrade-grade", "S")
    inspector.click("button[data-regrade]")
    _timeline_has(inspector, "regraded S · inspector")
    _live(inspector, f"window.probe.live.incidents.get({json.dumps(incident)}).grade === 'S'")
    # Arrival of the second unit.
    inspector.click(f"button[data-arrive='{second}']")
    _timeline_has(inspector, "AW2LC on scene · inspector")
    _live(inspector, f"window.probe.live.units.get({json.dumps(second)}).status === 'on_scene'")
    # A note typed while the feed keeps rebuilding the panel keeps every keystroke.
    inspector.click("#note-text")
    inspector.keyboard.type("neighbour has a key", delay=20)
    inspector.click("button[data-note]")
    _timeline_has(inspector, "note: neighbour has a key · inspector")
    assert inspector.input_value("#note-text") == ""
    # Someone else's note arrives by the live feed, with no click here.
    commander = _open(browser, pages, city, "commander", "/wall")
    status = _command(
        commander, "POST", f"/api/incidents/{incident}/notes", {"text": "PNC checked"}
    )
    assert status == 200
    _timeline_has(inspector, "note: PNC checked · commander")
    assert inspector.errors == []  # type: ignore[attr-defined]


def test_redeploying_a_unit_out_of_the_bcu_asks_for_confirmation_first(
    browser: Browser, pages: list[Page], city: City
) -> None:
    unit = city.unit("AW", "AWMOVE")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    _select(inspector, "units", unit)
    inspector.select_option("#redeploy-bcu", "NE")
    inspector.fill("#redeploy-reason", "Stratford disorder")
    inspector.click("button[data-redeploy]")
    confirm = inspector.locator(".bl-confirm")
    confirm.wait_for()
    assert "Send AWMOVE out of AW to NE?" in confirm.inner_text()
    assert inspector.evaluate(f"window.probe.live.units.get({json.dumps(unit)}).bcu") == "AW"
    inspector.click("button[data-cancel-redeploy]")
    confirm.wait_for(state="detached")
    assert "cancelled" in inspector.locator("#result").inner_text()
    assert inspector.evaluate(f"window.probe.live.units.get({json.dumps(unit)}).bcu") == "AW"
    inspector.click("button[data-redeploy]")
    inspector.click("button[data-confirm-redeploy]")
    _live(inspector, f"window.probe.live.units.get({json.dumps(unit)}).bcu === 'NE'")
    assert inspector.errors == []  # type: ignore[attr-defined]


def test_an_alert_acknowledged_on_the_wall_shows_who_and_when_and_leaves_the_active_list(
    browser: Browser, pages: list[Page], city: City
) -> None:
    wall = _open(browser, pages, city, "commander", "/wall")
    # No test here puts a unit in AS, first of the BCUs: its shortage is the first alert.
    button = wall.locator("button[data-ack='no_irv:AS']")
    button.click()
    done = wall.locator(".bl-acknowledged", has_text="AS: no IRV available")
    done.wait_for()
    assert "AS: no IRV available · acknowledged by commander at" in done.inner_text()
    assert wall.locator("button[data-ack='no_irv:AS']").count() == 0
    # Another commander's wall shows it too, by the live feed.
    other = _open(browser, pages, city, "commander", "/wall")
    other.locator(".bl-acknowledged", has_text="AS: no IRV available").wait_for()
    assert wall.errors == []  # type: ignore[attr-defined]
