"""Health answers without a credential; unknown API paths are a JSON 404, not the dashboard."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import add_readiness_check, create_app
from api.security import InsecureSettings
from bluelamp.server import create_server
from bluelamp.settings import load_settings
from tests.databases import migrated
from tests.live import TEST_SECRET, LiveServer


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        database_url=migrated(f"sqlite:///{tmp_path}/bluelamp.sqlite3"), secret_key=TEST_SECRET
    )
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
    assert {"app", "bus", "database", "sequencer", "dashboard"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values())


def test_unknown_api_path_is_json_404_not_the_page(client: TestClient) -> None:
    get = client.get("/api/no-such-thing")
    post = client.post("/api/no-such-thing", json={})
    page = client.get("/")
    assert get.status_code == 404 and get.json()["detail"].startswith("no such API path")
    assert post.status_code == 404
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_readyz_is_503_naming_a_failing_dependency(tmp_path: Path) -> None:
    database = migrated(f"sqlite:///{tmp_path}/bluelamp.sqlite3")
    app = create_app(load_settings(database_url=database, secret_key=TEST_SECRET))

    async def archive_down() -> str:
        raise ConnectionError("archive at 127.0.0.1:9999 refused the connection")

    add_readiness_check(app, "archive", archive_down)
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert "refused" in response.json()["checks"]["archive"]["detail"]
    assert response.json()["checks"]["app"]["ok"] is True


@pytest.mark.parametrize("secret", [None, "changeme", "short-but-not-empty"])
def test_refuses_to_start_without_a_real_secret_outside_demo_mode(
    tmp_path: Path, secret: str | None
) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path}/b.sqlite3", secret_key=secret)
    with pytest.raises(InsecureSettings, match="BLUELAMP_SECRET_KEY"):
        create_app(settings)


def test_serve_says_why_it_will_not_start(tmp_path: Path) -> None:
    server = LiveServer({"BLUELAMP_SECRET_KEY": ""}, tmp_path)
    bluelamp = Path(sys.executable).with_name("bluelamp")
    done = subprocess.run(
        [str(bluelamp), "serve"], cwd=tmp_path, env=server.env, capture_output=True, timeout=120
    )
    assert done.returncode == 2
    assert b"BLUELAMP_SECRET_KEY must be set" in done.stderr
