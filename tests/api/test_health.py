"""Health answers without a credential; unknown API paths are a JSON 404, not the dashboard."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dashboard.server import create_server
from stream.settings import load_settings


def _client(tmp_path) -> TestClient:  # type: ignore[no-untyped-def]
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/bluelamp.sqlite3")
    return TestClient(create_server(settings))


def test_healthz_needs_no_credential(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with _client(tmp_path) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_api_path_is_json_404_not_the_page(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with _client(tmp_path) as client:
        get = client.get("/api/no-such-thing")
        post = client.post("/api/no-such-thing", json={})
        page = client.get("/")
    assert get.status_code == 404 and get.json()["detail"].startswith("no such API path")
    assert post.status_code == 404
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
