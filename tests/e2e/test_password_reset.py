"""Forgot your password, in Chromium (docs/accounts.md): from the sign-in screen's link to the mail
(a real aiosmtpd relay), the reset page from the mailed link, the sign-in notice and the new password;
the used link says it no longer works; a German phone sees it all in German at 390 px; a server
without mail says an administrator must help."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.browser import SCREENSHOTS
from tests.support.accounts import AUTH, PASSWORD, sign_up
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

NEW_PASSWORD = "a brand new passphrase"
RESET_PATH = re.compile(r"/reset/[A-Za-z0-9_-]+")


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture
async def web_server(database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker sending mail through ``sink`` (no public URL: the link is a path)."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on", smtp_url=sink.url,
                            mail_from="crm@northwind.test", housekeeping_cron="", mailbox_poll_cron="")
    async with in_process_server(settings) as running:
        yield running


async def signed_out(chromium, server: InProcessServer, *, width: int = 1280, locale: str = "en-US") -> Any:
    """A page in a fresh browser context nobody signed in to."""
    browser = await chromium.browser()
    context = await browser.new_context(viewport={"width": width, "height": 860}, device_scale_factor=1,
                                         base_url=server.http_url, locale=locale, timezone_id="UTC")
    context.set_default_timeout(8_000)
    return await context.new_page()


async def mailed_path(sink: SmtpSink, to: str) -> str:
    (mail,) = await eventually(lambda: [m for m in sink.messages if m["To"] == to], what=f"the reset mail to {to}")
    return RESET_PATH.findall(mail.get_body(("plain",)).get_content())[0]


async def ask_for_a_link(page: Any, email: str, *, forgot: str, address: str, send: str) -> None:
    await page.goto("/")
    await page.get_by_role("link", name=forgot).click()
    await page.get_by_label(address).fill(email)
    await page.get_by_role("button", name=send).click()


async def test_a_forgotten_password_is_reset_from_the_mailed_link(web_server, sink, chromium):
    account = await sign_up(web_server.http_url, "Forgetful Fran")
    page = await signed_out(chromium, web_server)
    await ask_for_a_link(page, account.email, forgot="Forgot your password?", address="Work e-mail",
                         send="Send the link")
    answer = page.get_by_test_id("reset-answer")
    await answer.wait_for()
    assert f"If an account exists for {account.email}, we sent it a link" in await answer.inner_text()
    assert "for 60 minutes" in await answer.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "password-reset-sent.png"))

    link = await mailed_path(sink, account.email)
    response = await page.goto(link)
    assert response.headers["referrer-policy"] == "no-referrer"
    assert await page.title() == "Tandem"
    await page.get_by_role("heading", name="Choose a new password").wait_for()
    await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("New password again").fill("something else entirely")
    await page.get_by_role("button", name="Set the new password").click()
    await page.get_by_role("alert").get_by_text("The two passwords differ").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "password-reset-form.png"))
    await page.get_by_label("New password again").fill(NEW_PASSWORD)
    await page.get_by_label("New password again").press("Enter")  # the keyboard submits

    await page.get_by_role("status").get_by_text("Your password is changed").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "password-reset-done.png"))
    await page.get_by_label("Work e-mail").fill(account.email)
    await page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Hi Forgetful, name your workspace").wait_for()  # signed in

    await page.goto(link)
    await page.get_by_label("New password", exact=True).fill("yet another passphrase")
    await page.get_by_label("New password again").fill("yet another passphrase")
    await page.get_by_role("button", name="Set the new password").click()
    await page.get_by_role("heading", name="This link no longer works").wait_for()
    await page.get_by_role("link", name="Ask for a new link").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "password-reset-used.png"))
    await page.context.close()


async def test_a_german_phone_resets_in_german_at_390_px(web_server, sink, chromium):
    account = await sign_up(web_server.http_url, "Vergesslich")
    page = await signed_out(chromium, web_server, width=390, locale="de-DE")
    await ask_for_a_link(page, account.email, forgot="Passwort vergessen?", address="Geschäftliche E-Mail",
                         send="Link senden")
    await page.get_by_text(f"Falls es ein Konto für {account.email} gibt").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "password-reset-sent-de-390.png"), full_page=True)
    await page.goto(await mailed_path(sink, account.email))
    await page.get_by_role("heading", name="Neues Passwort wählen").wait_for()
    await page.get_by_text("Mindestens 10 Zeichen").wait_for()
    await page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    await page.get_by_label("Neues Passwort wiederholen").fill("kurz")
    await page.get_by_role("button", name="Neues Passwort speichern").click()
    await page.get_by_role("alert").get_by_text("mindestens 10 Zeichen").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "password-reset-de-390.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    await page.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Neues Passwort speichern").click()
    await page.get_by_role("status").get_by_text("Ihr Passwort ist geändert").wait_for()
    await page.context.close()


async def test_without_mail_the_page_says_an_administrator_must_help(database_url, chromium):
    async with in_process_server(settings_for(database_url, **AUTH, housekeeping_cron="")) as silent:
        account = await sign_up(silent.http_url, "Offline", password=PASSWORD)
        page = await signed_out(chromium, silent)
        await ask_for_a_link(page, account.email, forgot="Forgot your password?", address="Work e-mail",
                             send="Send the link")
        await page.get_by_role("heading", name="This server sends no e-mail").wait_for()
        assert "Ask whoever runs this server for a reset link" in await page.get_by_test_id("reset-answer").inner_text()
        await page.screenshot(path=str(SCREENSHOTS / "password-reset-no-mail.png"))
        await page.context.close()
