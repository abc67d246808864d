"""In real Chromium: every page works under the Content-Security-Policy with no violation,
pages and API answers carry the security headers, and sign-in never sends the browser to
another origin whatever ``next`` says."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from benchmarks.probe import probed
from tests.dashboard.conftest import PASSWORD, recording_errors, sign_in
from tests.live import LiveServer
from tests.stream.factories import POINTS, incident_created, unit_on_duty

# Collected in the page before any of its scripts run; read before the page is left.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  [e.violatedDirective, e.blockedURI, e.sample, e.sourceFile, e.lineNumber].join(" | ")));
"""


@pytest.fixture
def server(start_server: Callable[..., LiveServer]) -> LiveServer:
    """A server with something on the map and in the queues."""
    started = start_server()
    token = httpx.post(
        f"{started.url}/api/token", data={"username": "feed", "password": PASSWORD}
    ).json()["access_token"]
    lat, lon = POINTS["AW"]
    events = [
        unit_on_duty("AW-U1", home_bcu="AW", lat=lat, lon=lon),
        incident_created("AW-I1", lat=lat + 0.001, lon=lon),
    ]
    answer = httpx.post(
        f"{started.url}/api/events", json=events, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    return started


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
    probed(context)
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()


def _page(context: BrowserContext) -> Page:
    return recording_errors(context.new_page())


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def _text_of(element_id: str) -> str:
    return f"() => ((document.getElementById('{element_id}') || {{}}).textContent || '')"


def _grid_rows(grid_id: str) -> str:
    return (
        f"() => {{ try {{ return dash_ag_grid.getApi('{grid_id}').getDisplayedRowCount() > 0 }}"
        " catch (e) { return false } }"
    )


def test_every_page_works_under_the_policy_with_no_violation(
    context: BrowserContext, server: LiveServer
) -> None:
    url = server.url
    signin = _page(context)
    signin.goto(f"{url}/signin")
    signin.wait_for_selector("#signin-form")
    assert _violations(signin) == [] and signin.errors == []  # type: ignore[attr-defined]
    checks: dict[str, tuple[str, Callable[[Page], None]]] = {
        "commander": ("/wall", _wall_works),
        "inspector": ("/inspector", _inspector_works),
        "planner": ("/planner", _planner_works),
    }
    for user, (path, works) in checks.items():
        page = _page(context)
        sign_in(page, url, user, then=path)
        page.wait_for_url(f"{url}{path}")
        works(page)
        assert _violations(page) == [], (path, _violations(page))
        assert page.errors == [], (path, page.errors)  # type: ignore[attr-defined]
        page.request.delete(f"{url}/api/session", headers=_csrf(context))
        page.close()


def _csrf(context: BrowserContext) -> dict[str, str]:
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    return {"X-CSRF-Token": cookies.get("bluelamp_csrf", "")}


def _wall_works(page: Page) -> None:
    page.wait_for_function(
        "() => { try { return window.probe.layers('map').incidentMarkers.has('AW-I1') }"
        " catch (e) { return false } }"
    )
    page.wait_for_function(_text_of("kpis") + ".includes('Open I')")
    assert page.locator("#map .leaflet-pane").count() > 0
    assert page.locator("#bcu-table tr").count() == 13


def _inspector_works(page: Page) -> None:
    page.wait_for_function(_grid_rows("queue"))
    page.wait_for_function(_grid_rows("units"))
    # AG Grid laid out: its theme's styles applied (a header with a real height).
    height = page.evaluate(
        "document.querySelector('#queue .ag-header').getBoundingClientRect().height"
    )
    assert height > 10


def _planner_works(page: Page) -> None:
    page.wait_for_function(_text_of("report-status") + ".startsWith('For')")
    page.wait_for_selector("#report-demand-chart .main-svg")


def test_the_api_docs_page_works_under_the_policy(
    context: BrowserContext, server: LiveServer
) -> None:
    page = _page(context)
    sign_in(page, server.url, "commander")
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert _violations(page) == [] and page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["/signin", "/wall", "/planner", "/api/me", "/api/picture", "/healthz", "/nowhere"]
)
def test_pages_and_api_answers_carry_the_security_headers(live_server: str, path: str) -> None:
    headers = httpx.get(f"{live_server}{path}").headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    if path.startswith("/api/"):
        assert headers["cache-control"] == "no-store", "operational data is not cached"


@pytest.mark.parametrize("path", ["/assets/js/main.js", "/assets/js/inspector/desk.js"])
def test_the_browser_modules_are_javascript_and_asked_for_again_each_time(
    live_server: str, path: str
) -> None:
    answer = httpx.get(f"{live_server}{path}")
    assert answer.status_code == 200
    # A module script runs only if served as JavaScript.
    assert answer.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    assert answer.headers["cache-control"] == "no-cache", "no old module beside a new one"


OFF_SITE = [
    "/%5Cevil.example/",
    "/%09/evil.example/",
    "/%0A/evil.example/",
    "//evil.example/",
    "%2F%2Fevil.example%2F",
    "/%2Fevil.example/",
    "/%5C%5Cevil.example/",
    "%5C%5Cevil.example/",
    "https://evil.example/",
    "https:evil.example/",
    "http%3A%2F%2Fevil.example%2F",
    "javascript:alert(1)",
    "/%20/evil.example/",
    "%09//evil.example/",
    "/.//evil.example/",
    "/%2E//evil.example/",
    "/x/..//evil.example/",
]


@pytest.mark.parametrize("next_", OFF_SITE)
def test_sign_in_never_leaves_our_origin(
    context: BrowserContext, live_server: str, next_: str
) -> None:
    context.route(
        lambda u: urlsplit(u).hostname == "evil.example",
        lambda route: route.fulfill(body="evil"),
    )
    page = _page(context)
    page.goto(f"{live_server}/signin?next={next_}")
    page.wait_for_selector("#signin-form")
    page.fill("#signin-user", "commander")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(lambda u: "/signin" not in u)
    page.wait_for_load_state()
    here = urlsplit(page.url)
    assert f"{here.scheme}://{here.netloc}" == live_server, page.url


def test_a_same_origin_next_is_followed(context: BrowserContext, live_server: str) -> None:
    page = _page(context)
    page.goto(f"{live_server}/signin?next=%2Fplanner%3Fx%3D1")
    page.wait_for_selector("#signin-form")
    page.fill("#signin-user", "planner")
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(f"{live_server}/planner?x=1")
