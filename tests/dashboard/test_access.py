"""What a person may do, and when, in real Chromium: another BCU's suggested unit is marked
and offered as mutual aid (a commander grants it); commands are off under the outage banner;
every failed command says why; a session that ends under an open page asks to sign in again
and keeps the page; a wall kiosk's session outlives a person's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_screens import City, _event, _open, _row_shown, _safe, open_city
from tests.stream.factories import POINTS


@pytest.fixture(scope="module")
def city(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    with open_city(redis_url, tmp_path_factory.mktemp("access")) as found:
        yield found


def _select_incident(page: Page, incident: str) -> None:
    page.wait_for_function(_row_shown("queue", incident))
    page.wait_for_function(
        _safe(
            f"""(window.probe.live.advice.waiting || []).some(
            (w) => w.incident_id === {json.dumps(incident)} && w.nearest.length >= 2)"""
        )
    )
    # As a user does: a click on its row, the desk's once the address names it.
    page.locator(f".bl-queue .ag-center-cols-container [row-id='{incident}']").click()
    page.wait_for_function(
        f"() => window.location.search.includes({json.dumps('incident=' + incident)})"
    )


def _select_unit(page: Page, unit: str) -> None:
    """Select the unit's row until its controls show (a row selected while the grid is
    being refilled, on a loaded machine, can lose its selection: a person clicks again)."""
    page.wait_for_function(_row_shown("units", unit))
    page.wait_for_function(
        f"""() => {{
            const node = dash_ag_grid.getApi('units').getRowNode({json.dumps(unit)});
            if (node && !node.isSelected()) {{ node.setSelected(true); }}
            return !!document.querySelector("button[data-status='busy']");
        }}"""
    )


def _result(page: Page, starting: str) -> str:
    page.wait_for_function(
        f"""() => ((document.getElementById('result') || {{}}).textContent || '')
            .startsWith({json.dumps(starting)})"""
    )
    return page.locator("#result").inner_text()


def test_another_bcus_unit_is_marked_and_mutual_aid_goes_to_a_commander(
    browser: Browser, pages: list[Page], city: City
) -> None:
    # An AW incident whose nearest available units are all deployed to NE.
    lat, lon = POINTS["NE"]
    incident = f"INC-{uuid.uuid4().hex[:6]}"
    units = [f"NE{i}-{uuid.uuid4().hex[:4]}" for i in range(2)]
    for i, unit in enumerate(units):
        city.xadd(_on_duty(unit, f"NEA{i}", "NE", lat, lon + 0.001 * i))
    city.xadd(_created(incident, *POINTS["AW"]))
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    _select_incident(inspector, incident)
    marked = inspector.locator(".bl-foreign", has_text="NEA0 (NE,")
    try:
        marked.wait_for()
    except PlaywrightTimeout:  # say what the desk showed instead (CI saw this once)
        shown = inspector.evaluate(
            f"""() => [window.location.search, document.getElementById('detail').innerText,
                JSON.stringify(((window.probe.live.advice || {{}}).recommendations || {{}}).calls
                  ?.find((c) => c.incident_id === {json.dumps(incident)}))]"""
        )
        raise AssertionError(f"no suggestion of NEA0 marked as NE's: {shown}") from None
    assert "NE unit, not yours to assign" in marked.inner_text()
    assert inspector.locator(f"button[data-assign='{units[0]}']").count() == 0
    # Nor does the shortcut assign it (if it did, the unit would no longer be available
    # and the request below would be refused).
    inspector.keyboard.press("1")
    marked.locator("button[data-aid]").click()
    assert "mutual aid requested" in _result(inspector, "✓")

    commander = _open(browser, pages, city, "commander", "/inspector")
    grant = commander.locator("button[data-grant]").first
    grant.wait_for()
    request = grant.evaluate("b => b.parentElement.textContent")
    assert "NEA0 (NE)" in request and "asked by inspector" in request
    wall = _open(browser, pages, city, "commander", "/wall")
    wall.wait_for_function(
        "() => document.getElementById('alerts').textContent.includes('Mutual aid asked: NEA0')"
    )
    grant.click()
    assert "mutual aid granted" in _result(commander, "✓")
    inspector.wait_for_function(
        _safe(f"window.probe.live.units.get({json.dumps(units[0])}).status === 'en_route'")
    )
    commander.wait_for_function("() => !document.querySelector('button[data-grant]')")
    assert inspector.errors == [] and commander.errors == []  # type: ignore[attr-defined]


def test_a_failed_command_says_why(browser: Browser, pages: list[Page], city: City) -> None:
    unit = city.unit("AW", "AWF1")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    _select_unit(inspector, unit)
    inspector.locator("button[data-redeploy]").click()  # no reason typed
    assert "reason" in _result(inspector, "✗ 422: ")
    inspector.route("**/api/units/*/status", lambda route: route.abort())
    inspector.locator("button[data-status='busy']").click()
    assert "no answer from the server" in _result(inspector, "✗ not sent: ")


def test_commands_are_off_under_the_outage_banner(
    browser: Browser, pages: list[Page], redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with open_city(redis_url, tmp_path_factory.mktemp("outage")) as city:
        unit = city.unit("AW", "AWO1")
        inspector = _open(browser, pages, city, "inspector", "/inspector")
        _select_unit(inspector, unit)
        busy = inspector.locator("button[data-status='busy']")
        assert busy.is_enabled()
        city.server.stop(kill=True)
        inspector.wait_for_selector("#feed-banner", state="visible", timeout=10_000)
        inspector.wait_for_function(
            "() => [...document.querySelectorAll('button[data-command]')].every((b) => b.disabled)"
        )
        assert "live feed" in (busy.get_attribute("title") or "")
        inspector.keyboard.press("b")  # the shortcut is refused too, with the reason
        assert "commands are off" in _result(inspector, "✗ not sent: ")
        city.server.start()
        inspector.wait_for_selector("#feed-banner", state="hidden", timeout=30_000)
        inspector.wait_for_function(
            "() => !document.querySelector(\"button[data-status='busy']\").disabled"
        )


def test_an_ended_session_asks_to_sign_in_keeping_the_page_and_a_wall_stays(
    browser: Browser, pages: list[Page], redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A person's session lasts a minute here; the wall's its default days.
    with open_city(
        redis_url, tmp_path_factory.mktemp("expiry"), BLUELAMP_TOKEN_MINUTES="1"
    ) as city:
        incident = city.incident("NE")
        wall = _open(browser, pages, city, "wall", "/wall")
        inspector = _open(browser, pages, city, "inspector", "/inspector")
        inspector.click("#inspector-bcu")
        inspector.keyboard.type("NE")
        inspector.get_by_role("option", name="NE", exact=True).click()
        inspector.wait_for_function(_row_shown("queue", incident))
        inspector.evaluate(
            f"dash_ag_grid.getApi('queue').getRowNode({json.dumps(incident)}).setSelected(true)"
        )
        # The address keeps the BCU and the selection (a reload would come back to them).
        inspector.wait_for_url(lambda u: f"incident={incident}" in u)
        url = inspector.url
        prompt = inspector.locator("#session-prompt")
        prompt.wait_for(timeout=120_000)  # the minute runs out; the feed says so
        assert "sign in again" in prompt.inner_text()
        assert "Signed out" in inspector.locator("#feed-banner").inner_text()
        link = prompt.locator("a").get_attribute("href") or ""
        assert link.startswith("/signin?next=")
        assert inspector.evaluate(
            "() => [...document.querySelectorAll('button[data-command]')].every((b) => b.disabled)"
        )
        prompt.locator("input").fill(PASSWORD)
        prompt.locator("button[type=submit]").click()
        prompt.wait_for(state="detached")
        assert inspector.url == url
        assert incident in inspector.locator("#detail").inner_text()  # the selection is kept
        later = city.incident("NE")
        inspector.wait_for_function(_row_shown("queue", later))  # live again, still on NE

        # The wall, signed in before the person, still streams after their minute.
        wall.wait_for_function(_safe(f"window.probe.live.incidents.has({json.dumps(later)})"))
        assert wall.locator("#session-prompt").count() == 0
        assert wall.evaluate("window.probe.live.connected") is True


def _on_duty(unit: str, callsign: str, bcu: str, lat: float, lon: float) -> dict[str, object]:
    return _event(
        "unit.on_duty",
        {
            "unit_id": unit,
            "callsign": callsign,
            "unit_type": "IRV",
            "home_bcu": bcu,
            "lat": lat,
            "lon": lon,
        },
    )


def _created(incident: str, lat: float, lon: float) -> dict[str, object]:
    return _event(
        "incident.created",
        {"incident_id": incident, "grade": "I", "category": "violence", "lat": lat, "lon": lon},
    )
