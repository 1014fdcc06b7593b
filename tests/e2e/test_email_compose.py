"""The compose dialog in Chromium (issue 17 item 3): on a contact, a template picked, a line added,
previewed, sent through the system relay — a real aiosmtpd on 127.0.0.1 — the sent copy on the
contact's timeline, a reply threaded from it; in German at 390 px, a merge field without a value
refuses the send, naming it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import add_deals, api, crew
from tests.e2e.deal_panel import deal_path
from tests.e2e.mail import contact_at_globex
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

SENDER = "crm@northwind.test"
PUBLIC = "https://crm.northwind.test"  # tracked links point here; the test opens them on the server itself


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture
async def web_server(database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker sending mail through ``sink``."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on", smtp_url=sink.url,
                            mail_from=SENDER, housekeeping_cron="", mailbox_poll_cron="",
                            secret_key=Fernet.generate_key().decode(), public_url=PUBLIC)
    async with in_process_server(settings) as running:
        yield running


def sent(sink: SmtpSink, subject: str) -> list:
    return [m for m in sink.messages if m["Subject"] == subject]  # crew()'s invitations go there too


async def test_a_mail_is_composed_from_a_template_on_a_contact_sent_through_the_relay_and_on_its_timeline(
        web_server, sink, open_page):
    t = await crew(web_server.http_url)
    contact = await contact_at_globex(web_server.http_url, t)
    page = await open_page(t.member, f"/w/{t.workspace}/contacts/{contact}")
    await page.get_by_test_id("write-email").click()
    dialog = page.get_by_test_id("compose")
    route = dialog.get_by_test_id("compose-route")
    await route.filter(has_text=f"Sent through the Tandem server as {SENDER}").wait_for()
    assert await dialog.get_by_test_id("compose-to").input_value() == "ada@globex.test"
    await dialog.get_by_test_id("compose-template").select_option(label="Welcome (EN)")
    assert await dialog.get_by_test_id("compose-subject").input_value() == "Welcome, {{ contact.first_name }}!"
    await dialog.get_by_test_id("compose-body").click()
    await page.keyboard.press("Control+End")
    await page.keyboard.type(" See you on Monday.")
    await dialog.get_by_test_id("compose-preview-button").click()
    await dialog.get_by_test_id("compose-preview").get_by_text("Welcome, Ada!").wait_for()
    await dialog.get_by_test_id("compose-attachments").wait_for()
    await dialog.get_by_test_id("compose-track").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "email-compose.png"), full_page=True)
    await dialog.get_by_test_id("compose-send").click()
    await dialog.wait_for(state="detached")
    (mail,) = await eventually(lambda: sent(sink, "Welcome, Ada!"), timeout=10, what="the mail at the relay")
    assert mail["Subject"] == "Welcome, Ada!" and mail["Reply-To"] == t.member.email
    assert "See you on Monday." in mail.get_body(("html",)).get_content()
    timeline = page.get_by_test_id("record-timeline")
    await timeline.get_by_text("Welcome, Ada!").wait_for()
    await timeline.get_by_text("E-mail sent").wait_for()
    html = mail.get_body(("html",)).get_content()
    pixel = html.split(f'<img src="{PUBLIC}')[1].split('"')[0]
    async with httpx.AsyncClient(base_url=web_server.http_url) as reader:  # the recipient reads it, once
        assert (await reader.get(pixel, headers={"user-agent": "Thunderbird/128"})).status_code == 200
    await timeline.get_by_test_id("mail-stats-button").click()
    await timeline.get_by_test_id("mail-stats").filter(has_text="Opened 1×").wait_for()
    await page.get_by_test_id("record-timeline").screenshot(path=str(SCREENSHOTS / "email-timeline-tracking.png"))

    await timeline.get_by_test_id("timeline-reply").first.click()
    assert await dialog.get_by_test_id("compose-subject").input_value() == "Re: Welcome, Ada!"
    await dialog.get_by_test_id("compose-body").click()
    await page.keyboard.type("Dear {{ contact.last_name }}, one more thing.")
    await dialog.get_by_test_id("compose-send").click()
    (reply,) = await eventually(lambda: sent(sink, "Re: Welcome, Ada!"), timeout=10, what="the reply")
    assert reply["In-Reply-To"] == mail["Message-ID"]
    assert "Dear Lovelace, one more thing." in reply.get_body(("html",)).get_content()

    german = await open_page(t.member, f"/w/{t.workspace}/contacts/{contact}", width=390, height=844,
                             locale="de-DE")
    await german.get_by_test_id("write-email").click()
    await german.get_by_text("Versand über den Tandem-Server als").wait_for()
    await german.get_by_test_id("compose-body").click()
    await german.keyboard.type("Hallo {{ contact.fields.branche }}")
    await german.get_by_test_id("compose-subject").fill("Kurze Frage")
    await german.get_by_test_id("compose-send").click()
    await german.get_by_test_id("compose-error").filter(has_text="Nicht gesendet: ein Platzhalter hat keinen Wert").wait_for()
    await german.get_by_test_id("preview-missing").filter(has_text="contact.fields.branche").wait_for()
    await german.get_by_test_id("preview-missing").scroll_into_view_if_needed()
    await german.screenshot(path=str(SCREENSHOTS / "email-compose-de-390.png"), full_page=True)


async def test_a_mail_from_a_deal_goes_to_its_contact_with_the_deal_in_its_merge_fields(web_server, sink, open_page):
    t = await crew(web_server.http_url)
    contact = await contact_at_globex(web_server.http_url, t, "Grace", "Hopper")
    (deal,) = await add_deals(web_server.http_url, t.owner, t.document, [{"title": "Globex — 40 seats", "stage": 0}])
    await api(web_server.http_url, t.member, "PATCH", f"/api/boards/{t.board['id']}/cards/{deal}",
              json={"contact": contact})
    page = await open_page(t.member, deal_path(t, deal))
    await page.get_by_test_id("deal-write-email").click()
    dialog = page.get_by_test_id("compose")
    to = dialog.get_by_test_id("compose-to")
    await eventually(lambda: to.input_value(), what="the deal's contact's address in To")
    assert await to.input_value() == "grace@globex.test"
    await dialog.get_by_test_id("compose-template").select_option(label="Follow-up (EN)")
    await dialog.get_by_test_id("compose-send").click()
    await dialog.wait_for(state="detached")
    (mail,) = await eventually(lambda: sent(sink, "Following up: Globex — 40 seats"), timeout=10,
                               what="the follow-up at the relay")
    assert "Hello Grace" in mail.get_body(("html",)).get_content()
    filed = await api(web_server.http_url, t.member, "GET", f"/api/deals/{t.board['id']}/{deal}/emails")
    assert [m["subject"] for m in filed] == ["Following up: Globex — 40 seats"]
