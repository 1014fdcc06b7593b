"""Mail to a support mailbox becomes requests (docs/service.md), against Debian's Dovecot as the
mailbox's IMAP server (tests/support/dovecot.py) and a real Postgres: the first message from an
unknown sender opens a request and makes them a contact; their answer in the same thread joins it
and reopens it; an out-of-office answer and mail to a mailbox not marked for support make nothing;
a sync that reads a message again adds it once; a reply e-mailed from the member's mailbox (aiosmtpd as its
SMTP server) is answered by the customer, and that answer joins the request by the reply's Message-ID."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from types import SimpleNamespace

import asyncpg
import pytest
from cryptography.fernet import Fernet

from server.domain.contacts import Filter
from server.domain.mailboxes import Endpoint, NewMailbox, Tls, Visibility
from server.domain.service_requests import RequestFilter, RequestStatus, ServiceSettings
from server.mail.imap import AioImapServers
from server.mail.smtp import AioSmtpRelays
from server.sealing import FernetSealer
from server.services import sequences, service_mail
from server.services.accounts import Caller
from server.services.mail_sync import MailSync, SyncPolicy
from server.services.mail import SEND
from server.services.sending import EmailSending, MailSender
from server.services.service_requests import ServiceRequestsService
from server.storage.migrations import migrate
from server.storage.unit import transactions
from tests.support.dovecot import Dovecot
from tests.support.smtp import SmtpSink
from tests.support.units import World

pytestmark = pytest.mark.timeout(120)

SEALER = FernetSealer(Fernet.generate_key().decode())


@pytest.fixture(scope="module")
async def dovecot() -> AsyncIterator[Dovecot]:
    server = await Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def pool(module_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(module_database_url, min_size=1, max_size=6)
    await migrate(pool)
    yield pool
    await pool.close()


async def desk(pool: asyncpg.Pool, dovecot: Dovecot, *, support: bool = True) -> SimpleNamespace:
    """Mia (a member) whose Dovecot mailbox is the workspace's support mailbox (or not)."""
    begin = transactions(pool)
    world = World(pool, None)
    workspace, mia = await world.workspace(), await world.user("Mia Member")
    await pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                       workspace, mia)
    user, password = dovecot.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(NewMailbox(
            workspace, mia, user, Endpoint(dovecot.host, dovecot.port, Tls.NONE),
            Endpoint("127.0.0.1", 2525, Tls.NONE), user, SEALER.seal(password.encode()), Visibility.SUBJECT))
        if support:
            await tx.service_settings.put(workspace, ServiceSettings(ServiceSettings.default().targets, [box.id]))
    caller = Caller(mia, f"{mia}@example.test", "Mia Member", b"", datetime.now(timezone.utc) + timedelta(hours=1))
    sync = MailSync(begin, SEALER, AioImapServers(timeout=10), SyncPolicy(allow_private=True),
                    on_mail=service_mail.both(sequences.on_inbound, service_mail.on_inbound))
    return SimpleNamespace(begin=begin, workspace=workspace, caller=caller, box=box.id, user=user, password=password,
                           sync=sync, service=ServiceRequestsService(begin, EmailSending(begin, None)),
                           sender=MailSender(begin, None, AioSmtpRelays(), SEALER))


def mail(to: str, subject: str, message_id: str, *, replying_to: str | None = None, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Bob Stone <bob@globex.test>", to, subject
    message["Message-ID"], message["Date"] = f"<{message_id}>", "Mon, 01 Dec 2031 09:00:00 +0000"
    if replying_to:
        message["In-Reply-To"] = message["References"] = f"<{replying_to}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"{subject}: the widget broke again.")
    return bytes(message)


async def test_support_mail_opens_a_request_for_a_new_contact_and_the_answer_joins_it(pool, dovecot):
    s = await desk(pool, dovecot)
    await dovecot.append(s.user, s.password, mail(s.user, "Broken widget", "w1@globex.test"))
    await s.sync.sync(s.box)
    [request] = (await s.service.queue(s.caller, s.workspace, RequestFilter())).requests
    assert (request.subject, request.channel.value, request.status, request.mailbox_id) == (
        "Broken widget", "email", RequestStatus.NEW, s.box)
    async with s.begin() as tx:
        [bob] = await tx.contact_search.contacts(s.workspace, Filter(), 10, 0)
    assert (bob.id, bob.name, bob.values.emails, bob.values.owner_id) == (
        request.contact_id, "Bob Stone", ["bob@globex.test"], s.caller.id)
    await s.service.add_message(s.caller, request.id, "reply", "Which model?", status="waiting")
    await dovecot.append(s.user, s.password,
                         mail(s.user, "Re: Broken widget", "w2@globex.test", replying_to="w1@globex.test"),
                         mail(s.user, "Out of office", "w3@globex.test", replying_to="w1@globex.test",
                              Auto_Submitted="auto-replied"))
    await s.sync.sync(s.box)
    found = await s.service.get(s.caller, request.id)
    assert found.request.status is RequestStatus.OPEN
    assert [(m.kind.value, m.sender) for m in found.messages] == [
        ("inbound", "bob@globex.test"), ("reply", ""), ("inbound", "bob@globex.test")]
    assert len((await s.service.queue(s.caller, s.workspace, RequestFilter(everything=True))).requests) == 1
    async with s.begin() as tx:  # a re-sync from the start reads every message again: nothing twice
        await tx.mailbox_sync.advance(s.box, (await tx.mailboxes.get(s.box)).cursor._replace(last_uid=0), 0)
    await s.sync.sync(s.box)
    assert len((await s.service.get(s.caller, request.id)).messages) == 3


async def test_mail_to_a_mailbox_not_marked_for_support_makes_no_request(pool, dovecot):
    s = await desk(pool, dovecot, support=False)
    await dovecot.append(s.user, s.password, mail(s.user, "Hello", "h1@globex.test"))
    await s.sync.sync(s.box)
    assert (await s.service.queue(s.caller, s.workspace, RequestFilter(everything=True))).requests == []


async def test_a_reply_is_mailed_from_the_members_mailbox_and_the_customers_answer_to_it_joins_the_request(
        pool, dovecot):
    s = await desk(pool, dovecot)
    user, password = s.user, s.password
    async with SmtpSink(credentials=(user, password)) as sink:  # the mailbox's SMTP server: aiosmtpd
        await pool.execute("UPDATE mailboxes SET smtp_port = $2 WHERE id = $1", s.box, sink.port)
        await dovecot.append(user, password, mail(user, "Broken widget", "r1@globex.test"))
        await s.sync.sync(s.box)
        [request] = (await s.service.queue(s.caller, s.workspace, RequestFilter())).requests
        replied = await s.service.add_message(s.caller, request.id, "reply", "Which model is it?\nThanks!",
                                              status="waiting", send=True)
        assert replied.reply_to == "bob@globex.test" and replied.request.first_response_at is not None
        async with s.begin() as tx:
            [job] = await tx.jobs.waiting(SEND)
        await s.sender.send(job.payload)
        [sent] = sink.messages
        assert (sent["To"], sent["Subject"], sent["From"]) == ("bob@globex.test", "Re: Broken widget",
                                                                f"Mia Member <{user}>")
        assert "Which model is it?" in sent.get_body(("plain",)).get_content()
        answer = mail(user, "Re: Re: Broken widget", "r2@globex.test", replying_to=sent["Message-ID"].strip("<>"))
        await dovecot.append(user, password, answer)
        await s.sync.sync(s.box)
    found = await s.service.get(s.caller, request.id)
    assert [m.kind.value for m in found.messages] == ["inbound", "reply", "inbound"]
    assert found.request.status is RequestStatus.OPEN
