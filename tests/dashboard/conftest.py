"""A real server in a subprocess and real headless Chromium (Debian's), for browser tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.accounts import Accounts
from api.database import open_database
from api.security import Role
from benchmarks.chromium import CHROMIUM, launch
from benchmarks.probe import probed
from tests.api.conftest import PASSWORD
from tests.databases import migrated
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start a server with extra BLUELAMP_* environment; stopped after the test."""
    servers: list[LiveServer] = []

    def start(**env: str) -> LiveServer:
        server = LiveServer(env, tmp_path)
        add_users(server)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(start_server: Callable[..., LiveServer]) -> str:
    """The base URL of a server with default settings (embedded bus, its own SQLite)."""
    return start_server().url


@pytest.fixture
def pages(browser: Browser) -> Iterator[list[Page]]:
    """The pages a test opens (each in a context of its own), closed after it."""
    opened: list[Page] = []
    yield opened
    for page in opened:
        page.context.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope, not session: Playwright's sync API keeps an event loop running in the
    # main thread while it is open, which would break every asyncio test collected after it.
    with chromium() as launched:
        yield launched


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, with a fresh temporary profile of its own."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh 1920×1080 page that records console errors and failed page errors."""
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="en-GB", timezone_id="Europe/London"
    )
    probed(context)
    yield recording_errors(context.new_page())
    context.close()


def recording_errors(page: Page) -> Page:
    """``page`` with ``page.errors``: every console error and uncaught page error."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


#: The users every test server has: name -> (role, BCU).
USERS = {
    "commander": ("commander", None),
    "inspector": ("inspector", "AW"),
    "planner": ("planner", None),
    "feed": ("feed", None),
    "wall": ("wall", None),
}


def add_users(server: LiveServer) -> None:
    """The test users, in the server's database before it starts."""
    schema = server.env.get("BLUELAMP_DATABASE_SCHEMA")
    engine = open_database(migrated(server.env["BLUELAMP_DATABASE_URL"], schema), schema)
    accounts = Accounts(engine)
    for name, (role, bcu) in USERS.items():
        accounts.ensure(name, PASSWORD, Role(role), bcu)
    engine.dispose()


def sign_in(page: Page, url: str, user: str, then: str = "/wall") -> None:
    """Through the sign-in page, as a person would; then on ``then`` (or the role's home)."""
    page.goto(f"{url}{then}")
    page.wait_for_selector("#signin-form")
    page.fill("#signin-user", user)
    page.fill("#signin-password", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_url(lambda u: "/signin" not in u)


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
