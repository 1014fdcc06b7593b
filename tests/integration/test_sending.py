"""Composing and sending from a record end to end (issue 17 item 3): real Postgres, the in-process
worker, and aiosmtpd on 127.0.0.1 as both the system relay and a member's own mailbox's SMTP
server. What is sent is rendered against the records, sanitised, threaded when it replies, and
filed on the records (one ``email_messages`` row, direction out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from cryptography.fernet import Fernet

from tests.support.accounts import AUTH, team
from tests.support.crm import call, ok
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(120)

SENDER = "crm@tandem.test"
KEY = Fernet.generate_key().decode()


@pytest.fixture(scope="module")
async def relay() -> AsyncIterator[SmtpSink]:
    async with SmtpSink() as running:
        yield running


@pytest.fixture(scope="module")
async def server(database_url: str, relay: SmtpSink) -> AsyncIterator[InProcessServer]:
    settings = settings_for(database_url, **AUTH, worker="on", smtp_url=relay.url, mail_from=SENDER, secret_key=KEY,
                            job_retry_seconds=0.1, job_retry_max_seconds=0.2, housekeeping_cron="",
                            mailbox_poll_cron="")
    async with in_process_server(settings) as running:
        yield running


async def records(server: InProcessServer, t, email: str = "ada@globex.test") -> tuple[str, str]:
    base = f"/api/workspaces/{t.workspace}"
    organisation = await ok(server, t.member, "POST", f"{base}/organisations", json={"name": "Globex"})
    contact = await ok(server, t.member, "POST", f"{base}/contacts", json={
        "first_name": "Ada", "last_name": "Lovelace", "emails": [email], "organisation_id": organisation["id"]})
    return contact["id"], organisation["id"]


def arrived(sink: SmtpSink, subject: str) -> list:
    return [m for m in sink.messages if m["Subject"] == subject]


async def test_a_mail_from_a_contact_is_rendered_sanitised_sent_through_the_relay_and_filed(server, relay,
                                                                                           database_url):
    t = await team(server.http_url)
    contact, organisation = await records(server, t)
    base = f"/api/workspaces/{t.workspace}/emails"
    route = await ok(server, t.member, "GET", f"{base}/route")
    assert route == {"via": "relay", "sender": SENDER, "reply_to": t.member.email, "tracking": False}
    sent = await ok(server, t.member, "POST", base, json={
        "to": ["ada@globex.test"], "contact_id": contact, "subject": "Offer for {{ organisation.name }}",
        "body": '<p onclick="steal()">Hello {{ contact.first_name }}</p><script>alert(1)</script>'
                '<p><a href="javascript:x()">x</a> <a href="https://tandem.test/o">offer</a></p>'})
    assert sent["via"] == "relay" and sent["sender"] == SENDER
    (mail,) = await eventually(lambda: arrived(relay, "Offer for Globex"), what="the mail at the relay")
    assert str(mail["From"]) == f"Mia Member via Tandem <{SENDER}>" and mail["Reply-To"] == t.member.email
    assert mail["Message-ID"] == sent["message_id"] and mail["To"] == "ada@globex.test"
    html = mail.get_body(("html",)).get_content()
    assert "Hello Ada" in html and "script" not in html and "onclick" not in html and "javascript" not in html
    assert 'href="https://tandem.test/o"' in html
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == "Hello Ada\n\nx offer (https://tandem.test/o)\n"
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow("SELECT direction, subject, body_html, owner_id FROM email_messages WHERE id = $1",
                                  UUID(sent["id"]))
        filed = await conn.fetch("SELECT contact_id, organisation_id FROM email_links WHERE email_id = $1",
                                 UUID(sent["id"]))
    finally:
        await conn.close()
    assert (row["direction"], row["subject"], row["owner_id"]) == ("out", "Offer for Globex", UUID(t.member.id))
    assert "script" not in row["body_html"]
    assert {r["contact_id"] for r in filed} - {None} == {UUID(contact)}
    assert {r["organisation_id"] for r in filed} - {None} == {UUID(organisation)}


async def test_a_merge_field_without_a_value_refuses_the_send_naming_it(server, relay):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}"
    contact = await ok(server, t.member, "POST", f"{base}/contacts",
                       json={"first_name": "Bo", "emails": ["bo@example.test"]})
    response = await call(server, t.member, "POST", f"{base}/emails", json={
        "to": ["bo@example.test"], "contact_id": contact["id"], "subject": "Hi {{ contact.first_name }}",
        "body": "<p>Dear {{ contact.last_name }} of {{ organisation.name }}</p>"})
    assert response.status_code == 422
    assert "contact.last_name" in response.text and "organisation.name" in response.text
    shown = await ok(server, t.member, "POST", f"{base}/emails/preview", json={
        "contact_id": contact["id"], "subject": "Hi {{ contact.first_name }}",
        "body": "<p>{{ contact.last_name }}</p>"})
    assert shown == {"subject": "Hi Bo", "body": "<p></p>", "missing": ["contact.last_name"]}
    assert (await call(server, t.viewer, "POST", f"{base}/emails", json={
        "to": ["bo@example.test"], "subject": "S", "body": "<p>B</p>"})).status_code == 403
    assert [m for m in relay.messages if m["To"] == "bo@example.test"] == []  # (team()'s invitations arrive meanwhile)


async def test_a_reply_is_threaded_with_in_reply_to_and_references(server, relay):
    t = await team(server.http_url)
    contact, _ = await records(server, t, "thread@globex.test")
    base = f"/api/workspaces/{t.workspace}/emails"
    first = await ok(server, t.member, "POST", base, json={
        "to": ["thread@globex.test"], "contact_id": contact, "subject": "Thread start", "body": "<p>One</p>"})
    second = await ok(server, t.owner, "POST", base, json={
        "to": ["thread@globex.test"], "contact_id": contact, "subject": "Re: Thread start", "body": "<p>Two</p>",
        "reply_to_email_id": first["id"]})
    (reply,) = await eventually(lambda: arrived(relay, "Re: Thread start"), what="the reply")
    assert reply["In-Reply-To"] == first["message_id"] and reply["References"] == first["message_id"]
    assert reply["Message-ID"] == second["message_id"]


async def test_a_member_with_a_mailbox_sends_through_its_smtp_server_signed_in(server, relay, database_url):
    t = await team(server.http_url)
    async with SmtpSink(credentials=("mia@own.test", "app password")) as own:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(
                "INSERT INTO mailboxes (workspace_id, owner_id, address, imap_host, imap_port, imap_tls, smtp_host,"
                " smtp_port, smtp_tls, username, secret) VALUES ($1, $2, 'mia@own.test', '127.0.0.1', 1, 'none',"
                " '127.0.0.1', $3, 'none', 'mia@own.test', $4)",
                UUID(t.workspace), UUID(t.member.id), own.port, Fernet(KEY.encode()).encrypt(b"app password"))
        finally:
            await conn.close()
        base = f"/api/workspaces/{t.workspace}/emails"
        assert (await ok(server, t.member, "GET", f"{base}/route"))["via"] == "mailbox"
        sent = await ok(server, t.member, "POST", base, json={
            "to": ["someone@example.test"], "subject": "From my own mailbox", "body": "<p>Hi</p>"})
        assert (sent["via"], sent["sender"]) == ("mailbox", "mia@own.test")
        (mail,) = await eventually(lambda: arrived(own, "From my own mailbox"), what="the mail at the mailbox's SMTP")
        assert str(mail["From"]) == "Mia Member <mia@own.test>" and mail["Reply-To"] is None
        assert arrived(relay, "From my own mailbox") == []


async def test_without_a_relay_or_a_mailbox_sending_is_refused_in_words(database_url):
    settings = settings_for(database_url, **AUTH, housekeeping_cron="", mailbox_poll_cron="")
    async with in_process_server(settings) as bare:
        t = await team(bare.http_url)
        base = f"/api/workspaces/{t.workspace}/emails"
        assert await ok(bare, t.member, "GET", f"{base}/route") == {"via": "none", "sender": None, "reply_to": None,
                                                                    "tracking": False}
        response = await call(bare, t.member, "POST", base, json={"to": ["x@example.test"], "subject": "S",
                                                                  "body": "<p>B</p>"})
        assert response.status_code == 409 and "not configured" in response.text


async def test_a_tracked_mail_counts_opens_apart_from_proxies_and_clicks_and_refuses_forged_links(
        database_url, relay):
    settings = settings_for(database_url, **AUTH, worker="on", smtp_url=relay.url, mail_from=SENDER, secret_key=KEY,
                            public_url="http://127.0.0.1:1", housekeeping_cron="", mailbox_poll_cron="")
    async with in_process_server(settings) as tracked:
        t = await team(tracked.http_url)
        contact, _ = await records(tracked, t, "tracked@globex.test")
        base = f"/api/workspaces/{t.workspace}/emails"
        assert (await ok(tracked, t.member, "GET", f"{base}/route"))["tracking"] is True
        sent = await ok(tracked, t.member, "POST", base, json={
            "to": ["tracked@globex.test"], "contact_id": contact, "subject": "Tracked offer", "track": True,
            "body": '<p>See <a href="https://shop.test/offer?a=1&amp;b=2">the offer</a></p>'})
        (mail,) = await eventually(lambda: arrived(relay, "Tracked offer"), what="the tracked mail")
        html = mail.get_body(("html",)).get_content()
        pixel = html.split('<img src="http://127.0.0.1:1')[1].split('"')[0]
        link = html.split('<a href="http://127.0.0.1:1')[1].split('"')[0]
        assert pixel.startswith("/t/o/") and link.startswith("/t/c/") and "shop.test" not in html
        opened = await call(tracked, None, "GET", pixel, headers={"user-agent": "Thunderbird/128"})
        assert opened.status_code == 200 and opened.headers["content-type"] == "image/gif"
        await call(tracked, None, "GET", pixel, headers={"user-agent": "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"})
        clicked = await call(tracked, None, "GET", link)
        assert clicked.status_code == 302 and clicked.headers["location"] == "https://shop.test/offer?a=1&b=2"
        body, mac = link.removeprefix("/t/c/").split(".")
        assert (await call(tracked, None, "GET", f"/t/c/{body[:-3]}xyz.{mac}")).status_code == 404
        assert (await call(tracked, None, "GET", "/t/c/not-a-token")).status_code == 404
        stats = await ok(tracked, t.viewer, "GET", f"{base}/{sent['id']}/tracking")
        assert (stats["opens"], stats["proxy_opens"], stats["clicks"]) == (1, 1, 1)
        assert [e["kind"] for e in stats["events"]] == ["open", "open", "click"]
        stored = await ok(tracked, t.member, "GET", f"/api/emails/{sent['id']}")
        assert "/t/o/" not in str(stored)  # the copy on the timeline is the mail as written
        untracked = await ok(tracked, t.member, "POST", base, json={
            "to": ["tracked@globex.test"], "subject": "Plain", "body": "<p>x</p>"})
        assert (await call(tracked, t.member, "GET", f"{base}/{untracked['id']}/tracking")).status_code == 404


async def test_tracking_without_a_public_url_is_refused(server):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/emails"
    assert (await ok(server, t.member, "GET", f"{base}/route"))["tracking"] is False
    response = await call(server, t.member, "POST", base, json={"to": ["x@example.test"], "subject": "S",
                                                                "body": "<p>B</p>", "track": True})
    assert response.status_code == 409 and "TANDEM_PUBLIC_URL" in response.text


async def test_a_mail_the_server_keeps_refusing_says_failed_and_one_accepted_says_sent(server, relay):
    t = await team(server.http_url)
    base = f"/api/workspaces/{t.workspace}/emails"
    relay.refuse = 1_000
    try:
        refused = await ok(server, t.member, "POST", base, json={"to": ["nobody@example.test"], "subject": "Refused",
                                                                 "body": "<p>x</p>"})

        async def failed() -> bool:
            return (await ok(server, t.member, "GET", f"{base}/{refused['id']}/delivery"))["status"] == "failed"

        # five attempts; a retry due later is taken at the worker's next poll (up to 5 s apart): ~16 s here
        await eventually(failed, timeout=60, what="the job held as failed after its attempts")
    finally:
        relay.refuse = 0
    accepted = await ok(server, t.member, "POST", base, json={"to": ["somebody@example.test"], "subject": "Accepted",
                                                              "body": "<p>x</p>"})
    await eventually(lambda: arrived(relay, "Accepted"), what="the accepted mail")

    async def sent() -> bool:
        return (await ok(server, t.member, "GET", f"{base}/{accepted['id']}/delivery"))["status"] == "sent"

    await eventually(sent, what="the delivery status after the job finished")
    assert (await call(server, t.member, "GET", f"{base}/{refused['id']}/delivery")).json() == {"status": "failed"}
