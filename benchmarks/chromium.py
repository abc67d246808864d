"""Debian's headless Chromium under Playwright, launched one way for benchmarks and tests.

The browser benchmark uses it, and so do the browser tests (tests/dashboard imports it:
benchmarks never import tests).
"""

from __future__ import annotations

import os

from playwright.sync_api import Browser, Playwright

CHROMIUM = os.environ.get("BLUELAMP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: For measuring: many pages open at once, and Chromium would slow the timers and repaints
#: of those it thinks are in the background.
UNTHROTTLED = [
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]


def launch(playwright: Playwright, *extra_args: str) -> Browser:
    """Chromium at ``CHROMIUM`` with ``CHROMIUM_ARGS`` and ``extra_args``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
