"""Headless Chromium for the end-to-end tests: find it (and the built web app) or fail saying how
to install them, launch it once per test session, and sign people in, one browser context each.

Playwright (the Python package) drives Debian's ``chromium``; Playwright's own browser downloads
are never used. ``TANDEM_CHROMIUM`` points at another Chromium binary.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "client" / "web"
DIST = WEB / "dist" / "index.html"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    "--force-color-profile=srgb", "--font-render-hinting=none",
]
REQUIRED_MODULES = ("yjs", "y-websocket", "y-indexeddb", "@tiptap/core", "preact", "vite")
INSTALL_CHROMIUM = "install it with `apt-get update && apt-get install -y chromium` (or set TANDEM_CHROMIUM)"
INSTALL_WEB = "run `cd client/web && npm ci && npm run build` (scripts/test does this; needs Node 20+ and npm)"


def chromium_or_fail() -> str:
    """The Chromium executable, or fail the test (never skip) saying how to install it."""
    configured = os.environ.get("TANDEM_CHROMIUM")
    candidates = (configured,) if configured else ("/usr/bin/chromium", shutil.which("chromium"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    looked = f"TANDEM_CHROMIUM={configured}" if configured else "/usr/bin/chromium and `chromium` on PATH"
    pytest.fail(f"no Chromium found (looked for {looked}); {INSTALL_CHROMIUM}", pytrace=False)


def web_build_or_fail() -> None:
    """Fail (never skip) unless client/web has its node_modules and a build the server can serve."""
    missing = [name for name in REQUIRED_MODULES if not (WEB / "node_modules" / name / "package.json").is_file()]
    if missing:
        pytest.fail(f"client/web/node_modules lacks {', '.join(missing)}; {INSTALL_WEB}", pytrace=False)
    if not DIST.is_file():
        pytest.fail(f"client/web is not built ({DIST.relative_to(ROOT)} is missing); {INSTALL_WEB}", pytrace=False)
    newest = max(p.stat().st_mtime for p in (WEB / "src").rglob("*") if p.is_file())
    if newest > DIST.stat().st_mtime:
        pytest.fail(f"client/web/dist is older than client/web/src; {INSTALL_WEB}", pytrace=False)


def playwright_or_fail():  # -> playwright.async_api.PlaywrightContextManager
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the Python package `playwright` is missing: `pip install -e '.[test]'` (scripts/test does this)",
                    pytrace=False)
    return async_playwright()
