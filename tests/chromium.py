"""Debian's Chromium driven by Playwright, for the tests that use a real browser.

``playwright install`` cannot download browsers here, so the system's is launched by path;
headless Chromium plays audio only with the autoplay flag (muted: nothing is heard).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.helpers import require

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--autoplay-policy=no-user-gesture-required", "--mute-audio"]

try:
    from playwright import sync_api as playwright_api
except ImportError:  # pragma: no cover - the test extras install it
    playwright_api = None  # type: ignore[assignment]


def launch() -> Iterator[Any]:
    """A fixture's body: the browser, closed afterwards; skips (fails on CI) without it."""
    require(playwright_api is not None, "playwright is not installed (pip install -e '.[test]')")
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
