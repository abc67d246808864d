"""Decision support on the screens, in real Chromium against a real server: the wall's I-grade
cover (recomputed here from the raw event log, unit by unit and point by point) and expected
breaches per BCU, and the inspector's suggestions with their reasons and the call's outlook."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from geodata.london import London
from geodata.travel import CrowFliesModel
from stream.log import EventLog
from stream.recommend.grid import CoverGrid
from stream.sim.prior import calibrated_prior
from tests.dashboard.conftest import PASSWORD, sign_in
from tests.live import LiveServer
from tests.stream.factories import POINTS, incident_created, unit_on_duty, unit_status

pytestmark = pytest.mark.browser
TRAVEL = CrowFliesModel()


def _client(server: LiveServer, user: str) -> httpx.Client:
    token = httpx.post(f"{server.url}/api/token", data={"username": user, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30)


def _london_with_a_call(server: LiveServer) -> str:
    lat, lon = POINTS["AW"]
    events: list[dict[str, Any]] = [
        unit_on_duty("AW-1", home_bcu="AW", lat=lat + 0.01, lon=lon),
        unit_on_duty("AW-2", home_bcu="AW", lat=lat - 0.02, lon=lon + 0.01),
        unit_on_duty("AW-3", home_bcu="AW", lat=lat, lon=lon - 0.03),
        unit_on_duty("CE-1", home_bcu="CE", lat=POINTS["CE"][0], lon=POINTS["CE"][1]),
        unit_status("AW-3", "at_station"),
        unit_status("CE-1", "custody"),
        incident_created("I-1", "I", lat, lon + 0.002, reference="CAD 4711"),
    ]
    with _client(server, "feed") as feed:
        answer = feed.post("/api/events", json=events)
    assert answer.status_code == 200, answer.text
    return "I-1"


def _cover_from_the_log(server: LiveServer, bcu: str, as_of: datetime) -> float:
    """The covered share of ``bcu``'s I-grade demand, by hand from the raw log: each unit's
    last position and status, every unit against every demand point with the scalar travel
    time, the busy share counted, and demand × (1 - q^k) summed."""
    units: dict[str, dict[str, Any]] = {}
    log = EventLog(server.env["BLUELAMP_DATABASE_URL"])
    try:
        for record in log.iter():
            data = record.event.data.model_dump()
            if record.event.type == "unit.on_duty":
                units[data["unit_id"]] = {**data, "status": "available"}
            elif record.event.type == "unit.status":
                units[data["unit_id"]]["status"] = data["status"].value
    finally:
        log.close()
    free = [u for u in units.values() if u["status"] in ("available", "at_station")]
    q = min(0.95, max(0.05, (len(units) - len(free)) / len(units)))
    london = London.load()
    grid = CoverGrid.of(london)
    demand = calibrated_prior(london, grid).rates(as_of)
    covered = total = 0.0
    for i, code in enumerate(grid.bcus):
        if code != bcu:
            continue
        k = 0
        for u in free:
            start = 120.0 if u["status"] == "at_station" else 0.0
            kind = str(u["unit_type"].value)
            seconds = TRAVEL.seconds(u["lat"], u["lon"], grid.lats[i], grid.lons[i], kind, as_of)
            k += seconds + start <= 12 * 60
        covered += demand[i] * (1 - q**k)
        total += demand[i]
    return covered / total


def _row_cells(page: Page, bcu: str) -> list[str]:
    row = page.locator(f"#bcu-table tr:has(th:text-is('{bcu}'))")
    return [c.inner_text() for c in row.locator("td").all()]


def test_the_wall_shows_cover_and_expected_breaches_that_recompute_from_the_log(
    start_server: Callable[..., LiveServer], page: Page
) -> None:
    server = start_server()
    _london_with_a_call(server)
    with _client(server, "commander") as chief:
        recs = chief.get("/api/recommendations/moves").json()
    sign_in(page, server.url, "wall", "/wall")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('#bcu-table td.bl-cover'))
            .some((td) => /%$/.test(td.textContent))""",
        timeout=30_000,
    )
    cells = _row_cells(page, "AW")
    expected = _cover_from_the_log(server, "AW", datetime.fromisoformat(recs["as_of"]))
    assert cells[-2] == f"{round(expected * 100)}%"
    assert float(cells[-1]) == pytest.approx(recs["expected_breaches"]["AW"], abs=0.051)
    assert page.locator("#moves li").count() >= 1
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_inspector_sees_why_each_unit_is_suggested_and_when_the_call_breaches(
    start_server: Callable[..., LiveServer], page: Page
) -> None:
    server = start_server()
    incident = _london_with_a_call(server)
    sign_in(page, server.url, "inspector", f"/inspector?bcu=AW&incident={incident}")
    page.wait_for_selector(".bl-reasons", timeout=30_000)
    reasons = page.locator(".bl-reasons").first.inner_text()
    assert re.search(r"\d+ min inside the target", reasons), reasons
    assert "I-grade cover" in reasons
    assert re.match(
        r"breaches unless a unit is sent within \d+ min", page.locator(".bl-outlook").inner_text()
    )
    assert page.locator("[data-assign]").count() >= 2  # AW-1, AW-2 and AW-3 may go; CE-1 may not
    assert page.locator("[data-assign='CE-1']").count() == 0
    assert page.errors == []  # type: ignore[attr-defined]
