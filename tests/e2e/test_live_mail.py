"""Live timelines and the deal panel's E-mail section in Chromium (brief J), on a real Dovecot: a
contact's timeline is open when the mailbox sync files a mail from the member's Sent folder and one
from INBOX — both show without a reload; the deal's panel lists the deal's mail (subject, direction,
date), answers one with Reply and starts a new one with "Write e-mail"; in German at 390 px.
Screenshots: deal-emails.png, deal-emails-de-390.png, contact-timeline-live.png."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, crew
from tests.e2e.deal_panel import deal_path
from tests.integration.test_mailbox_sync import message
from tests.support.accounts import AUTH
from tests.support.dovecot import Dovecot, SignInSmtp
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


@pytest.fixture
async def dovecot() -> AsyncIterator[Dovecot]:
    server = await Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_port() -> Iterator[int]:
    with SignInSmtp() as port:
        yield port


@pytest.fixture
async def web_server(database_url: str) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker running the mailbox syncs (asked for, no schedule)."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on",
                            secret_key=Fernet.generate_key().decode(), mailboxes_allow_private=True,
                            mailbox_poll_cron="", housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def test_mail_filed_by_a_sync_shows_on_open_timelines_live_and_on_the_deal_panel(
        web_server, open_page, dovecot, smtp_port):
    url = web_server.http_url
    t = await crew(url)
    user, password = dovecot.user()
    ada = await api(url, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                    json={"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.test"]})
    (deal,) = await add_deals(url, t.owner, t.document, [{"title": "Engines — 12 looms", "stage": 0}])
    await api(url, t.member, "PATCH", f"/api/boards/{t.board['id']}/cards/{deal}", json={"contact": ada["id"]})
    box = await api(url, t.member, "POST", f"/api/workspaces/{t.workspace}/mailboxes", json={
        "address": user, "imap_host": dovecot.host, "imap_port": dovecot.port, "imap_tls": "none",
        "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_tls": "none", "username": user,
        "password": password})

    async def synced() -> bool:
        got = await api(url, t.member, "GET", f"/api/mailboxes/{box['id']}")
        return got["status"] == "ok"

    await eventually(synced, timeout=30, what="the first (empty) sync")
    page = await open_page(t.member, f"/w/{t.workspace}/contacts/{ada['id']}")
    await page.get_by_test_id("record-timeline").get_by_text("Engines — 12 looms").wait_for()  # its deal, no mail yet
    await page.evaluate("window.__noReload = true")

    await dovecot.create(user, password, "Gesendet")  # SPECIAL-USE \Sent: what the member's own client sent
    await dovecot.append(user, password, message(user, "Ada Lovelace <ada@engines.test>", "Loom quote for 12 units",
                                                 "quote@mail.test", body="Here is the quote."), folder="Gesendet")
    await dovecot.append(user, password, message("Ada Lovelace <ada@engines.test>", user, "Re: Loom quote for 12 units",
                                                 "ada-re@engines.test", in_reply_to="quote@mail.test",
                                                 references=["quote@mail.test"], day=3, body="Looks good."))
    await api(url, t.member, "POST", f"/api/mailboxes/{box['id']}/sync")  # as the schedule would
    timeline = page.get_by_test_id("record-timeline")
    await timeline.get_by_text("Loom quote for 12 units", exact=True).wait_for(timeout=20_000)
    await timeline.get_by_text("Re: Loom quote for 12 units").wait_for()
    sent = timeline.locator("li", has_text="Loom quote for 12 units").filter(has_text="E-mail sent").first
    await sent.get_by_text("to ada@engines.test").wait_for()
    assert await page.evaluate("window.__noReload === true"), "the timeline updated by reloading the page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await timeline.screenshot(path=str(SCREENSHOTS / "contact-timeline-live.png"))

    panel_page = await open_page(t.member, deal_path(t, deal))
    section = panel_page.get_by_test_id("deal-emails")
    mails = section.get_by_test_id("deal-email")
    await mails.first.wait_for(timeout=15_000)
    assert await mails.count() == 2
    assert await mails.nth(0).get_attribute("data-direction") == "in"  # newest first
    await mails.nth(0).get_by_text("Received").wait_for()
    await mails.nth(1).get_by_text("Sent", exact=True).wait_for()
    await section.scroll_into_view_if_needed()
    await section.screenshot(path=str(SCREENSHOTS / "deal-emails.png"))
    await panel_page.evaluate("window.__noReload = true")
    await dovecot.append(user, password, message("ada@engines.test", user, "Delivery date?", "when@engines.test",
                                                 day=4))
    await api(url, t.member, "POST", f"/api/mailboxes/{box['id']}/sync")
    await section.get_by_text("Delivery date?").wait_for(timeout=20_000)  # the panel's list is live too
    assert await panel_page.evaluate("window.__noReload === true")

    await mails.filter(has_text="Re: Loom quote").get_by_test_id("deal-email-reply").click()
    dialog = panel_page.get_by_test_id("compose")
    await dialog.wait_for()
    assert await dialog.get_by_test_id("compose-subject").input_value() == "Re: Loom quote for 12 units"
    assert await dialog.get_by_test_id("compose-to").input_value() == "ada@engines.test"
    await panel_page.keyboard.press("Escape")
    await dialog.wait_for(state="detached")
    await section.get_by_test_id("deal-emails-write").click()
    await panel_page.get_by_test_id("compose").wait_for()

    german = await open_page(t.member, deal_path(t, deal), width=390, height=844, locale="de-DE")
    section = german.get_by_test_id("deal-emails")
    await section.get_by_role("heading", name="E-Mail").wait_for()
    await section.get_by_text("Empfangen").first.wait_for()
    await section.get_by_role("button", name="E-Mail schreiben").wait_for()
    await section.scroll_into_view_if_needed()
    width = await section.evaluate("e => e.scrollWidth - e.clientWidth")
    assert width <= 0, f"the e-mail section is {width}px wider than its panel at 390 px"
    await german.screenshot(path=str(SCREENSHOTS / "deal-emails-de-390.png"))
