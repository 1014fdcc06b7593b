"""A request's reply e-mailed to the customer in Chromium (docs/service.md): with mail able to leave (the
server's relay: aiosmtpd), the composer offers "Also e-mail it to <address>", checked; the reply reaches
the customer as "Re: <subject>" and shows in the conversation as sent by e-mail."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.data import api, crew
from tests.e2e.mail import contact_at_globex
from tests.support.accounts import AUTH
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture
async def web_server(database_url: str, sink: SmtpSink) -> AsyncIterator[InProcessServer]:
    """The e2e server with a worker sending mail through ``sink``."""
    settings = settings_for(database_url, room_grace_seconds=0.5, **AUTH, worker="on", smtp_url=sink.url,
                            mail_from="crm@northwind.test", housekeeping_cron="", mailbox_poll_cron="",
                            secret_key=Fernet.generate_key().decode())
    async with in_process_server(settings) as running:
        yield running


async def test_a_reply_is_e_mailed_to_the_customer_and_marked_so(web_server, sink, open_page):
    t = await crew(web_server.http_url)
    ada = await contact_at_globex(web_server.http_url, t)
    made = await api(web_server.http_url, t.member, "POST", f"/api/workspaces/{t.workspace}/requests",
                     json={"subject": "Export is empty", "contact": ada, "channel": "web"})
    page = await open_page(t.member, f"/w/{t.workspace}/requests?request={made['request']['id']}")
    view = page.get_by_test_id("request-view")
    mail = view.get_by_test_id("request-send-mail")
    await mail.wait_for()
    assert await mail.is_checked() and "ada@globex.test" in await view.get_by_test_id("request-composer").inner_text()
    await view.get_by_test_id("request-text").fill("Hi Ada, pick the board first, then export.")
    await view.get_by_test_id("request-send-wait").click()
    await view.get_by_test_id("request-message-reply").get_by_text("by e-mail").wait_for()

    async def delivered() -> bool:
        return any(m["Subject"] == "Re: Export is empty" and m["To"] == "ada@globex.test" for m in sink.messages)

    await eventually(delivered, timeout=15, what="the reply at the customer's SMTP server")
    await page.screenshot(path=str(SCREENSHOTS / "request-reply-mailed.png"), full_page=True)
