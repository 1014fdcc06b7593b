"""Settings › Mailbox in Chromium (issue 17 items 2-3): a member connects their mailbox on a real
Dovecot (a wrong password first: the refusal is shown in words), watches its status turn to synced
with the messages filed, and the synced e-mail shows on the contact's timeline; the screen in
German and at 390 px. Another member sees who wrote and when, and the subject once it is shared. Screenshots: mailbox-settings*.png, contact-timeline-email.png."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
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
    """The e2e server with a worker running the mailbox syncs, and mail servers on loopback allowed."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on",
                            secret_key=Fernet.generate_key().decode(), mailboxes_allow_private=True,
                            mailbox_poll_cron="", housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


async def fill_form(page, dovecot: Dovecot, user: str, password: str, smtp_port: int) -> None:
    await page.get_by_label("E-mail address", exact=True).fill(user)
    await page.get_by_label("App password").fill(password)
    imap = page.get_by_role("group", name="Incoming mail (IMAP)")
    await imap.get_by_label("Server").fill(dovecot.host)
    await imap.get_by_label("Port").fill(str(dovecot.port))
    await imap.get_by_label("Security").select_option("none")
    smtp = page.get_by_role("group", name="Outgoing mail (SMTP)")
    await smtp.get_by_label("Server").fill("127.0.0.1")
    await smtp.get_by_label("Port").fill(str(smtp_port))
    await smtp.get_by_label("Security").select_option("none")


async def test_a_member_connects_a_mailbox_sees_it_synced_and_the_mail_on_the_contacts_timeline(
        web_server, open_page, dovecot, smtp_port):
    t = await crew(web_server.http_url)
    user, password = dovecot.user()
    ada = await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                    json={"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.test"]})
    await dovecot.append(user, password,
                         message("Ada Lovelace <ada@engines.test>", user, "Notes on the Analytical Engine",
                                 "ada1@engines.test", body="Here are my notes, with the table for the Bernoulli numbers."),
                         message(user, "ada@engines.test", "Re: Notes on the Analytical Engine", "me1@mail.test",
                                 in_reply_to="ada1@engines.test", references=["ada1@engines.test"], day=3,
                                 body="Thank you, they arrived."))
    page = await open_page(t.member, f"/w/{t.workspace}/settings/mailbox")
    await page.get_by_text("No mailbox connected").wait_for()
    assert await page.get_by_test_id("settings-read-only").count() == 0, "a member's own mailbox is not read-only"

    await fill_form(page, dovecot, user, "not-the-password", smtp_port)
    await page.get_by_role("button", name="Test and connect").click()
    error = page.get_by_test_id("mailbox-connect-error")
    await error.filter(has_text="refused the user name or password").wait_for()

    await page.get_by_label("App password").fill(password)
    await page.get_by_role("button", name="Test and connect").click()
    row = page.get_by_test_id("mailbox-row")
    await row.get_by_test_id("mailbox-status").filter(has_text="Synced").wait_for(timeout=30_000)
    await row.get_by_test_id("mailbox-facts").filter(has_text="2 messages filed").wait_for()
    assert await page.get_by_test_id("mailbox-connect-error").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.get_by_role("heading", name="Mailbox", exact=True).scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "mailbox-settings.png"), full_page=True)

    colleague = await open_page(t.owner, f"/w/{t.workspace}/contacts/{ada['id']}")  # shared as metadata only
    hidden = colleague.get_by_test_id("record-timeline").get_by_text("Subject not shared")
    await hidden.first.wait_for()
    assert await hidden.count() == 2
    assert await colleague.get_by_text("Notes on the Analytical Engine").count() == 0
    assert await colleague.get_by_role("button", name="Read").count() == 0

    await row.get_by_test_id("mailbox-visibility").select_option("subject")

    async def shared() -> bool:
        [box] = await api(web_server.http_url, t.member, "GET", f"/api/workspaces/{t.workspace}/mailboxes")
        return box["visibility"] == "subject"

    await eventually(shared, timeout=10, what="the visibility saved")
    await colleague.reload()
    await colleague.get_by_test_id("record-timeline").get_by_text("Notes on the Analytical Engine", exact=True).wait_for()

    contact = await open_page(t.member, f"/w/{t.workspace}/contacts/{ada['id']}")
    timeline = contact.get_by_test_id("record-timeline")
    await timeline.get_by_text("Re: Notes on the Analytical Engine").wait_for()
    received = timeline.locator("li", has_text="Notes on the Analytical Engine").filter(has_text="E-mail received")
    await received.get_by_text("from Ada Lovelace").wait_for()
    await received.get_by_role("button", name="Read").click()
    await received.get_by_test_id("timeline-email-body").filter(has_text="table for the Bernoulli numbers").wait_for()
    await contact.screenshot(path=str(SCREENSHOTS / "contact-timeline-email.png"), full_page=True)

    german = await open_page(t.member, f"/w/{t.workspace}/settings/mailbox", locale="de-DE")
    await german.get_by_role("heading", name="Postfach verbinden").wait_for()
    await german.get_by_test_id("mailbox-status").filter(has_text="Synchronisiert").wait_for()
    await german.get_by_role("button", name="Neu einlesen").wait_for()
    await german.get_by_role("heading", name="Postfach", exact=True).scroll_into_view_if_needed()
    await german.screenshot(path=str(SCREENSHOTS / "mailbox-settings-de.png"), full_page=True)

    phone = await open_page(t.member, f"/w/{t.workspace}/settings/mailbox", width=390, height=844)
    await phone.get_by_test_id("mailbox-status").filter(has_text="Synced").wait_for()
    overflow = await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390 px screen"
    await phone.screenshot(path=str(SCREENSHOTS / "mailbox-settings-mobile.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Disconnect").click()
    await page.get_by_text("No mailbox connected").wait_for()
