"""Leads from e-mail (docs/leads.md, "By e-mail") through the real SMTP listener (aiosmtpd on a free
loopback port, TANDEM_BCC_SMTP_PORT) and the worker: a stranger's mail to the workspace's
``leads+<token>@`` address becomes one lead however often it arrives, a reply joins its lead's note,
an out-of-office makes nothing, and unknown or retired addresses are refused with 550."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid
from uuid import UUID

import aiosmtplib
import pytest

from server.services.lead_mail import file_lead_mail
from server.storage.unit import transactions
from tests.support.accounts import team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer
from tests.support.smtp_listener import listening_server
from tests.support.services import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)
DOMAIN = "in.tandem.test"
PORT = free_port()


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    async with listening_server(module_database_url, DOMAIN, PORT) as running:
        yield running


def mail(sender: str, subject: str, body: str, message_id: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "Sales <sales@example.test>", subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def send(message: EmailMessage, to: str) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=PORT, recipients=[to], start_tls=False, use_tls=False)


async def leads(server: InProcessServer, who, workspace: str) -> list[dict]:
    return (await ok(server, who, "GET", f"/api/workspaces/{workspace}/leads?source=email"))["leads"]


async def settled(server: InProcessServer) -> None:
    async with server.services.pool.acquire() as conn:
        await eventually(lambda: conn.fetchval("SELECT count(*) = 0 FROM pgqueuer WHERE entrypoint = 'leads.mail'"),
                         timeout=30, every=0.1, what="the leads mail filed")


async def test_a_strangers_mail_becomes_one_lead_and_a_reply_joins_its_note(server):
    t = await team(server.http_url)
    shown = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads/address")
    assert shown["listening"] is True and shown["address"].startswith("leads+") and shown["address"].endswith(DOMAIN)
    assert await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/leads/address") == shown
    first = make_msgid(domain="acme-tools.co.uk")
    message = mail("Ann Lee <ann@mail.acme-tools.co.uk>", "Quote for 40 seats", "We need 40 seats by May.", first)
    for _ in range(2):  # delivered twice (a retry): one lead
        await send(message, shown["address"].upper())
    [lead] = await eventually(lambda: leads(server, t.member, t.workspace), timeout=30, every=0.1, what="the lead")
    assert (lead["title"], lead["person_name"], lead["email"], lead["organisation_name"], lead["source"]) == \
        ("Quote for 40 seats", "Ann Lee", "ann@mail.acme-tools.co.uk", "Acme Tools", "email")
    assert lead["note"] == "We need 40 seats by May." and lead["status"] == "new"
    await settled(server)
    await send(mail("Ann Lee <ann@mail.acme-tools.co.uk>", "Re: Quote for 40 seats", "Make it 50, please.",
                    make_msgid(domain="acme-tools.co.uk"), In_Reply_To=first, References=first), shown["address"])
    joined = await eventually(lambda: _note_has(server, t, lead["id"], "Make it 50"), timeout=30, every=0.1,
                              what="the reply on the lead's note")
    assert joined["note"].startswith("We need 40 seats by May.\n\n— ") and "Re: Quote for 40 seats" in joined["note"]
    assert len(await leads(server, t.member, t.workspace)) == 1


async def _note_has(server: InProcessServer, t, lead: str, text: str) -> dict | None:
    found = await ok(server, t.member, "GET", f"/api/leads/{lead}")
    return found if text in found["note"] else None


async def test_freemail_has_no_organisation_and_an_out_of_office_makes_no_lead(server):
    t = await team(server.http_url)
    address = (await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads/address"))["address"]
    await send(mail("Out <bo@gmail.com>", "Automatic reply: hello", "I am away.", make_msgid(),
                    Auto_Submitted="auto-replied"), address)
    await send(mail("Bo <bo@gmail.com>", "Interested", "Call me.", make_msgid()), address)
    [lead] = await eventually(lambda: leads(server, t.member, t.workspace), timeout=30, every=0.1, what="the lead")
    await settled(server)
    assert (lead["title"], lead["organisation_name"]) == ("Interested", "")
    assert len(await leads(server, t.member, t.workspace)) == 1


async def test_unknown_and_retired_leads_addresses_are_refused_with_550(server):
    t = await team(server.http_url)
    old = (await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads/address"))["address"]
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await send(mail("Cy <cy@x.test>", "Hi", "Hi", make_msgid()), f"leads+nosuchtoken@{DOMAIN}")
    assert refused.value.recipients[0].code == 550
    assert (await call(server, t.member, "POST",
                       f"/api/workspaces/{t.workspace}/leads/address/regenerate")).status_code == 403
    new = (await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/leads/address/regenerate"))["address"]
    assert new != old
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(mail("Cy <cy@x.test>", "Hi", "Hi", make_msgid()), old)
    await send(mail("Cy <cy@x.test>", "Hi", "Hi", make_msgid()), new)
    assert (await call(server, t.viewer, "GET", f"/api/workspaces/{t.workspace}/leads/address")).status_code == 403


async def test_four_deliveries_of_one_message_at_once_make_one_lead(server):
    t = await team(server.http_url)
    raw = mail("Dee <dee@globex.test>", "Demo please", "Can we see it?", make_msgid()).as_bytes()
    begin = transactions(server.services.pool)
    made = await asyncio.gather(*(file_lead_mail(begin, UUID(t.workspace), raw) for _ in range(4)))
    assert len({lead for lead in made if lead}) == 1
    [lead] = await leads(server, t.member, t.workspace)
    assert (lead["title"], lead["organisation_name"]) == ("Demo please", "Globex")
