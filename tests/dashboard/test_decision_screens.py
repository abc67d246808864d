"""Decision support on the screens, in real Chromium against a real server: the wall's I-grade
cover (recomputed here from the raw event log, unit by unit and point by point) and expected
breaches per BCU, and the inspector's suggestions with their reasons and the call's outlook."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
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


def _from_the_log(server: LiveServer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Units on duty (last position and status) and I-grade calls with no unit, as the raw
    log says: its events one by one, nothing of the picture's."""
    units: dict[str, dict[str, Any]] = {}
    calls: dict[str, dict[str, Any]] = {}
    log = EventLog(server.env["BLUELAMP_DATABASE_URL"])
    try:
        for record in log.iter():
            data = record.event.data.model_dump()
            if record.event.type == "unit.on_duty":
                units[data["unit_id"]] = {**data, "status": "available"}
            elif record.event.type == "unit.status":
                units[data["unit_id"]]["status"] = data["status"].value
            elif record.event.type == "incident.created" and data["grade"].value == "I":
                calls[data["incident_id"]] = {**data, "created": record.event.time}
            elif record.event.type == "incident.assigned":
                calls.pop(data["incident_id"], None)
    finally:
        log.close()
    return list(units.values()), list(calls.values())


def _reach(u: dict[str, Any], lat: float, lon: float, as_of: datetime) -> float:
    """Seconds for a free unit to get to (lat, lon): two minutes to leave a station."""
    start = 120.0 if u["status"] == "at_station" else 0.0
    kind = str(u["unit_type"].value)
    return float(TRAVEL.seconds(u["lat"], u["lon"], lat, lon, kind, as_of)) + start


def _cover_from_the_log(server: LiveServer, bcu: str, as_of: datetime) -> tuple[float, float]:
    """The covered share of ``bcu``'s I-grade demand and its expected breaches in the next
    30 minutes, by hand from the raw log: every unit against every demand point with the
    scalar travel time, the busy share counted, demand × (1 - q^k) summed; each waiting
    I-grade call takes the quickest free unit if it arrives in time (else is a breach), and
    new calls in the first 15 minutes breach where no free unit is left: demand × q^k."""
    units, calls = _from_the_log(server)
    free = [u for u in units if u["status"] in ("available", "at_station")]
    q = min(0.95, max(0.05, (len(units) - len(free)) / len(units)))
    london = London.load()
    grid = CoverGrid.of(london)
    demand = calibrated_prior(london, grid).rates(as_of)
    breaches, taken = 0.0, []
    for c in calls:
        left = (c["created"] + timedelta(minutes=15) - as_of).total_seconds()
        etas = sorted((_reach(u, c["lat"], c["lon"], as_of), u["unit_id"]) for u in free)
        if etas and etas[0][0] <= left:
            taken += [u for u in free if u["unit_id"] == etas[0][1]]
            free = [u for u in free if u["unit_id"] != etas[0][1]]
        elif left >= 0 and c["bcu"] == bcu:
            breaches += 1
    covered = total = 0.0
    for i, code in enumerate(grid.bcus):
        if code != bcu:
            continue
        k_all = sum(_reach(u, grid.lats[i], grid.lons[i], as_of) <= 12 * 60 for u in free + taken)
        k_left = sum(_reach(u, grid.lats[i], grid.lons[i], as_of) <= 12 * 60 for u in free)
        covered += demand[i] * (1 - q**k_all)
        total += demand[i]
        breaches += demand[i] * q**k_left * 0.25  # the first quarter hour of the half hour
    return covered / total, breaches


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
    cover, breaches = _cover_from_the_log(server, "AW", datetime.fromisoformat(recs["as_of"]))
    assert cells[-2] == f"{round(cover * 100)}%"
    assert float(cells[-1]) == pytest.approx(breaches, abs=0.051)  # the cell shows tenths
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
