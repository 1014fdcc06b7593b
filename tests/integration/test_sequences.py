"""E-mail sequences end to end against real servers (issue 17 item 6): Postgres, Debian's Dovecot as
the member's IMAP server (tests/support/dovecot.py) and aiosmtpd as their SMTP server, signed in to.
A 3-step sequence sends step 1 through the member's mailbox; a reply appended to the Dovecot
mailbox and synced stops it before step 2; an out-of-office answer does not, and the next step
answers the first in its thread; a bounce stops it; an unsubscribe link cannot be forged; the
hourly cap holds the excess until a slot frees; a missing merge field pauses, never a blank mail.

Jobs are run here by calling their handlers (``SequenceRunner.step``, ``MailSender.send``) with a
clock the test moves, instead of waiting days for a worker; the queued jobs are read from the
real queue to check when each would run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from types import SimpleNamespace
from uuid import UUID

import asyncpg
import pytest
from cryptography.fernet import Fernet

from server.domain.access import NotFound
from server.domain.mailboxes import Endpoint, NewMailbox, Tls, Visibility
from server.domain.sequences import Reason, State, Step, Window, unsubscribe_key, unsubscribe_token
from server.mail.imap import AioImapServers
from server.mail.smtp import AioSmtpRelays
from server.sealing import FernetSealer
from server.services.accounts import Caller
from server.services.mail import SEND
from server.services.mail_sync import MailSync, SyncPolicy
from server.services.sending import MailSender
from server.services.sequences import (
    STEP, Links, RunnerPolicy, SequenceRunner, SequencesService, on_inbound,
)
from server.storage.migrations import migrate
from server.storage.unit import transactions
from server.domain.email_templates import TemplateDraft
from tests.contract.test_contacts import person
from tests.support.dovecot import Dovecot
from tests.support.smtp import SmtpSink
from tests.support.units import World

pytestmark = pytest.mark.timeout(120)

SECRET = Fernet.generate_key().decode()
SEALER = FernetSealer(SECRET)
LINKS = Links(unsubscribe_key(SECRET), "https://crm.example.test")


@pytest.fixture(scope="module")
async def dovecot() -> AsyncIterator[Dovecot]:
    server = await Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def pool(module_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    # A database of its own: the step and mail jobs queued here must reach no other module's worker.
    pool = await asyncpg.create_pool(module_database_url, min_size=1, max_size=6)
    await migrate(pool)
    yield pool
    await pool.close()


async def setting(pool: asyncpg.Pool, dovecot: Dovecot, *, per_hour: int = 30,
                  bodies: tuple[str, ...] = ("<p>Hello {{ contact.first_name }}</p>", "<p>Any news?</p>",
                                             "<p>Last one</p>")) -> SimpleNamespace:
    """Mia (a member) with her mailbox on Dovecot + aiosmtpd, Ann as a contact, a 3-step sequence."""
    begin = transactions(pool)
    world = World(pool, None)
    workspace, mia = await world.workspace(), await world.user("Mia Member")
    await pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                       workspace, mia)
    user, password = dovecot.user()
    sink = SmtpSink(credentials=(user, password))
    await sink.__aenter__()
    async with begin() as tx:
        ann = await tx.contacts.insert(workspace, person("Ann", "Client", emails=["ann@client.test"]), None)
        box = await tx.mailboxes.connect(NewMailbox(
            workspace, mia, user, Endpoint(dovecot.host, dovecot.port, Tls.NONE),
            Endpoint("127.0.0.1", sink.port, Tls.NONE), user, SEALER.seal(password.encode()), Visibility.SUBJECT))
        templates = [await tx.email_templates.add(workspace, TemplateDraft(f"Step {n}", "en", "Hello {{ "
                                                                           "contact.first_name }}", body), None)
                     for n, body in enumerate(bodies, 1)]
    now = [datetime.now(timezone.utc)]
    caller = Caller(mia, f"{mia}@example.test", "Mia Member", b"", now[0] + timedelta(hours=1))
    service = SequencesService(begin, LINKS, clock=lambda: now[0])
    sequence = await service.create(caller, workspace, "Onboarding", [
        Step(templates[0].id), Step(templates[1].id, delay_days=2), Step(templates[2].id, delay_days=3)], Window())
    runner = SequenceRunner(begin, RunnerPolicy(LINKS, per_hour), clock=lambda: now[0])
    sender = MailSender(begin, None, AioSmtpRelays(), SEALER)
    sync = MailSync(begin, SEALER, AioImapServers(timeout=10), SyncPolicy(allow_private=True), on_mail=on_inbound)
    return SimpleNamespace(begin=begin, pool=pool, world=world, workspace=workspace, caller=caller, ann=ann,
                           box=box.id, user=user, password=password, sink=sink, now=now, service=service,
                           sequence=sequence, runner=runner, sender=sender, sync=sync, delivered=set())


async def deliver(s: SimpleNamespace) -> list[EmailMessage]:
    """Run the queued ``mail.send`` jobs not run yet (as the worker would); what reached aiosmtpd."""
    async with s.begin() as tx:
        jobs = [j for j in await tx.jobs.waiting(SEND) if j.id not in s.delivered and j.payload["mailbox"] == str(s.box)]
    before = len(s.sink.messages)
    for job in jobs:
        await s.sender.send(job.payload)
        s.delivered.add(job.id)
    return s.sink.messages[before:]


async def enrolment(s: SimpleNamespace, id: UUID):
    async with s.begin() as tx:
        return await tx.enrolments.get(id)


async def step_jobs(s: SimpleNamespace, id: UUID) -> list:
    async with s.begin() as tx:
        return [j for j in await tx.jobs.waiting(STEP) if j.payload["enrolment"] == str(id)]


def answer(s: SimpleNamespace, to: EmailMessage, subject: str, **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Ann Client <ann@client.test>", s.user, subject
    mail["Message-ID"] = f"<answer-{len(subject)}-{datetime.now().timestamp()}@client.test>"
    mail["Date"] = s.now[0].strftime("%a, %d %b %Y %H:%M:%S +0000")
    mail["In-Reply-To"] = to["Message-ID"]
    mail["References"] = to["Message-ID"]
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("Thanks, sounds good.")
    return bytes(mail)


async def test_a_reply_synced_from_the_mailbox_stops_the_sequence_before_its_second_step(pool, dovecot):
    s = await setting(pool, dovecot)
    (enrolled,), skipped = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann])
    assert skipped == [] and enrolled.state is State.ACTIVE
    await s.runner.step({"enrolment": str(enrolled.id), "step": 0})
    (first,) = await deliver(s)
    assert (first["Subject"], first["To"], first["From"]) == ("Hello Ann", "ann@client.test",
                                                              f"Mia Member <{s.user}>")
    assert "Hello Ann" in first.get_body(("html",)).get_content()
    assert first["List-Unsubscribe"].strip().startswith("<https://crm.example.test/u/")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    after = await enrolment(s, enrolled.id)
    assert (after.state, after.step, after.thread) == (State.ACTIVE, 1, (first["Message-ID"].strip("<>"),))
    (second_job,) = [j for j in await step_jobs(s, enrolled.id) if j.payload["step"] == 1]
    assert timedelta(days=1, hours=23) < second_job.run_after - datetime.now(timezone.utc) <= timedelta(days=2)
    filed = await pool.fetchval("SELECT count(*) FROM email_messages m JOIN email_links l ON l.email_id = m.id "
                                "WHERE l.contact_id = $1 AND m.direction = 'out'", s.ann)
    assert filed == 1  # the sent copy is on Ann's timeline

    await dovecot.append(s.user, s.password, answer(s, first, "Re: Hello Ann"))
    report = await s.sync.sync(s.box)
    assert report.read == 1
    stopped = await enrolment(s, enrolled.id)
    assert (stopped.state, stopped.reason) == (State.STOPPED, Reason.REPLIED)
    s.now[0] += timedelta(days=2)
    await s.runner.step({"enrolment": str(enrolled.id), "step": 1})
    assert await deliver(s) == []  # step 2 is never sent
    await s.sink.__aexit__()


async def test_an_out_of_office_answer_does_not_stop_it_the_next_step_threads_and_a_bounce_stops_it(pool, dovecot):
    s = await setting(pool, dovecot)
    (enrolled,), _ = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann])
    await s.runner.step({"enrolment": str(enrolled.id), "step": 0})
    (first,) = await deliver(s)
    await dovecot.append(s.user, s.password,
                         answer(s, first, "Automatic reply: Hello Ann", Auto_Submitted="auto-replied"),
                         answer(s, first, "Out of office", X_Autoreply="yes"))
    assert (await s.sync.sync(s.box)).read == 2
    assert (await enrolment(s, enrolled.id)).state is State.ACTIVE

    s.now[0] += timedelta(days=2)
    await s.runner.step({"enrolment": str(enrolled.id), "step": 1})
    await s.runner.step({"enrolment": str(enrolled.id), "step": 1})  # a job run twice sends once
    (second,) = await deliver(s)
    assert second["Subject"] == "Re: Hello Ann"
    assert second["In-Reply-To"] == first["Message-ID"] and second["References"] == first["Message-ID"]
    assert "Any news?" in second.get_body(("plain",)).get_content()

    bounce = (f"From: Mail Delivery System <MAILER-DAEMON@mx.client.test>\r\nTo: {s.user}\r\n"
              "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.client.test>\r\n"
              'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
              "--B\r\nContent-Type: text/plain\r\n\r\nThe mailbox is gone.\r\n"
              "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.client.test\r\n\r\n"
              "Final-Recipient: rfc822; ann@client.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
              f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {second['Message-ID']}\r\n"
              "Subject: Re: Hello Ann\r\n\r\n--B--\r\n").encode()
    await dovecot.append(s.user, s.password, bounce)
    await s.sync.sync(s.box)
    stopped = await enrolment(s, enrolled.id)
    assert (stopped.state, stopped.reason, stopped.step) == (State.STOPPED, Reason.BOUNCED, 2)
    await s.sink.__aexit__()


async def test_an_unsubscribe_link_cannot_be_forged_and_a_real_one_stops_every_mail_to_the_address(pool, dovecot):
    s = await setting(pool, dovecot)
    (enrolled,), _ = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann])
    forged = [unsubscribe_token(unsubscribe_key("another secret"), enrolled.id),
              unsubscribe_token(LINKS.key, enrolled.id)[:-3] + "AAA", "x.y", ""]
    for token in forged:
        with pytest.raises(NotFound):
            await s.service.unsubscribe(token)
    assert (await enrolment(s, enrolled.id)).state is State.ACTIVE
    token = unsubscribe_token(LINKS.key, enrolled.id)
    assert await s.service.unsubscribe_address(token) == "ann@client.test"
    assert await s.service.unsubscribe(token) == "ann@client.test"
    assert ((await enrolment(s, enrolled.id)).state, (await enrolment(s, enrolled.id)).reason) == (
        State.STOPPED, Reason.UNSUBSCRIBED)
    again = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann])
    assert again.enrolled == [] and [k.reason for k in again.skipped] == ["unsubscribed"]
    await s.runner.step({"enrolment": str(enrolled.id), "step": 0})
    assert await deliver(s) == []
    await s.sink.__aexit__()


async def test_the_hourly_cap_holds_the_excess_until_a_slot_frees(pool, dovecot):
    s = await setting(pool, dovecot, per_hour=30)
    async with s.begin() as tx:
        await tx.enrolments.set_cap(s.box, 2)  # the mailbox's own cap, under the server's 30
    async with s.begin() as tx:
        others = [await tx.contacts.insert(s.workspace, person(n, "X", emails=[f"{n.lower()}@client.test"]), None)
                  for n in ("Bo", "Cy")]
    result = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann, *others])
    assert len(result.enrolled) == 3
    for e in result.enrolled:
        await s.runner.step({"enrolment": str(e.id), "step": 0})
    assert len(await deliver(s)) == 2
    held = [await enrolment(s, e.id) for e in result.enrolled]
    (waiting,) = [e for e in held if e.step == 0]
    assert waiting.state is State.ACTIVE and waiting.next_at == s.now[0] + timedelta(hours=1)
    assert any(j.payload["step"] == 0 and j.run_after > datetime.now(timezone.utc) + timedelta(minutes=59)
               for j in await step_jobs(s, waiting.id))  # it comes back when the slot frees
    s.now[0] += timedelta(minutes=30)
    await s.runner.step({"enrolment": str(waiting.id), "step": 0})
    assert await deliver(s) == []  # still inside the hour
    s.now[0] += timedelta(minutes=31)
    await s.runner.step({"enrolment": str(waiting.id), "step": 0})
    assert len(await deliver(s)) == 1
    await s.sink.__aexit__()


async def test_a_merge_field_without_a_value_pauses_the_enrolment_naming_it_until_resumed(pool, dovecot):
    s = await setting(pool, dovecot, bodies=("<p>Dear {{ contact.first_name }} {{ contact.job_title }}</p>",
                                             "<p>2</p>", "<p>3</p>"))
    (enrolled,), _ = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann])
    await s.runner.step({"enrolment": str(enrolled.id), "step": 0})
    assert await deliver(s) == []  # never "Dear Ann "
    paused = await enrolment(s, enrolled.id)
    assert (paused.state, paused.reason, paused.detail) == (State.PAUSED, Reason.MISSING_FIELDS, "contact.job_title")
    await s.pool.execute("UPDATE contacts SET job_title = 'CTO' WHERE id = $1", s.ann)
    resumed = await s.service.resume(s.caller, s.workspace, enrolled.id)
    assert resumed.state is State.ACTIVE
    await s.runner.step({"enrolment": str(enrolled.id), "step": 0})
    (sent,) = await deliver(s)
    assert "Dear Ann CTO" in sent.get_body(("html",)).get_content()
    await s.sink.__aexit__()


async def test_a_contact_whose_address_changed_or_who_was_deleted_gets_no_further_step(pool, dovecot):
    s = await setting(pool, dovecot)
    async with s.begin() as tx:
        bo = await tx.contacts.insert(s.workspace, person("Bo", "Client", emails=["bo@client.test"]), None)
    result = await s.service.enrol(s.caller, s.workspace, s.sequence.id, [s.ann, bo])
    ann, bo_enrolled = sorted(result.enrolled, key=lambda e: e.address)
    await s.pool.execute("UPDATE contacts SET emails = '{ann@elsewhere.test}' WHERE id = $1", s.ann)
    await s.pool.execute("UPDATE contacts SET deleted_at = now() WHERE id = $1", bo)
    for e in (ann, bo_enrolled):
        await s.runner.step({"enrolment": str(e.id), "step": 0})
        stopped = await enrolment(s, e.id)
        assert (stopped.state, stopped.reason) == (State.STOPPED, Reason.CONTACT_GONE)
    assert await deliver(s) == []
    await s.sink.__aexit__()
