"""The workspace BCC address (issue 17 item 3): the real inbound SMTP listener (aiosmtpd on a free
loopback port, TANDEM_BCC_SMTP_PORT) takes a member's mail sent with the address in Bcc and the
worker files it on the contact's timeline — once, however often it arrives; a stranger's mail and
unknown addresses are refused at the SMTP level; a regenerated address replaces the old one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import pytest

from tests.support.accounts import team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer
from tests.support.smtp_listener import listening_server
from tests.support.services import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)
DOMAIN = "bcc.tandem.test"
PORT = free_port()


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    async with listening_server(module_database_url, DOMAIN, PORT) as running:
        yield running


def mail(sender: str, bcc: str, message_id: str, subject: str = "Our offer") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "Ada <ada@globex.test>", subject
    message["Message-ID"] = message_id
    message.set_content("Dear Ada, here is the offer.")
    return message


async def send(message: EmailMessage, to: str) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=PORT, recipients=[to], start_tls=False,
                          use_tls=False)


async def timeline(server: InProcessServer, who, contact: str) -> list[dict]:
    return (await ok(server, who, "GET", f"/api/contacts/{contact}/timeline"))["items"]


async def emails(server: InProcessServer, who, contact: str) -> list[dict]:
    return [e for e in await timeline(server, who, contact) if e["kind"] == "email"]


async def test_a_members_mail_with_the_bcc_address_is_filed_on_the_contact_once(server):
    t = await team(server.http_url)
    contact = (await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts",
                        json={"first_name": "Ada", "emails": ["ada@globex.test"]}))["id"]
    shown = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/bcc")
    assert shown["listening"] is True and shown["address"].startswith("bcc+") and shown["address"].endswith(DOMAIN)
    assert await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/bcc") == shown  # one per workspace
    message = mail(f"Mia <{t.member.email}>", shown["address"], make_msgid(domain="mia.test"))
    for _ in range(2):  # sent twice (a client's retry): one message
        await send(message, shown["address"].upper())
    [filed] = await eventually(lambda: emails(server, t.owner, contact), timeout=30, every=0.1, what="the BCC mail")
    assert (filed["title"], filed["direction"]) == ("Our offer", "out")
    async with server.services.pool.acquire() as conn:
        await eventually(lambda: conn.fetchval("SELECT count(*) = 0 FROM pgqueuer WHERE entrypoint = 'mail.bcc'"),
                         timeout=30, every=0.1, what="both deliveries filed")
    assert len(await emails(server, t.owner, contact)) == 1


async def test_a_strangers_mail_and_unknown_addresses_are_refused_and_a_new_address_replaces_the_old(server):
    t = await team(server.http_url)
    old = (await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/bcc"))["address"]
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await send(mail("Eve <eve@elsewhere.test>", old, make_msgid()), old)
    assert refused.value.code == 550 and "not a member" in refused.value.message
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(mail(f"Mia <{t.member.email}>", old, make_msgid()), f"bcc+nosuchtoken@{DOMAIN}")
    assert (await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/bcc/regenerate")).status_code == 403
    new = (await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/bcc/regenerate"))["address"]
    assert new != old
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await send(mail(f"Mia <{t.member.email}>", old, make_msgid()), old)
    await send(mail(f"Mia <{t.member.email}>", new, make_msgid()), new)
    assert (await call(server, t.viewer, "GET", f"/api/workspaces/{t.workspace}/bcc")).status_code == 403
