"""Health answers without a credential; unknown API paths are a JSON 404, not the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import add_readiness_check, create_app
from dashboard.server import create_server
from stream.settings import load_settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/bluelamp.sqlite3")
    # Started at once: Dash wires its catch-all onto the most recently built app.
    with TestClient(create_server(settings)) as client:
        yield client


def test_healthz_needs_no_credential(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_says_what_it_checked(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert {"app", "dashboard"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


def test_unknown_api_path_is_json_404_not_the_page(client: TestClient) -> None:
    get = client.get("/api/no-such-thing")
    post = client.post("/api/no-such-thing", json={})
    page = client.get("/")
    assert get.status_code == 404 and get.json()["detail"].startswith("no such API path")
    assert post.status_code == 404
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_readyz_is_503_naming_a_failing_dependency(tmp_path: Path) -> None:
    app = create_app(load_settings(database_url=f"sqlite:///{tmp_path}/bluelamp.sqlite3"))

    async def bus_down() -> str:
        raise ConnectionError("redis at 127.0.0.1:6379 refused the connection")

    add_readiness_check(app, "bus", bus_down)
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert "refused" in response.json()["checks"]["bus"]["detail"]
    assert response.json()["checks"]["app"]["ok"] is True
