"""Connected mailboxes through the API (issue 17 item 2-3): the connection is tested on save and a
refusal said in words, the password sealed at rest and never answered, the in-process worker syncs
from Dovecot onto the contact's and organisation's timelines, and what other members see of the
mail follows the mailbox's visibility. A mailbox is its owner's alone."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from uuid import UUID

import asyncpg
import pytest
from cryptography.fernet import Fernet

from tests.integration.test_mailbox_sync import message
from tests.support.accounts import AUTH, sign_up, team
from tests.support.crm import call, ok
from tests.support.dovecot import Dovecot, SignInSmtp
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
async def dovecot() -> AsyncIterator[Dovecot]:
    server = await Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def server(database_url: str) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", secret_key=KEY, mailboxes_allow_private=True,
                            mailbox_poll_cron="", housekeeping_cron="")
    async with in_process_server(settings) as running:
        yield running


def form(dovecot: Dovecot, user: str, password: str, **changes) -> dict:
    return {"address": user, "imap_host": dovecot.host, "imap_port": dovecot.port, "imap_tls": "none",
            "smtp_host": dovecot.host, "smtp_port": smtp_port(), "smtp_tls": "none", "username": user,
            "password": password, **changes}


_SMTP: list[int] = []


def smtp_port() -> int:
    return _SMTP[0]


@pytest.fixture(scope="module", autouse=True)
def smtp() -> Iterator[None]:
    with SignInSmtp() as port:
        _SMTP[:] = [port]
        yield


async def test_a_mailbox_is_tested_on_save_sealed_synced_and_filed_onto_the_timeline(server, dovecot, database_url):
    t = await team(server.http_url)
    user, password = dovecot.user()
    mailboxes = f"/api/workspaces/{t.workspace}/mailboxes"
    refused = await call(server, t.member, "POST", mailboxes, json=form(dovecot, user, "wrong"))
    assert refused.status_code == 422 and "refused the user name or password" in refused.json()["detail"]
    nobody = await call(server, t.member, "POST", mailboxes, json=form(dovecot, user, password, imap_port=1))
    assert nobody.status_code == 422 and "nothing accepts connections" in nobody.json()["detail"]
    viewer = await call(server, t.viewer, "POST", mailboxes, json=form(dovecot, user, password))
    assert viewer.status_code == 403

    org = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/organisations", json={"name": "Acme"})
    ann = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json={
        "first_name": "Ann", "last_name": "Client", "emails": ["ann@client.test"], "organisation_id": org["id"]})
    await dovecot.append(user, password, message("Ann <ann@client.test>", user, "Renewal terms", "t1@client.test",
                                                 body="The price is 42 per seat."))
    made = await ok(server, t.member, "POST", mailboxes, json=form(dovecot, user, password))
    assert "password" not in made and made["visibility"] == "metadata" and made["address"] == user
    conn = await asyncpg.connect(database_url)
    try:
        sealed = bytes(await conn.fetchval("SELECT secret FROM mailboxes WHERE id = $1", UUID(made["id"])))
    finally:
        await conn.close()
    assert password.encode() not in sealed and Fernet(KEY.encode()).decrypt(sealed) == password.encode()

    box = await eventually(lambda: _synced(server, t.member, made["id"]), timeout=30, what="the first sync")
    assert (box["status"], box["imported"], box["last_error"]) == ("ok", 1, None)
    [mine] = (await ok(server, t.member, "GET", f"/api/contacts/{ann['id']}/timeline"))["items"]
    assert (mine["kind"], mine["title"], mine["from_address"], mine["visibility"], mine["board_id"]) == (
        "email", "Renewal terms", "ann@client.test", "everything", None)
    assert "42 per seat" in mine["snippet"]
    [theirs] = (await ok(server, t.owner, "GET", f"/api/contacts/{ann['id']}/timeline"))["items"]
    assert (theirs["title"], theirs["snippet"], theirs["visibility"]) == ("", "", "metadata")
    assert theirs["from_address"] == "ann@client.test" and theirs["actor_id"] == t.member.id
    [on_org] = (await ok(server, t.owner, "GET", f"/api/organisations/{org['id']}/timeline"))["items"]
    assert on_org["id"] == mine["id"]
    opened = await ok(server, t.owner, "GET", f"/api/emails/{mine['id']}")
    assert (opened["subject"], opened["body_text"], opened["body_html"]) == ("", "", "")
    assert "42 per seat" in (await ok(server, t.member, "GET", f"/api/emails/{mine['id']}"))["body_text"]

    await ok(server, t.member, "PATCH", f"/api/mailboxes/{made['id']}", json={"visibility": "subject"})
    opened = await ok(server, t.owner, "GET", f"/api/emails/{mine['id']}")
    assert (opened["subject"], opened["body_text"]) == ("Renewal terms", "")
    await ok(server, t.member, "PATCH", f"/api/mailboxes/{made['id']}", json={"visibility": "everything"})
    assert "42 per seat" in (await ok(server, t.owner, "GET", f"/api/emails/{mine['id']}"))["body_text"]

    stranger = await sign_up(server.http_url, "Stranger")
    assert (await call(server, stranger, "GET", f"/api/emails/{mine['id']}")).status_code == 404
    for who in (t.owner, stranger):  # someone else's mailbox: no such mailbox, whatever their role
        assert (await call(server, who, "GET", f"/api/mailboxes/{made['id']}")).status_code == 404
        assert (await call(server, who, "DELETE", f"/api/mailboxes/{made['id']}")).status_code == 404
    assert await ok(server, t.owner, "GET", mailboxes) == []


async def test_a_resync_files_nothing_twice_and_disconnecting_keeps_the_mail(server, dovecot):
    t = await team(server.http_url)
    user, password = dovecot.user()
    ann = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/contacts", json={
        "first_name": "Ann", "last_name": "Again", "emails": ["ann.again@client.test"]})
    await dovecot.append(user, password, message("ann.again@client.test", user, "One", "one@client.test"))
    made = await ok(server, t.member, "POST", f"/api/workspaces/{t.workspace}/mailboxes",
                    json=form(dovecot, user, password))
    await eventually(lambda: _synced(server, t.member, made["id"]), timeout=30, what="the first sync")
    await dovecot.append(user, password, message("ann.again@client.test", user, "Two", "two@client.test"))
    again = await ok(server, t.member, "POST", f"/api/mailboxes/{made['id']}/resync", json={"since": None})
    assert again["id"] == made["id"]

    async def both() -> bool:
        items = (await ok(server, t.member, "GET", f"/api/contacts/{ann['id']}/timeline"))["items"]
        return len(items) == 2 and [i["title"] for i in items]

    assert sorted(await eventually(both, timeout=30, what="the re-sync")) == ["One", "Two"]
    assert (await ok(server, t.member, "GET", f"/api/mailboxes/{made['id']}"))["imported"] == 2
    taken = await call(server, t.member, "POST", f"/api/workspaces/{t.workspace}/mailboxes",
                       json=form(dovecot, user, password))
    assert taken.status_code == 409
    await ok(server, t.member, "DELETE", f"/api/mailboxes/{made['id']}")
    assert (await call(server, t.member, "GET", f"/api/mailboxes/{made['id']}")).status_code == 404
    assert len((await ok(server, t.member, "GET", f"/api/contacts/{ann['id']}/timeline"))["items"]) == 2


async def _synced(server: InProcessServer, who, mailbox: str):
    box = await ok(server, who, "GET", f"/api/mailboxes/{mailbox}")
    return box if box["last_success_at"] else None
