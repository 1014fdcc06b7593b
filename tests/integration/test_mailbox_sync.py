"""The mailbox sync against a real IMAP server (Debian's Dovecot on loopback, tests/support/dovecot.py)
and real Postgres: what is filed and where, threading, never a duplicate (re-sync, UIDVALIDITY
change, a killed run, two runs at once), \\Seen untouched, a cleaned mailbox, and a status in words."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from types import SimpleNamespace
from uuid import UUID, uuid4

import asyncpg
import pytest
from cryptography.fernet import Fernet

from server.domain.mailboxes import Cursor, Endpoint, NewMailbox, SyncStatus, Tls, Visibility
from server.mail.imap import AioImapServers
from server.sealing import FernetSealer
from server.services.mail_sync import MailSync, SyncPolicy
from server.storage.migrations import migrate
from server.storage.unit import transactions
from tests.contract.test_contacts import board_with, company, person
from tests.support.dovecot import Dovecot
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
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=6)
    await migrate(pool)
    yield pool
    await pool.close()


def message(sender: str, to: str, subject: str, message_id: str, *, in_reply_to: str | None = None,
            references: Sequence[str] = (), body: str = "Hello there", day: int = 2) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = f"<{message_id}>"
    mail["Date"] = format_datetime(datetime(2026, 11, day, 9, 0, tzinfo=timezone.utc))
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        mail["References"] = " ".join(f"<{r}>" for r in references)
    mail.set_content(body)
    return bytes(mail)


async def setting(pool: asyncpg.Pool, dovecot: Dovecot, *, batch: int = 50) -> SimpleNamespace:
    """A workspace with a member's mailbox on Dovecot, Ann (of Acme, with an open deal) as a contact."""
    begin = transactions(pool)
    world = World(pool, None)
    workspace, owner = await world.workspace(), await world.user()
    await pool.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'member')",
                       workspace, owner)
    user, password = dovecot.user()
    async with begin() as tx:
        acme = await tx.organisations.insert(workspace, company("Acme"), None)
        ann = await tx.contacts.insert(workspace, person("Ann", "Client", emails=["ann@client.test"],
                                                         organisation=acme), None)
        box = await tx.mailboxes.connect(NewMailbox(
            workspace, owner, user, Endpoint(dovecot.host, dovecot.port, Tls.NONE),
            Endpoint(dovecot.host, 25, Tls.NONE), user, SEALER.seal(password.encode()), Visibility.SUBJECT))
    deal = uuid4()
    board = await board_with(world, workspace, deals=[(deal, "Acme renewal", ann, None, datetime.now(timezone.utc))])
    sync = MailSync(begin, SEALER, AioImapServers(timeout=10), SyncPolicy(batch=batch, allow_private=True))
    return SimpleNamespace(begin=begin, workspace=workspace, owner=owner, user=user, password=password, acme=acme,
                           ann=ann, box=box.id, board=board, deal=deal, sync=sync)


async def filed(pool: asyncpg.Pool, workspace: UUID) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM email_messages WHERE workspace_id = $1 ORDER BY imap_uid, message_id",
                            workspace)


async def mailbox(s: SimpleNamespace):
    async with s.begin() as tx:
        return await tx.mailboxes.get(s.box)


async def test_mail_naming_a_contact_is_filed_under_it_its_organisation_and_open_deal_and_left_unread(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password,
                         message("Ann Client <ANN@client.test>", s.user, "Renewal", "m1@client.test"),
                         message("News <news@letters.test>", s.user, "Weekly digest", "n1@letters.test"),
                         message(s.user, "ann@client.test", "Re: Renewal", "m2@mail.test", in_reply_to="m1@client.test",
                                 references=["m1@client.test"], day=3))
    report = await s.sync.sync(s.box)
    assert (report.read, report.filed) == (3, 2)  # the newsletter names no contact: not kept
    rows = await filed(pool, s.workspace)
    assert [(r["message_id"], r["direction"], r["thread_id"], r["subject"]) for r in rows] == [
        ("m1@client.test", "in", "m1@client.test", "Renewal"), ("m2@mail.test", "out", "m1@client.test", "Re: Renewal")]
    links = await pool.fetch("SELECT contact_id, organisation_id, board_id, card_id FROM email_links WHERE email_id = $1",
                             rows[0]["id"])
    assert {tuple(r) for r in links} == {(s.ann, None, None, None), (None, s.acme, None, None),
                                         (None, None, s.board, s.deal)}
    assert all("Seen" not in flags for flags in (await dovecot.flags(s.user, s.password)).values())
    box = await mailbox(s)
    assert (box.status, box.imported, box.last_error, box.cursor.last_uid) == (SyncStatus.OK, 2, None, 3)
    assert box.last_success_at is not None and box.cursor.highestmodseq is not None
    assert await s.sync.sync(s.box) == (0, 0)  # nothing new: nothing read, nothing filed twice
    async with s.begin() as tx:
        [entry, _] = await tx.email_messages.timeline(s.workspace, [s.ann], None, 10)
    assert (entry.title, entry.email.direction, entry.contact_id) == ("Re: Renewal", "out", s.ann)


async def test_replies_thread_by_in_reply_to_or_references_whichever_arrives_first(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password,  # the reply arrives before the message it answers
                         message("ann@client.test", s.user, "Re: Quote", "r1@client.test", references=["q@mail.test"],
                                 day=3),
                         message(s.user, "ann@client.test", "Quote", "q@mail.test"),
                         message("ann@client.test", s.user, "Re: Quote", "r2@client.test", in_reply_to="r1@client.test",
                                 day=4),
                         message("ann@client.test", s.user, "Something else", "x@client.test"))
    await s.sync.sync(s.box)
    threads = {r["message_id"]: r["thread_id"] for r in await filed(pool, s.workspace)}
    assert threads == {"r1@client.test": "q@mail.test", "q@mail.test": "q@mail.test",
                       "r2@client.test": "q@mail.test", "x@client.test": "x@client.test"}
    async with s.begin() as tx:
        assert [e.email.message_id for e in await tx.email_messages.of_thread(s.workspace, "q@mail.test")] == [
            "q@mail.test", "r1@client.test", "r2@client.test"]  # by date, not by arrival


async def test_a_resync_and_a_new_uidvalidity_read_everything_again_and_file_nothing_twice(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password, *(message("ann@client.test", s.user, f"Note {i}", f"n{i}@client.test")
                                               for i in range(4)))
    await s.sync.sync(s.box)
    async with s.begin() as tx:
        await tx.mailbox_sync.restart(s.box, None)
    assert await s.sync.sync(s.box) == (0, 4)
    dovecot.renumber(s.user, 4242)
    await dovecot.append(s.user, s.password, message("ann@client.test", s.user, "After", "after@client.test"))
    assert await s.sync.sync(s.box) == (1, 5)
    assert len(await filed(pool, s.workspace)) == 5
    box = await mailbox(s)
    assert (box.cursor.uidvalidity, box.cursor.last_uid, box.imported) == (4242, 5, 5)


async def test_a_resync_from_a_date_reads_only_what_arrived_since(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password, message("ann@client.test", s.user, "Old", "old@client.test"))
    async with s.begin() as tx:
        await tx.mailbox_sync.restart(s.box, date(2099, 1, 1))  # INTERNALDATE is today: nothing is that new
    assert await s.sync.sync(s.box) == (0, 0)
    async with s.begin() as tx:
        await tx.mailbox_sync.restart(s.box, date(2000, 1, 1))
    assert await s.sync.sync(s.box) == (1, 1)


async def test_a_mailbox_cleaned_on_the_server_keeps_syncing_what_arrives_next(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password, *(message("ann@client.test", s.user, f"Old {i}", f"o{i}@client.test")
                                               for i in range(3)))
    await s.sync.sync(s.box)
    await dovecot.expunge_all(s.user, s.password)
    assert await s.sync.sync(s.box) == (0, 0)
    await dovecot.append(s.user, s.password, message("ann@client.test", s.user, "New", "new@client.test"))
    assert await s.sync.sync(s.box) == (1, 1)
    box = await mailbox(s)
    assert (box.status, box.imported, box.cursor.last_uid) == (SyncStatus.OK, 4, 4)
    assert len(await filed(pool, s.workspace)) == 4  # what was filed stays on the timeline


class Stalling(AioImapServers):
    """Dovecot, except that the second FETCH of a run waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.fetches = 0
        self.stalled = asyncio.Event()
        self.go = asyncio.Event()

    def imap(self, endpoint, username, password):
        session = super().imap(endpoint, username, password)
        fetch, servers = session.fetch, self

        async def stalling(uids):
            servers.fetches += 1
            if servers.fetches == 2:
                servers.stalled.set()
                await servers.go.wait()
            async for found in fetch(uids):
                yield found

        session.fetch = stalling
        return session


async def test_a_sync_killed_mid_run_resumes_after_its_last_batch_without_duplicates(pool, dovecot):
    s = await setting(pool, dovecot, batch=2)
    await dovecot.append(s.user, s.password, *(message("ann@client.test", s.user, f"M {i}", f"k{i}@client.test")
                                               for i in range(5)))
    servers = Stalling()
    killed = MailSync(s.begin, SEALER, servers, SyncPolicy(batch=2, allow_private=True))
    run = asyncio.create_task(killed.sync(s.box))
    await asyncio.wait_for(servers.stalled.wait(), 30)
    assert await s.sync.sync(s.box) is None  # the lease: a second run at the same time leaves
    run.cancel()  # the worker dies mid-batch
    with pytest.raises(asyncio.CancelledError):
        await run
    box = await mailbox(s)
    assert (box.cursor.last_uid, box.imported) == (2, 2)  # the first batch, whole
    assert await s.sync.sync(s.box) == (3, 3)
    assert sorted(r["message_id"] for r in await filed(pool, s.workspace)) == [f"k{i}@client.test" for i in range(5)]


async def test_two_runs_at_once_file_each_message_once(pool, dovecot):
    s = await setting(pool, dovecot, batch=3)
    await dovecot.append(s.user, s.password, *(message("ann@client.test", s.user, f"C {i}", f"c{i}@client.test")
                                               for i in range(8)))
    other = MailSync(s.begin, SEALER, AioImapServers(timeout=10), SyncPolicy(batch=3, allow_private=True))
    reports = await asyncio.gather(s.sync.sync(s.box), other.sync(s.box))
    assert sorted(r.filed for r in reports if r is not None) in ([8], [0, 8])
    assert len(await filed(pool, s.workspace)) == 8
    assert (await mailbox(s)).imported == 8


async def test_a_refused_sign_in_is_the_status_in_words_and_a_server_on_loopback_needs_allowing(pool, dovecot):
    s = await setting(pool, dovecot)
    async with s.begin() as tx:
        await pool.execute("UPDATE mailboxes SET secret = $2 WHERE id = $1", s.box, SEALER.seal(b"wrong"))
    assert await s.sync.sync(s.box) is None
    box = await mailbox(s)
    assert box.status is SyncStatus.FAILING and "refused the user name or password" in box.last_error
    assert box.last_success_at is None and box.cursor == Cursor(None, 0, None)
    guarded = MailSync(s.begin, SEALER, AioImapServers(timeout=10), SyncPolicy(allow_private=False))
    assert await guarded.sync(s.box) is None
    assert "loopback, private or reserved address" in (await mailbox(s)).last_error


async def test_a_mailbox_whose_owner_left_the_workspace_files_nothing_more(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password, message("ann@client.test", s.user, "After leaving", "l@client.test"))
    await pool.execute("UPDATE memberships SET role = 'viewer' WHERE workspace_id = $1", s.workspace)
    assert await s.sync.sync(s.box) is None
    box = await mailbox(s)
    assert box.status is SyncStatus.FAILING and "may no longer add to this workspace" in box.last_error
    await pool.execute("DELETE FROM memberships WHERE workspace_id = $1", s.workspace)
    assert await s.sync.sync(s.box) is None and await filed(pool, s.workspace) == []


class Watched(AioImapServers):
    """Dovecot, telling the test when a sync has entered IMAP IDLE."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.idling = asyncio.Event()

    def imap(self, endpoint, username, password):
        session = super().imap(endpoint, username, password)
        idle, servers = session.idle, self

        async def watched(seconds):
            servers.idling.set()
            return await idle(seconds)

        session.idle = watched
        return session


async def test_with_idle_a_run_files_mail_that_arrives_while_it_waits(pool, dovecot):
    s = await setting(pool, dovecot)
    await dovecot.append(s.user, s.password, message("ann@client.test", s.user, "Before", "b@client.test"))
    servers = Watched()
    waiting = MailSync(s.begin, SEALER, servers, SyncPolicy(allow_private=True, idle=8))
    run = asyncio.create_task(waiting.sync(s.box))
    await asyncio.wait_for(servers.idling.wait(), 30)  # it read what was there and now waits
    await dovecot.append(s.user, s.password, message("ann@client.test", s.user, "While idle", "w@client.test"))
    report = await asyncio.wait_for(run, 60)
    assert report.filed == 2  # the one that arrived during the same run, announced by IDLE
    assert [r["message_id"] for r in await filed(pool, s.workspace)] == ["b@client.test", "w@client.test"]
    assert (await mailbox(s)).cursor.last_uid == 2


async def test_a_failing_mailbox_rests_from_the_schedule_but_its_owner_can_still_ask(pool, dovecot):
    s = await setting(pool, dovecot)
    await pool.execute("UPDATE mailboxes SET secret = $2 WHERE id = $1", s.box, SEALER.seal(b"wrong"))
    assert await s.sync.sync(s.box, asked=False) is None
    failed_at = (await mailbox(s)).last_attempt_at
    assert await s.sync.sync(s.box, asked=False) is None  # the schedule leaves it alone for a while
    assert (await mailbox(s)).last_attempt_at == failed_at
    await pool.execute("UPDATE mailboxes SET secret = $2 WHERE id = $1", s.box, SEALER.seal(s.password.encode()))
    assert await s.sync.sync(s.box, asked=True) == (0, 0)  # Sync now: tried at once, and it works again
    box = await mailbox(s)
    assert box.status is SyncStatus.OK and box.last_attempt_at > failed_at
    assert await s.sync.sync(s.box, asked=False) == (0, 0)  # no longer failing: polled as usual
