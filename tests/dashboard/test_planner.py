"""The planner page in real Chromium: date pickers, the response chart as a series per grade
(checked against the raw events, folded by tests/reports/report_day.py), words people use, and
nothing of an earlier period left on screen when a period is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page

from tests.api.conftest import PASSWORD
from tests.dashboard.conftest import sign_in
from tests.live import LiveServer
from tests.reports.report_day import DAY, DAY_END, START, compliance, scripted

STATUS = "(document.getElementById('report-status') || {}).textContent || ''"


def _figure(page: Page, name: str) -> dict[str, Any]:
    """The plotly figure drawn in a report's graph (data and the layout in force)."""
    found = page.evaluate(
        "(name) => {"
        " const g = document.querySelector('#report-' + name + '-chart .js-plotly-plot');"
        " return g ? {"
        " data: (g.data || []).map(t => ({ name: t.name, type: t.type, x: t.x, y: t.y })),"
        " barmode: g._fullLayout && g._fullLayout.barmode } : null; }",
        name,
    )
    assert found is not None
    return dict(found)


def _show(page: Page, start: str, end: str) -> None:
    page.fill("#report-from", start)
    page.fill("#report-to", end)
    page.click("#report-show")


def test_the_planner_picks_dates_and_sees_a_series_per_grade(
    page: Page, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(BLUELAMP_LOGIN_ATTEMPTS="1000")
    script = scripted(seed=41)
    token = httpx.post(
        f"{server.url}/api/token", data={"username": "feed", "password": PASSWORD}
    ).json()["access_token"]
    events = script.ordered()
    for first in range(0, len(events), 200):
        answer = httpx.post(
            f"{server.url}/api/events",
            json=events[first : first + 200],
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
    sign_in(page, server.url, "planner", then="/planner")
    assert page.locator("#report-from").get_attribute("type") == "date"
    page.wait_for_function(f"() => ({STATUS}).startsWith('For')")  # the default week

    _show(page, DAY, DAY)
    page.wait_for_function(f"() => ({STATUS}) === 'For {DAY} to {DAY} (London time).'")
    expected = compliance(script, START, DAY_END)
    bcus = sorted({bcu for _, bcu in expected})
    x = json.dumps(",".join(bcus))
    page.wait_for_function(
        "() => { const g = document.querySelector('#report-response-chart .js-plotly-plot');"
        f" return g && g.data && g.data.length === 2 && g.data[0].x.join() === {x}; }}"
    )
    drawn = _figure(page, "response")
    assert drawn["barmode"] == "group"  # side by side: never a sum of two shares
    assert [(t["name"], t["type"], t["x"], t["y"]) for t in drawn["data"]] == [
        ("Immediate (I)", "bar", bcus, [expected.get(("I", b)) for b in bcus]),
        ("Significant (S)", "bar", bcus, [expected.get(("S", b)) for b in bcus]),
    ]
    headers = page.locator("#report-response-table th").all_inner_texts()
    assert "% within target" in headers and "within_target_pct" not in headers
    demand = page.locator("#report-demand-table").inner_text()
    assert "concern for welfare" in demand and "concern_for_welfare" not in demand
    # Each late arrival shown opens its replay on the inspector's desk.
    replays = page.eval_on_selector_all(
        "#report-response-table a.bl-replay-link", "links => links.map((a) => a.href)"
    )
    assert replays and all("/inspector?" in h and "replay=" in h for h in replays), replays
    xlsx = page.locator("#report-response-xlsx").get_attribute("href") or ""
    assert f"from={DAY}&to={DAY}" in xlsx and xlsx.endswith("format=xlsx")
    gis = page.locator("#report-demand-incidents-gpkg").get_attribute("href") or ""
    assert gis.startswith("/api/exports/incidents?") and gis.endswith("format=gpkg")
    with page.expect_download() as download:
        page.locator("#report-demand-incidents-geojson").click()
    assert download.value.suggested_filename == f"bluelamp-incidents-{DAY}.geojson"

    # A period the server refuses: its reason shown, and no chart, table or link of the
    # period before left on screen.
    _show(page, "2026-11-20", DAY)
    page.wait_for_function(f"() => ({STATUS}).startsWith('✗ 422')")
    assert "before" in page.locator("#report-status").inner_text()
    page.wait_for_function(
        "() => ['demand', 'response', 'resources', 'advice'].every(n => {"
        " const g = document.querySelector('#report-' + n + '-chart .js-plotly-plot');"
        " return !g || !g.data || g.data.length === 0; })"
    )
    for name in ("demand", "response", "resources", "advice"):
        assert page.locator(f"#report-{name}-table").inner_html() == ""
        assert page.locator(f"#report-{name} a[href]").count() == 0

    # A day not chosen in full: said so, and nothing shown either.
    _show(page, DAY, DAY)
    page.wait_for_function(f"() => ({STATUS}).startsWith('For')")
    page.fill("#report-from", "")
    page.click("#report-show")
    page.wait_for_function(f"() => ({STATUS}).startsWith('✗ Choose')")
    assert page.locator("#report-response-table").inner_html() == ""
    # The browser logs each refused request (a 422 for each of the four reports asked for);
    # nothing else failed.
    errors = page.errors  # type: ignore[attr-defined]
    assert [e for e in errors if "status of 422" not in e] == [] and len(errors) == 4
