"""Replay on the screens, in real headless Chromium against a real server on Redis: a replay
link opens a past period on the wall with the REPLAY banner; step, play at 60x and pause move
the replayed store along the log and nothing else; commands are off; a live page beside it
sees the live feed and nothing of the replay; one click returns to live."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request

from tests.api.conftest import PASSWORD
from tests.dashboard.test_screens import City, _event, _open, _safe, open_city


@pytest.fixture(scope="module")
def city(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    with open_city(redis_url, tmp_path_factory.mktemp("replay")) as city:
        yield city


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _seq(city: City, seq_at_least: int = 1) -> int:
    deadline = time.monotonic() + 20
    while (seq := int(city.picture()["seq"])) < seq_at_least:
        assert time.monotonic() < deadline, f"the picture never reached seq {seq_at_least}"
        time.sleep(0.1)
    return seq


def _night(city: City) -> tuple[datetime, datetime, str, int, int]:
    """An incident's life recorded a second apart: (period start, end, its id, the seq
    before it, the seq at its end)."""
    city.unit("AW", "AW-R0")  # the log begins before the period
    before = _seq(city, 1)
    start = datetime.now(UTC)
    time.sleep(1.1)
    unit = city.unit("AW", "AW-R1")
    incident = city.incident("AW")
    time.sleep(1.1)
    for kind in ("incident.assigned", "incident.arrived"):
        city.xadd(_event(kind, {"incident_id": incident, "unit_id": unit}))
        time.sleep(1.1)
    city.xadd(_event("incident.closed", {"incident_id": incident, "outcome": "advice given"}))
    _seq(city, before + 5)
    time.sleep(1.1)  # the recommender's advice for the call is in by now too
    last = _seq(city, before + 5)
    return start, datetime.now(UTC), incident, before, last


def _created_seq(city: City, incident: str) -> int:
    """The seq of the record that created ``incident``, from its timeline."""
    token = httpx.post(
        f"{city.url}/api/token", data={"username": "commander", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    answer = httpx.get(f"{city.url}/api/incidents/{incident}", headers=headers, timeout=30)
    return int(answer.json()["timeline"][0]["seq"])


def _replay_state(page: Page) -> str:
    return str(page.locator("#replay-state").text_content())


def test_a_replay_link_plays_steps_pauses_and_returns_to_live(
    browser: Browser, pages: list[Page], city: City
) -> None:
    start, end, incident, before, last = _night(city)
    live_page = _open(browser, pages, city, "commander", "/wall")
    link = f"/wall?replay={_iso(start)}/{_iso(end)}&at={_iso(start)}&speed=1&incident={incident}"
    page = _open(browser, pages, city, "commander", link)
    sent: list[str] = []

    def note(request: Request) -> None:
        if request.method != "GET":
            sent.append(f"{request.method} {request.url}")

    page.on("request", note)
    page.wait_for_function(_safe(f"window.probe.live.replay && window.probe.live.seq === {before}"))
    assert page.locator(".bl-replay-badge").is_visible()
    assert "REPLAY" in str(page.locator("#replay-bar").text_content())
    assert "paused 1×" in _replay_state(page)
    assert page.evaluate("document.body.classList.contains('bl-commands-off')")
    # The incident's moments are marked on the timeline.
    page.wait_for_function(_safe("document.querySelectorAll('.bl-replay-mark').length >= 4"))
    labels = page.eval_on_selector_all(".bl-replay-mark", "ms => ms.map((m) => m.textContent)")
    assert {"created", "assigned", "arrived", "closed"} <= set(labels), labels

    # Step: one record at a time, the incident there from the record that created it on.
    created = _created_seq(city, incident)
    has = f"window.probe.live.incidents.has({json.dumps(incident)})"
    for seq in range(before + 1, created + 1):
        assert not page.evaluate(has), f"not yet created at seq {seq - 1}"
        page.click("#replay-step")
        page.wait_for_function(f"() => window.probe.live.seq === {seq}")
    assert page.evaluate(has), f"created by seq {created}"

    # Play at 60x: the rest of the period in well under a second of replay.
    page.click("button[data-replay-speed='60']")
    page.click("#replay-play")
    page.wait_for_function(f"() => window.probe.live.seq === {last}", timeout=20_000)
    page.wait_for_function(_safe("document.getElementById('replay-play').textContent === 'Play'"))
    assert not page.evaluate(has), "closed by the end of the period"
    assert "paused 60×" in _replay_state(page)
    assert sent == [], f"a replay only reads: {sent}"

    # The live page went on as before; what comes now reaches it, not the replay.
    later = city.incident("AW")
    live_page.wait_for_function(f"() => window.probe.live.incidents.has({json.dumps(later)})")
    time.sleep(0.5)
    assert not page.evaluate(f"window.probe.live.incidents.has({json.dumps(later)})")
    assert page.evaluate("window.probe.live.seq") == last

    # Back to live: one click.
    page.click("#replay-live")
    page.wait_for_function(f"() => window.probe.live.incidents.has({json.dumps(later)})")
    assert page.locator("#replay-bar").is_hidden()
    assert "replay" not in page.url
    assert not page.evaluate("window.probe.live.replay")
    assert page.errors == [], page.errors  # type: ignore[attr-defined]


def test_the_desk_in_replay_shows_the_log_as_it_stood_and_sends_nothing(
    browser: Browser, pages: list[Page], city: City
) -> None:
    start, end, incident, before, last = _night(city)
    middle = start + (end - start) / 2 - timedelta(seconds=0.5)
    path = (
        f"/inspector?bcu=AW&incident={incident}&replay={_iso(start)}/{_iso(end)}&at={_iso(middle)}"
    )
    page = _open(browser, pages, city, "inspector", path)
    page.wait_for_function(_safe("window.probe.live.replay && window.probe.live.seq > 0"))
    seq = page.evaluate("window.probe.live.seq")
    assert before < seq < last
    # The timeline of the selected incident stops at the replayed moment.
    page.wait_for_function(_safe("document.querySelectorAll('.bl-timeline li').length > 0"))
    lines = page.eval_on_selector_all(".bl-timeline li", "ls => ls.map((l) => l.textContent)")
    assert not any("closed" in line for line in lines), lines
    commands = page.eval_on_selector_all("button[data-command]", "bs => bs.map((b) => b.disabled)")
    assert commands and all(commands), "every command button is off in a replay"
    title = page.eval_on_selector_all("button[data-command]", "bs => bs[0].title")
    assert "Replay" in title
