"""Intelligence on the screens, in real Chromium: the inspector of the call's BCU sees what we
know there (the marker's text, the person, dated) with a warning in the queue and on the
map; the wall sees the same warning outline and nothing personal; the look is audited."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page

from tests.dashboard.conftest import PASSWORD, LiveServer, add_users, sign_in
from tests.dashboard.feed import push
from tests.stream.factories import Events

NAME, BORN, TEXT = "Morwenna Quillfeather", "1987-03-14", "Shotgun licence revoked, not recovered"

OUTLINE = """(args) => {
  const layers = window.probe.layers(args[0]);
  const marker = layers && layers.incidentMarkers.get(args[1]);
  return marker ? marker.options.dashArray : undefined;
}"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    server = LiveServer({}, tmp_path_factory.mktemp("intel"))
    add_users(server)
    server.start()
    ev = Events(source="cad")
    push(
        server.url,
        ev.marker_set("M1", "firearms", text=TEXT, offset_m=15),
        ev.incident_created("INTEL-1"),
        ev.person_linked("INTEL-1", "victim", name=NAME, born=BORN, notes="Lives alone"),
    )
    yield server, "INTEL-1"
    server.stop()


def test_the_inspector_sees_what_we_know_there_and_the_look_is_audited(
    desk: tuple[LiveServer, str], page: Page
) -> None:
    server, incident = desk
    sign_in(page, server.url, "inspector", then=f"/inspector?bcu=AW&incident={incident}")
    context = page.locator(".bl-context")
    context.get_by_text(NAME).wait_for()
    text = context.inner_text()
    assert "born 14 Mar 1987" in text and "Lives alone" in text
    assert "⚠ firearms · 15 m away" in text and TEXT in text and "review by 30 Jun 2027" in text
    row = page.locator(f"#queue .ag-row[row-id='{incident}']").first
    row.wait_for()
    assert "⚠ firearms" in row.inner_text()
    page.wait_for_function(OUTLINE, arg=["inspector-map", incident])
    assert page.evaluate(OUTLINE, ["inspector-map", incident]) == "4 3"
    timeline = page.locator(".bl-timeline")
    timeline.get_by_text("victim linked").wait_for()
    assert NAME not in timeline.inner_text()
    token = httpx.post(
        f"{server.url}/api/token", data={"username": "commander", "password": PASSWORD}
    ).json()["access_token"]
    rows = httpx.get(
        f"{server.url}/api/audit",
        params={"kind": "view"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["entries"]
    assert [(r["actor"], r["outcome"], r["target"]) for r in rows] == [
        ("inspector", "ok", incident)
    ]  # one look: the page read the context once
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_wall_shows_the_warning_and_nothing_personal(
    desk: tuple[LiveServer, str], page: Page
) -> None:
    server, incident = desk
    sign_in(page, server.url, "wall", then="/wall")
    page.wait_for_function(OUTLINE, arg=["map", incident])
    assert page.evaluate(OUTLINE, ["map", incident]) == "4 3"
    html = page.content()
    for personal in (NAME, BORN, TEXT, "Lives alone"):
        assert personal not in html
    assert page.errors == []  # type: ignore[attr-defined]
