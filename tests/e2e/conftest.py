"""Fixtures for the end-to-end tests: the built web app served by a real Tandem server (accounts
on), headless Chromium, and a signed-in browser page per person.

Each person gets their own browser context (own cookies, own IndexedDB), as two people on two
machines. Missing Chromium, node_modules or a web build fail the test with how to install them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM_FLAGS, ROOT, chromium_or_fail, playwright_or_fail, web_build_or_fail
from tests.support.accounts import AUTH, PASSWORD, Account
from tests.support.servers import InProcessServer, in_process_server, settings_for

LOGS = ROOT / ".pytest-logs"
Page = Any  # playwright.async_api.Page (imported lazily: a missing package fails the test, not collection)
OpenPage = Callable[..., Awaitable[Page]]


class Chromium:
    """Launches Chromium on first use, inside a test, so that a missing browser or web build is
    reported as that test's failure (with how to install it), not as a fixture error or a skip."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    async def browser(self) -> Any:
        if self._browser is None:
            executable = chromium_or_fail()
            web_build_or_fail()
            manager = playwright_or_fail()
            self._playwright = await manager.start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        return self._browser

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
            await self._playwright.stop()


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Chromium]:
    """One headless Chromium for the whole run (contexts isolate the people)."""
    launcher = Chromium()
    yield launcher
    await launcher.close()


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.5, **AUTH)) as running:
        yield running


@pytest.fixture
async def open_page(chromium: Chromium, web_server: InProcessServer, request: pytest.FixtureRequest
                    ) -> AsyncIterator[OpenPage]:
    """``await open_page(account, path)``: a new context signed in as ``account``, at ``path``
    (``locale="de-DE"``: a German browser, its ``navigator.languages`` and ``Accept-Language``)."""
    contexts: list[Any] = []

    async def open_(account: Account, path: str = "/", *, width: int = 1440, height: int = 900,
                    locale: str = "en-US") -> Page:
        browser = await chromium.browser()
        context = await browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1,
                                             base_url=web_server.http_url, locale=locale, timezone_id="UTC")
        contexts.append(context)
        context.set_default_timeout(8_000)
        signed = await context.request.post("/api/auth/login", data={"email": account.email, "password": PASSWORD})
        assert signed.ok, await signed.text()
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{account.name}: {error}"))
        # The server's Content-Security-Policy must not block anything the app does.
        page.on("console", lambda message: errors.append(f"{account.name}: {message.text}")
                if "Content Security Policy" in message.text else None)
        await page.goto(path)
        return page

    errors: list[str] = []
    yield open_
    LOGS.mkdir(exist_ok=True)
    for i, context in enumerate(contexts):
        for j, page in enumerate(context.pages):  # what each person saw last, for a failing test
            await page.screenshot(path=str(LOGS / f"e2e-{request.node.name}-{i}{j}.png"))
        await context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
