"""The three screens in real headless Chromium against a real server on Redis: sign-in per
role, live updates from the ingest stream without a reload, reallocation from the inspector's
queue seen on the wall, role limits, and a server restart the page rides out."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from playwright.sync_api import Browser, Page

from benchmarks.probe import probed
from tests.dashboard.conftest import PASSWORD, add_users, screenshot, sign_in
from tests.live import LiveServer, forget_prefix
from tests.stream.factories import POINTS

NOW = datetime.now(UTC)


def _event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    time = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {
        "specversion": "1.0",
        "id": uuid.uuid4().hex,
        "source": "browser-test",
        "type": kind,
        "time": time,
        "data": data,
    }


class City:
    """The server, and a hand on its ingest stream (a CAD/AVL feed's XADD)."""

    def __init__(self, server: LiveServer, redis_url: str) -> None:
        self.server = server
        self.url = server.url
        self.redis = redis.Redis.from_url(redis_url)
        self.ingest = f"{server.env['BLUELAMP_KEY_PREFIX']}:ingest"

    def xadd(self, *events: dict[str, Any]) -> None:
        for event in events:
            self.redis.xadd(self.ingest, {"event": json.dumps(event)})

    def unit(self, bcu: str, callsign: str) -> str:
        unit_id = f"{callsign}-{uuid.uuid4().hex[:4]}"
        lat, lon = POINTS[bcu]
        self.xadd(
            _event(
                "unit.on_duty",
                {
                    "unit_id": unit_id,
                    "callsign": callsign,
                    "unit_type": "IRV",
                    "home_bcu": bcu,
                    "lat": lat + 0.002,
                    "lon": lon,
                },
            )
        )
        return unit_id

    def incident(self, bcu: str, grade: str = "I") -> str:
        incident_id = f"INC-{uuid.uuid4().hex[:6]}"
        lat, lon = POINTS[bcu]
        self.xadd(
            _event(
                "incident.created",
                {
                    "incident_id": incident_id,
                    "grade": grade,
                    "category": "violence",
                    "lat": lat,
                    "lon": lon + 0.003,
                },
            )
        )
        return incident_id

    def picture(self) -> dict[str, Any]:
        token = httpx.post(
            f"{self.url}/api/token", data={"username": "commander", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return dict(httpx.get(f"{self.url}/api/picture", headers=headers, timeout=30).json())


@contextlib.contextmanager
def open_city(redis_url: str, tmp: Path, **env: str) -> Iterator[City]:
    """A server on the shared Redis under a key prefix of its own, with the test users; its
    keys are deleted afterwards. ``env`` adds to or overrides its settings."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings = {
        "BLUELAMP_REDIS_URL": redis_url,
        "BLUELAMP_KEY_PREFIX": prefix,
        "BLUELAMP_LEASE_TTL_MS": "1000",
        # Every test signs in afresh: more than the default 10 a minute per user.
        "BLUELAMP_LOGIN_ATTEMPTS": "1000",
    }
    server = LiveServer(settings | env, tmp)
    add_users(server)
    server.start()
    city = City(server, redis_url)
    try:
        yield city
    finally:
        server.stop()
        city.redis.close()
        forget_prefix(redis_url, prefix)


@pytest.fixture(scope="module")
def city(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    with open_city(redis_url, tmp_path_factory.mktemp("screens")) as city:
        for bcu in ("AW", "AW", "AW", "NE", "NE"):
            city.unit(bcu, f"{bcu}{uuid.uuid4().hex[:3].upper()}")
        for bcu in ("AW", "AW", "NE"):
            city.incident(bcu)
        yield city


def _page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="en-GB", timezone_id="Europe/London"
    )
    probed(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _open(browser: Browser, pages: list[Page], city: City, user: str, path: str) -> Page:
    page = _page(browser)
    pages.append(page)
    sign_in(page, city.url, user, then=path)
    page.wait_for_function(_safe("window.probe.live.seq > 0"))
    return page


def _grid_js(grid: str, then: str) -> str:
    """A wait predicate on an AG Grid that may not be there yet (a predicate that throws
    fails the wait instead of being tried again)."""
    return _safe(f"dash_ag_grid.getApi('{grid}').{then}")


def _safe(expression: str) -> str:
    """A wait predicate that is false, not an error, while the page is still loading."""
    return f"() => {{ try {{ return !!({expression}); }} catch (e) {{ return false; }} }}"


def _row_shown(grid: str, ident: str) -> str:
    return _grid_js(grid, f"getRowNode({json.dumps(ident)})")


def _has_marker(page: Page, map_id: str, kind: str, ident: str) -> bool:
    script = f"""() => {{ const l = window.probe.layers({json.dumps(map_id)});
        return !!l && l.{kind}Markers.has({json.dumps(ident)}); }}"""
    return bool(page.evaluate(script))


def test_each_role_lands_on_its_screen_and_can_sign_out(
    browser: Browser, pages: list[Page], city: City
) -> None:
    for user, home in (
        ("commander", "/wall"),
        ("inspector", "/inspector"),
        ("planner", "/planner"),
    ):
        page = _page(browser)
        pages.append(page)
        page.goto(f"{city.url}/signin")
        page.fill("#signin-user", user)
        page.fill("#signin-password", PASSWORD)
        page.click("#signin-form button[type=submit]")
        page.wait_for_url(f"{city.url}{home}")
        page.wait_for_function(
            "() => ((document.getElementById('user') || {}).textContent || '').length > 0"
        )
        assert user in page.locator("#user").inner_text()
        assert page.errors == [], page.errors  # type: ignore[attr-defined]
    page.click("#sign-out")
    page.wait_for_url(f"{city.url}/signin")
    page.goto(f"{city.url}/wall")
    page.wait_for_url(lambda u: "/signin?next=%2Fwall" in u)
    wrong = _page(browser)
    pages.append(wrong)
    wrong.goto(f"{city.url}/signin")
    wrong.fill("#signin-user", "commander")
    wrong.fill("#signin-password", "not-the-password")
    wrong.click("#signin-form button[type=submit]")
    wrong.wait_for_function(
        "() => ((document.getElementById('signin-error') || {}).textContent || '')"
    )
    assert "wrong user name or password" in wrong.locator("#signin-error").inner_text()


def test_the_wall_shows_london_and_what_arrives_on_the_ingest_stream(
    browser: Browser, pages: list[Page], city: City
) -> None:
    wall = _open(browser, pages, city, "commander", "/wall")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    boroughs = wall.evaluate("""() => { let n = 0; window.probe.maps['map'].eachLayer(
        (l) => { if (l.feature && 'gss_code' in l.feature.properties) n++; }); return n; }""")
    assert boroughs == 33
    picture = city.picture()
    assert all(_has_marker(wall, "map", "incident", i["incident_id"]) for i in picture["incidents"])
    fresh = city.incident("AW")
    for page, map_id in ((wall, "map"), (inspector, "inspector-map")):
        page.wait_for_function(
            _safe(
                f"window.probe.layers({json.dumps(map_id)})"
                f".incidentMarkers.has({json.dumps(fresh)})"
            ),
            timeout=10_000,
        )
    inspector.wait_for_function(_row_shown("queue", fresh))
    kpis = wall.locator("#kpis").inner_text()
    assert "Open I" in kpis and "Units available" in kpis
    assert "seq" in wall.locator("#freshness").inner_text()
    assert wall.locator("#bcu-table tr").count() == 13  # a header and 12 BCUs
    assert wall.errors == [] and inspector.errors == []  # type: ignore[attr-defined]


def test_an_assignment_from_the_queue_shows_en_route_on_the_wall(
    browser: Browser, pages: list[Page], city: City
) -> None:
    incident = city.incident("AW")
    wall = _open(browser, pages, city, "commander", "/wall")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    inspector.wait_for_function(_row_shown("queue", incident))
    # Suggestions come with the advice (once a second): wait for this incident's.
    inspector.wait_for_function(
        _safe(
            f"""(window.probe.live.advice.waiting || []).some(
            (w) => w.incident_id === {json.dumps(incident)} && w.nearest.length)"""
        )
    )
    inspector.evaluate(
        f"dash_ag_grid.getApi('queue').getRowNode({json.dumps(incident)}).setSelected(true)"
    )
    button = inspector.locator("button[data-assign]").first
    button.wait_for()
    unit = button.get_attribute("data-assign")
    button.click()
    inspector.wait_for_function(
        "() => ((document.getElementById('result') || {}).textContent || '')"
    )
    assert inspector.locator("#result").inner_text().startswith("✓"), inspector.locator(
        "#result"
    ).inner_text()
    wall.wait_for_function(
        _safe(f"window.probe.live.units.get({json.dumps(unit)}).status === 'en_route'")
    )
    colour = wall.evaluate(
        f"window.probe.layers('map').unitMarkers.get({json.dumps(unit)}).options.fillColor"
    )
    assert colour == wall.evaluate("window.probe.ui.UNIT_COLOUR.en_route")
    inspector.wait_for_function(
        _grid_js("units", f"getRowNode({json.dumps(unit)}).data.status_code === 'en_route'")
    )
    assert wall.errors == [] and inspector.errors == []  # type: ignore[attr-defined]


def test_a_planner_sees_no_reallocation_controls(
    browser: Browser, pages: list[Page], city: City
) -> None:
    planner = _open(browser, pages, city, "planner", "/inspector")
    incident = city.incident("AW")
    planner.wait_for_function(_row_shown("queue", incident))
    planner.evaluate(
        f"dash_ag_grid.getApi('queue').getRowNode({json.dumps(incident)}).setSelected(true)"
    )
    planner.wait_for_function(
        "() => ((document.getElementById('detail') || {}).textContent || '').length"
    )
    assert "Read only" in planner.locator("#actions").inner_text()
    assert planner.locator("button[data-assign], button[data-status]").count() == 0
    answer = planner.evaluate(
        """() => window.probe.session.request('POST', '/api/units/x/status',
               {status: 'busy'}).then((a) => a.status)"""
    )
    assert answer == 403


def test_an_inspector_cannot_act_on_another_bcus_unit(
    browser: Browser, pages: list[Page], city: City
) -> None:
    other = city.unit("NE", "NEX9")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    inspector.click("#inspector-bcu")
    inspector.keyboard.type("NE")  # the picker's search box
    inspector.get_by_role("option", name="NE", exact=True).click()
    inspector.wait_for_function(_row_shown("units", other))
    inspector.evaluate(
        f"dash_ag_grid.getApi('units').getRowNode({json.dumps(other)}).setSelected(true)"
    )
    inspector.locator("button[data-status='busy']").click()
    inspector.wait_for_function(
        "() => ((document.getElementById('result') || {}).textContent || '')"
    )
    result = inspector.locator("#result").inner_text()
    assert result.startswith("✗ 403") and "deployed to NE" in result
    assert (
        inspector.evaluate(f"window.probe.live.units.get({json.dumps(other)}).status")
        == "available"
    )


def test_the_planner_sees_the_reports_with_charts_and_export_links(
    browser: Browser, pages: list[Page], city: City
) -> None:
    page = _page(browser)
    pages.append(page)
    sign_in(page, city.url, "planner", then="/planner")
    page.wait_for_function(
        "() => ((document.getElementById('report-status') || {}).textContent || '')"
        ".startsWith('For')"
    )
    assert page.locator("#report-response-table table").count() == 3
    page.wait_for_selector("#report-demand-chart .main-svg")  # plotly.js loads on demand
    assert page.locator("#report-demand-chart .heatlayer, #report-demand-chart .hm").count()
    href = page.locator("#report-response-xlsx").get_attribute("href")
    assert href and href.startswith("/api/reports/response?from=") and "format=xlsx" in href
    with page.expect_download() as download:
        page.locator("#report-demand-csv").click()
    assert download.value.suggested_filename.endswith(".zip")
    assert page.errors == []  # type: ignore[attr-defined]


def test_keys_act_on_the_selected_unit(browser: Browser, pages: list[Page], city: City) -> None:
    unit = city.unit("AW", "AWKEY")
    inspector = _open(browser, pages, city, "inspector", "/inspector")
    inspector.wait_for_function(_row_shown("units", unit))
    inspector.evaluate(
        f"dash_ag_grid.getApi('units').getRowNode({json.dumps(unit)}).setSelected(true)"
    )
    inspector.locator("button[data-status='busy']").wait_for()
    inspector.locator("body").press("b")
    inspector.wait_for_function(
        _safe(f"window.probe.live.units.get({json.dumps(unit)}).status === 'busy'")
    )
    # The answer to the POST may come after the live feed has shown the change.
    inspector.wait_for_function(
        "() => ((document.getElementById('result') || {}).textContent || '').includes('now busy')"
    )
    inspector.locator("body").press("a")
    inspector.wait_for_function(
        _safe(f"window.probe.live.units.get({json.dumps(unit)}).status === 'available'")
    )


def test_a_restart_shows_the_banner_then_resumes_with_nothing_missing(
    browser: Browser, pages: list[Page], city: City
) -> None:
    wall = _open(browser, pages, city, "commander", "/wall")
    city.server.stop(kill=True)
    wall.wait_for_selector("#feed-banner", state="visible", timeout=10_000)
    assert "reconnecting" in wall.locator("#feed-banner").inner_text()
    missed = [city.incident("SE") for _ in range(3)]  # waits on the stream meanwhile
    city.server.start()
    wall.wait_for_selector("#feed-banner", state="hidden", timeout=30_000)
    for incident in missed:
        wall.wait_for_function(_safe(f"window.probe.live.incidents.has({json.dumps(incident)})"))
    picture = city.picture()
    wall.wait_for_function(_safe(f"window.probe.live.seq >= {picture['seq']}"))
    seen = wall.evaluate("""() => ({
        seq: window.probe.live.seq,
        incidents: [...window.probe.live.incidents.keys()].sort(),
        units: Object.fromEntries([...window.probe.live.units.values()].map(
            (u) => [u.unit_id, u.status])) })""")
    picture = city.picture()
    assert seen["seq"] == picture["seq"]
    assert seen["incidents"] == sorted(i["incident_id"] for i in picture["incidents"])
    assert seen["units"] == {
        u["unit_id"]: u["status"] for u in picture["units"] if u["status"] != "off_duty"
    }


def test_screenshots_of_the_three_pages(browser: Browser, pages: list[Page], city: City) -> None:
    for user, path, name in (
        ("commander", "/wall", "wall"),
        ("inspector", "/inspector", "inspector"),
        ("planner", "/planner", "planner"),
    ):
        page = _open(browser, pages, city, user, path) if path != "/planner" else None
        if page is None:
            page = _page(browser)
            pages.append(page)
            sign_in(page, city.url, user, then=path)
            page.wait_for_function(
                "() => ((document.getElementById('report-status') || {}).textContent || '')"
                " && document.getElementById('report-status').textContent.startsWith('For')"
            )
        page.wait_for_timeout(500)
        shot: Path = screenshot(page, name)
        assert shot.stat().st_size > 10_000
    # A 4K wall: the same page, type doubled for the distance.
    context = browser.new_context(viewport={"width": 3840, "height": 2160})
    probed(context)
    context.add_cookies(pages[0].context.cookies())
    big = context.new_page()
    pages.append(big)
    big.goto(f"{city.url}/wall")
    big.wait_for_function(_safe("window.probe.live.lastFrameAt !== null"))
    size = big.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert size == "32px", size
    assert screenshot(big, "wall-4k").stat().st_size > 10_000
