"""Screens people can work with (issue 13), in real headless Chromium against a real server:
the inspector's queue filters, search, time-to-breach colour, I-grade alert (sound and
mute), the address that keeps BCU and selection across a reload; the wall's KPI order and
demand now against the usual for this hour; the sign-in page's navigation and fast typing."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from geodata import London
from stream.log import EventLog
from stream.sim.demand import Demand, base_rate_per_s
from tests.dashboard.conftest import PASSWORD, sign_in
from tests.dashboard.test_screens import City, _event, _open, _page, _safe, open_city
from tests.live import LiveServer
from tests.stream.factories import POINTS


def _at(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _incident(
    city: City, bcu: str, grade: str, category: str, created: datetime | None = None
) -> str:
    event = _event(
        "incident.created",
        {
            "incident_id": f"INC-{datetime.now(UTC).strftime('%H%M%S%f')}",
            "grade": grade,
            "category": category,
            "lat": POINTS[bcu][0],
            "lon": POINTS[bcu][1] + 0.004,
        },
    )
    if created is not None:
        event["time"] = _at(created)
    city.xadd(event)
    return str(event["data"]["incident_id"])


def _queue_has(page: Page, ident: str) -> None:
    page.wait_for_function(_safe(f"dash_ag_grid.getApi('queue').getRowNode({json.dumps(ident)})"))


def _shown_ids(page: Page) -> list[str]:
    return list(
        page.evaluate(
            """() => { const ids = []; dash_ag_grid.getApi('queue')
                .forEachNodeAfterFilter(n => ids.push(n.data.incident_id)); return ids; }"""
        )
    )


@pytest.fixture(scope="module")
def city(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """A server on the shared Redis under a prefix of its own, with units in AW and NE."""
    with open_city(redis_url, tmp_path_factory.mktemp("screens-work")) as city:
        for bcu in ("AW", "AW", "NE"):
            city.unit(bcu, f"{bcu}{uuid.uuid4().hex[:3].upper()}")
        yield city


# -- the inspector ------------------------------------------------------------------------


def test_the_queue_filters_by_grade_and_status_and_searches_in_words(
    browser: Browser, pages: list[Page], city: City
) -> None:
    welfare = _incident(city, "AW", "S", "concern_for_welfare")
    violence = _incident(city, "AW", "I", "violence")
    page = _open(browser, pages, city, "inspector", "/inspector")
    _queue_has(page, welfare)
    _queue_has(page, violence)
    row = page.locator(f".bl-queue .ag-center-cols-container [row-id='{welfare}']")
    assert "concern for welfare" in row.inner_text()
    assert "S · Significant" in row.inner_text()
    assert "awaiting a unit" in row.inner_text()

    page.click("#queue-filters [data-grade='I']")  # I off: the S-grade row stays
    page.wait_for_function(
        _safe(f"!dash_ag_grid.getApi('queue').getRowNode({json.dumps(violence)}).displayed")
    )
    shown = _shown_ids(page)
    assert welfare in shown and violence not in shown
    page.click("#queue-filters [data-grade='I']")
    page.select_option("#queue-status", "assigned")
    page.wait_for_function(_safe("dash_ag_grid.getApi('queue').getDisplayedRowCount() === 0"))
    page.select_option("#queue-status", "")

    page.fill("#queue-search", "welfare")  # a word of the category as shown
    page.wait_for_function(_safe("dash_ag_grid.getApi('queue').getDisplayedRowCount() === 1"))
    assert _shown_ids(page) == [welfare]
    assert "1 of" in page.locator("#queue-count").inner_text()
    page.fill("#queue-search", violence.lower())  # the incident's id
    page.wait_for_function(_safe("dash_ag_grid.getApi('queue').getDisplayedRowCount() === 1"))
    assert _shown_ids(page) == [violence]
    page.fill("#queue-search", "westminster")  # its borough
    page.wait_for_function(_safe("dash_ag_grid.getApi('queue').getDisplayedRowCount() >= 2"))
    assert {welfare, violence} <= set(_shown_ids(page))
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_row_turns_amber_near_its_target_and_red_and_overdue_after_it(
    browser: Browser, pages: list[Page], city: City
) -> None:
    now = datetime.now(UTC)
    late = _incident(city, "AW", "I", "robbery", created=now - timedelta(minutes=20))
    close = _incident(city, "AW", "I", "weapons", created=now - timedelta(minutes=12))
    easy = _incident(city, "AW", "S", "theft", created=now - timedelta(minutes=1))
    city.unit("AW", "AWNOW")  # an event stamped now: the screens' clock is event time
    page = _open(browser, pages, city, "inspector", "/inspector")
    for ident in (late, close, easy):
        _queue_has(page, ident)

    def row(ident: str) -> Any:
        return page.locator(f".bl-queue .ag-center-cols-container [row-id='{ident}']")

    breached = f".bl-queue .ag-center-cols-container [row-id='{late}'].bl-breached"
    page.wait_for_function(f"() => !!document.querySelector({json.dumps(breached)})")
    assert "overdue" in row(late).inner_text()
    assert "bl-near-breach" in (row(close).get_attribute("class") or "")
    assert "⚠" in row(close).inner_text() and "overdue" not in row(close).inner_text()
    easy_class = row(easy).get_attribute("class") or ""
    assert "bl-near-breach" not in easy_class and "bl-breached" not in easy_class
    assert "⚠" not in row(easy).inner_text()


# The incident the alert banner's Show button would select.
_ALERT_SHOWS = (
    "(document.querySelector('#inspector-alert [data-show]') || {dataset: {}}).dataset.show"
)
_RECORD_BEEPS = """() => { window.__beeps = [];
    window.probe.sound.beep = (why) => window.__beeps.push(why); }"""


def test_a_new_or_breaching_i_grade_beeps_and_shows_a_banner_unless_muted(
    browser: Browser, pages: list[Page], city: City
) -> None:
    known = _incident(city, "AW", "S", "theft")  # on the page before: no alert for it
    page = _open(browser, pages, city, "inspector", "/inspector")
    _queue_has(page, known)
    page.evaluate("() => window.localStorage.removeItem('bluelamp.alerts.muted')")
    page.evaluate(_RECORD_BEEPS)

    fresh = _incident(city, "AW", "I", "weapons")
    page.wait_for_function(_safe(f"{_ALERT_SHOWS} === {json.dumps(fresh)}"))
    banner = page.locator("#inspector-alert")
    assert banner.is_visible()
    assert "New I-grade" in banner.inner_text() and fresh in banner.inner_text()
    assert page.evaluate("() => window.__beeps") == ["New"]

    elsewhere = _incident(city, "NE", "I", "weapons")  # not this BCU: no alert
    overdue = _incident(
        city, "AW", "I", "robbery", created=datetime.now(UTC) - timedelta(minutes=16)
    )
    # The screens' clock is event time (a replay runs in its own time): the next event,
    # stamped now, is what puts the incident past its target.
    city.unit("AW", "AWLATE")
    page.wait_for_function(_safe(f"{_ALERT_SHOWS} === {json.dumps(overdue)}"))
    assert "Target missed" in banner.inner_text()
    assert elsewhere not in banner.inner_text()
    assert page.evaluate("() => window.__beeps")[-1] == "Target missed"

    page.click("#alert-mute")
    assert page.locator("#alert-mute").get_attribute("aria-pressed") == "true"
    page.reload()  # the mute is remembered
    _queue_has(page, known)
    page.wait_for_function(
        "() => document.getElementById('alert-mute').getAttribute('aria-pressed') === 'true'"
    )
    assert "Sound off" in page.locator("#alert-mute").inner_text()
    page.evaluate(_RECORD_BEEPS)
    quiet = _incident(city, "AW", "I", "violence")
    page.wait_for_function(_safe(f"{_ALERT_SHOWS} === {json.dumps(quiet)}"))
    assert page.locator("#inspector-alert").is_visible()
    assert page.evaluate("() => window.__beeps") == []
    page.click("#inspector-alert [data-show]")  # the banner's button selects the incident
    page.wait_for_function(
        f"() => window.location.search.includes({json.dumps('incident=' + quiet)})"
    )
    page.evaluate("() => window.localStorage.removeItem('bluelamp.alerts.muted')")


def test_the_bcu_and_the_selection_survive_a_reload(
    browser: Browser, pages: list[Page], city: City
) -> None:
    page = _open(browser, pages, city, "inspector", "/inspector")
    page.wait_for_function("() => window.location.search.includes('bcu=AW')")  # their own
    target = _incident(city, "NE", "S", "burglary")
    page.goto(f"{city.url}/inspector?bcu=NE")
    _queue_has(page, target)
    page.locator(f".bl-queue .ag-center-cols-container [row-id='{target}']").click()
    page.wait_for_function(
        f"() => window.location.search.includes({json.dumps('incident=' + target)})"
    )
    assert "bcu=NE" in page.url
    page.reload()
    _queue_has(page, target)
    page.wait_for_function(
        _safe(f"dash_ag_grid.getApi('queue').getRowNode({json.dumps(target)}).isSelected()")
    )
    # The panel fills once the live picture has the incident (after the page's first frame).
    page.wait_for_function(
        _safe(f"document.getElementById('detail').innerText.includes({json.dumps(target)})")
    )
    assert "NE" in page.locator("#inspector-bcu").inner_text()
    assert "bcu=NE" in page.url and f"incident={target}" in page.url


# -- the wall -----------------------------------------------------------------------------


def test_the_wall_puts_awaiting_a_unit_first(
    browser: Browser, pages: list[Page], city: City
) -> None:
    page = _open(browser, pages, city, "commander", "/wall")
    page.wait_for_function("() => document.querySelectorAll('#kpis .bl-kpi').length === 5")
    labels = page.eval_on_selector_all("#kpis .bl-kpi-label", "ls => ls.map(l => l.textContent)")
    assert labels == [
        "Awaiting a unit",
        "Open I",
        "Open S",
        "I within 15 min (last hour)",
        "Units available",
    ]
    awaiting = page.locator("#kpis .bl-kpi").first.locator(".bl-kpi-value").inner_text()
    assert int(awaiting) == city.picture()["kpis"]["awaiting_unit"]


def test_the_wall_names_categories_in_words(
    browser: Browser, pages: list[Page], city: City
) -> None:
    # Fourteen minutes old: a minute left, so at risk whatever unit is near.
    _incident(
        city, "NE", "I", "concern_for_welfare", created=datetime.now(UTC) - timedelta(minutes=14)
    )
    city.unit("NE", "NELATE")  # an event stamped now: the screens' clock is event time
    page = _open(browser, pages, city, "commander", "/wall")
    page.wait_for_function(
        _safe("document.getElementById('at-risk').textContent.includes('concern for welfare')")
    )
    assert "concern_for_welfare" not in page.locator("#at-risk").inner_text()


def _post(server: LiveServer, events: list[dict[str, Any]]) -> None:
    token = httpx.post(
        f"{server.url}/api/token", data={"username": "feed", "password": PASSWORD}
    ).json()["access_token"]
    answer = httpx.post(
        f"{server.url}/api/events",
        json=events,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code < 300, answer.text


def _present(now: datetime) -> list[dict[str, Any]]:
    """Units coming on duty at ``now``: enough current events that the picture's clock,
    which a single event far from the others does not move (stream/clock.py), is at now."""
    events = []
    for n in range(6):
        event = _event(
            "unit.on_duty",
            {
                "unit_id": f"NOW-{n}",
                "callsign": f"NOW{n}",
                "unit_type": "IRV",
                "home_bcu": "AW",
                "lat": POINTS["AW"][0],
                "lon": POINTS["AW"][1],
            },
        )
        event["time"] = _at(now)
        events.append(event)
    return events


def _created(bcu: str, when: datetime, n: int) -> dict[str, Any]:
    event = _event(
        "incident.created",
        {
            "incident_id": f"U-{bcu}-{when:%Y%m%d%H%M}-{n}",
            "grade": "S",
            "category": "theft",
            "lat": POINTS[bcu][0],
            "lon": POINTS[bcu][1] + 0.0005 * (n % 5),
        },
    )
    event["time"] = _at(when)
    return event


def _bcu_row(bcu: str) -> str:
    return f"#bcu-table tr:has(th:text-is('{bcu}'))"


def _demand_shown(bcu: str) -> str:
    """Whether the wall shows ``bcu``'s demand against the usual ("2 / 2.0", not "–")."""
    return f"""() => Array.from(document.querySelectorAll('#bcu-table tr')).some((tr) =>
        tr.querySelector('th') && tr.querySelector('th').textContent === {json.dumps(bcu)}
        && / \\/ /.test(tr.querySelector('td.bl-demand').textContent))"""


def _wall_demand(page: Page, bcu: str) -> tuple[int, float]:
    """Demand now and usual as the wall's cell says them: "▲ 12 / 7.5" or "2 / 2.0"."""
    said = page.locator(f"{_bcu_row(bcu)} td.bl-demand").inner_text()
    found = re.search(r"(\d+) / (\d+\.\d)", said)
    return (int(found.group(1)), float(found.group(2))) if found else (-1, -1.0)


def _from_raw_log(server: LiveServer, bcu: str, weeks: int) -> tuple[int, float, bool]:
    """Demand now and usual for ``bcu`` from the raw event log, by hand: every
    incident.created event located afresh, counted in each week's same hour."""
    log = EventLog(server.env["BLUELAMP_DATABASE_URL"])
    london = London.load()
    try:
        records = list(log.iter())
    finally:
        log.close()
    at = max(r.event.time for r in records)
    created = []
    for r in records:
        if r.event.type == "incident.created":
            place = london.locate(r.event.data.lat, r.event.data.lon)  # type: ignore[union-attr]
            created.append((r.event.time, place.bcu if place else None))
    first = min(t for t, _ in created)
    hour = timedelta(hours=1)

    def count(end: datetime) -> int:
        return sum(1 for t, b in created if b == bcu and end - hour < t <= end)

    long_enough = first <= at - timedelta(weeks=weeks) - hour
    usual = sum(count(at - timedelta(weeks=k)) for k in range(1, weeks + 1)) / weeks
    return count(at), usual, long_enough


def test_the_wall_shows_demand_now_against_four_weeks_of_log(
    browser: Browser, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(BLUELAMP_LOGIN_ATTEMPTS="1000")
    now = datetime.now(UTC).replace(microsecond=0)
    events = [_created("CN", now - timedelta(weeks=5), 0)]  # the log starts five weeks ago
    for k, n in ((1, 3), (2, 1), (3, 0), (4, 4)):
        events += [_created("CN", now - timedelta(weeks=k, minutes=10 + i), i) for i in range(n)]
    events += [_created("CN", now - timedelta(weeks=2, minutes=70), 9)]  # outside the hour
    events += [_created("CN", now - timedelta(minutes=m), m) for m in (5, 40)]
    events += [_created("AW", now, 0)]
    _post(server, events + _present(now))
    expected_now, expected_usual, long_enough = _from_raw_log(server, "CN", 4)
    assert long_enough and (expected_now, expected_usual) == (2, 2.0)

    page = _page(browser)
    try:
        sign_in(page, server.url, "commander", then="/wall")
        page.wait_for_function(_demand_shown("CN"))
        assert _wall_demand(page, "CN") == (expected_now, expected_usual)
        assert "usual: from 4 weeks of log" in page.locator("#bcu-table caption").inner_text()
        assert "2 / 2.0" in page.locator(_bcu_row("CN")).inner_text()
    finally:
        page.context.close()


def test_a_short_log_compares_with_the_calibration_and_says_so(
    browser: Browser, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(BLUELAMP_LOGIN_ATTEMPTS="1000")
    now = datetime.now(UTC).replace(microsecond=0)
    _post(
        server, [_created("AW", now - timedelta(minutes=m), m) for m in (59, 20, 1)] + _present(now)
    )
    expected_now, _, long_enough = _from_raw_log(server, "AW", 4)
    assert not long_enough and expected_now == 3
    # The calibration's figure by another route: London's rate summed second by second over
    # the hour, times the BCU's share.
    share = Demand(London.load()).bcu_share("AW")

    def expected(at: datetime) -> float:
        return round(
            sum(base_rate_per_s(at - timedelta(seconds=s + 0.5)) for s in range(3600)) * share, 1
        )

    page = _page(browser)
    try:
        sign_in(page, server.url, "commander", then="/wall")
        page.wait_for_function(_demand_shown("AW"))
        shown_now, shown_usual = _wall_demand(page, "AW")
        assert shown_now == expected_now
        # The hour is the picture's, whose clock runs on from the last event: somewhere
        # between the events' time and now (seconds apart, minutes on a loaded machine).
        low, high = sorted((expected(now), expected(datetime.now(UTC))))
        assert low - 0.051 <= shown_usual <= high + 0.051
        assert "usual: calibration" in page.locator("#bcu-table caption").inner_text()
    finally:
        page.context.close()


# -- sign-in and navigation ---------------------------------------------------------------


def test_the_sign_in_page_has_no_navigation_and_keeps_every_keystroke(
    browser: Browser, pages: list[Page], city: City
) -> None:
    page = _page(browser)
    pages.append(page)
    page.goto(f"{city.url}/signin")
    page.wait_for_selector("#signin-user")
    assert not page.locator(".bl-nav").is_visible()
    assert not page.locator("#sign-out").is_visible()
    page.focus("#signin-user")
    page.keyboard.type("commander", delay=0)
    page.focus("#signin-password")
    page.keyboard.type(PASSWORD, delay=0)
    assert page.input_value("#signin-user") == "commander"
    assert page.input_value("#signin-password") == PASSWORD
    page.keyboard.press("Enter")
    page.wait_for_url(f"{city.url}/wall")

    again = _page(browser)  # a password manager: filled, then submitted at once
    pages.append(again)
    again.goto(f"{city.url}/signin?next=%2Finspector")
    again.fill("#signin-user", "inspector")
    again.fill("#signin-password", PASSWORD)
    again.click("#signin-form button[type=submit]")
    again.wait_for_url(f"{city.url}/inspector**")
    assert again.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("user", "planner"), [("commander", True), ("planner", True), ("inspector", False)]
)
def test_the_planner_link_is_there_only_for_roles_that_may_use_it(
    browser: Browser, pages: list[Page], city: City, user: str, planner: bool
) -> None:
    page = _open(browser, pages, city, user, "/wall")
    page.wait_for_function("() => document.documentElement.dataset.role !== undefined")
    assert page.locator(".bl-nav").is_visible()
    assert page.get_by_role("link", name="Wall").is_visible()
    assert page.get_by_role("link", name="Planner").is_visible() is planner
    assert page.locator("#sign-out").is_visible()
