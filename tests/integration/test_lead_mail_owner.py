"""Leads from e-mail get an owner (docs/leads.md, "By e-mail"), through the real SMTP listener and the
worker: the member who made the leads address owns the leads mail makes and is told by the bell;
admins choose another member (members may not; a stranger's id is refused naming ``owner``); an
owner who left hands the leads to the workspace's owner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid
from uuid import uuid4

import aiosmtplib
import pytest

from tests.support.accounts import team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer
from tests.support.smtp_listener import listening_server
from tests.support.services import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)
DOMAIN = "owners.tandem.test"
PORT = free_port()


@pytest.fixture(scope="module")
async def server(module_database_url: str) -> AsyncIterator[InProcessServer]:
    async with listening_server(module_database_url, DOMAIN, PORT) as running:
        yield running


async def send(address: str, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Ann Lee <ann@acme-tools.test>", address, subject
    message["Message-ID"] = make_msgid(domain="acme-tools.test")
    message.set_content("Please call me.")
    await aiosmtplib.send(message, hostname="127.0.0.1", port=PORT, recipients=[address], start_tls=False,
                          use_tls=False)


async def lead_titled(server: InProcessServer, who, workspace: str, title: str) -> dict | None:
    found = (await ok(server, who, "GET", f"/api/workspaces/{workspace}/leads?source=email"))["leads"]
    return next((lead for lead in found if lead["title"] == title), None)


async def told(server: InProcessServer, who, text: str) -> bool:
    found = (await ok(server, who, "GET", "/api/me/notifications"))["notifications"]
    return any(text in n["message"] and n["kind"] == "assigned" for n in found)


async def test_the_member_who_made_the_address_owns_mail_leads_and_is_told(server):
    t = await team(server.http_url)
    shown = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads/address")
    assert shown["owner"] == t.member.id
    await send(shown["address"], "Forty seats")
    lead = await eventually(lambda: lead_titled(server, t.owner, t.workspace, "Forty seats"), timeout=30,
                            every=0.1, what="the lead")
    assert lead["owner"] == t.member.id
    assert await eventually(lambda: told(server, t.member, "Forty seats"), timeout=10, every=0.1, what="the bell")
    assert not await told(server, t.owner, "Forty seats")


async def test_admins_choose_the_owner_members_may_not_and_strangers_are_refused(server):
    t = await team(server.http_url)
    path = f"/api/workspaces/{t.workspace}/leads/address/owner"
    shown = await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/leads/address")
    assert shown["owner"] == t.owner.id
    assert (await call(server, t.member, "PUT", path, json={"owner": t.member.id})).status_code == 403
    refused = await call(server, t.owner, "PUT", path, json={"owner": str(uuid4())})
    assert refused.status_code == 422 and "owner: expected a member of this workspace" in refused.text
    changed = await ok(server, t.owner, "PUT", path, json={"owner": t.viewer.id})
    assert (changed["owner"], changed["address"]) == (t.viewer.id, shown["address"])
    regenerated = await ok(server, t.owner, "POST", f"/api/workspaces/{t.workspace}/leads/address/regenerate")
    assert regenerated["owner"] == t.viewer.id  # a new address keeps the chosen owner
    await send(regenerated["address"], "Fifty seats")
    lead = await eventually(lambda: lead_titled(server, t.owner, t.workspace, "Fifty seats"), timeout=30,
                            every=0.1, what="the lead")
    assert lead["owner"] == t.viewer.id
    assert await eventually(lambda: told(server, t.viewer, "Fifty seats"), timeout=10, every=0.1, what="the bell")


async def test_an_owner_who_left_hands_mail_leads_to_the_workspaces_owner(server):
    t = await team(server.http_url)
    shown = await ok(server, t.member, "GET", f"/api/workspaces/{t.workspace}/leads/address")
    assert (await call(server, t.owner, "DELETE", f"/api/workspaces/{t.workspace}/members/{t.member.id}")
            ).status_code in (200, 204)
    assert (await ok(server, t.owner, "GET", f"/api/workspaces/{t.workspace}/leads/address"))["owner"] == t.owner.id
    await send(shown["address"], "Sixty seats")
    lead = await eventually(lambda: lead_titled(server, t.owner, t.workspace, "Sixty seats"), timeout=30,
                            every=0.1, what="the lead")
    assert lead["owner"] == t.owner.id
    assert await eventually(lambda: told(server, t.owner, "Sixty seats"), timeout=10, every=0.1, what="the bell")
