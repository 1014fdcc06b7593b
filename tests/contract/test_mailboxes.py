"""The mailbox ports (``server.services.ports.mailboxes``) over the memory twins and Postgres: a
mailbox per owner and address, its cursor, status and lease, and filed e-mail — one per Message-ID
per workspace, filed only under records of its own workspace, read back per thread, per deal and on
a timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.domain.mailboxes import (
    Cursor, DealRef, Direction, Email, Endpoint, Filing, NewEmail, NewMailbox, SyncStatus, Tls, Visibility,
)
from server.domain.timeline import EntryKind
from server.storage.contacts import PostgresContacts, PostgresOrganisations
from server.storage.mailboxes import PostgresEmailMessages, PostgresMailboxes, PostgresMailboxSync
from server.storage.memory.contacts import MemoryContacts, MemoryOrganisations
from server.storage.memory.mailboxes import MemoryEmailMessages, MemoryMailboxes, MemoryMailboxSync
from server.storage.memory.privacy import MemoryErasableContacts
from server.storage.memory.unit import MemoryDatabase
from server.storage.privacy import PostgresErasableContacts
from tests.contract.test_contacts import board_with, company, person
from tests.support.units import World, backend

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(mailboxes=PostgresMailboxes(conn), sync=PostgresMailboxSync(conn),
                           emails=PostgresEmailMessages(conn), contacts=PostgresContacts(conn),
                           organisations=PostgresOrganisations(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(mailboxes=MemoryMailboxes(db), sync=MemoryMailboxSync(db), emails=MemoryEmailMessages(db),
                           contacts=MemoryContacts(db), organisations=MemoryOrganisations(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


def new_mailbox(workspace: UUID, owner: UUID, address: str = "me@example.test") -> NewMailbox:
    return NewMailbox(workspace, owner, address, Endpoint("imap.example.test", 993, Tls.TLS),
                      Endpoint("smtp.example.test", 465, Tls.TLS), "me", b"sealed")


def email(message_id: str, *, thread: str | None = None, sender: str = "ann@client.test", subject: str = "Hello",
          at: datetime = T0) -> Email:
    return Email(message_id, thread or message_id, None, [], sender, "Ann", ["me@example.test"], [], subject, at,
                 "snippet", "body", "<p>body</p>")


def incoming(workspace: UUID, mailbox: UUID | None, owner: UUID, message: Email,
             visibility: Visibility = Visibility.METADATA) -> NewEmail:
    return NewEmail(workspace, mailbox, owner, Direction.IN, visibility, message, imap_uid=1)


async def test_a_mailbox_comes_back_once_per_owner_and_address_and_disconnects(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        assert await tx.mailboxes.connect(new_mailbox(workspace, owner)) is None
        other = await tx.mailboxes.connect(new_mailbox(workspace, owner, "second@example.test"))
    async with begin() as tx:
        got = await tx.mailboxes.get(box.id)
        assert (got.address, got.imap, got.smtp, got.secret, got.visibility, got.status, got.cursor, got.imported) == (
            "me@example.test", Endpoint("imap.example.test", 993, Tls.TLS), Endpoint("smtp.example.test", 465, Tls.TLS),
            b"sealed", Visibility.METADATA, SyncStatus.NEW, Cursor(None, 0, None), 0)
        assert [m.id for m in await tx.mailboxes.of_owner(workspace, owner)] == [box.id, other.id]
        assert await tx.mailboxes.of_owner(workspace, await world.user()) == []
        assert set(await tx.mailboxes.all_ids()) >= {box.id, other.id}
        assert await tx.mailboxes.disconnect(other.id) and not await tx.mailboxes.disconnect(other.id)
        assert await tx.mailboxes.get(other.id) is None


async def test_the_cursor_status_and_a_restart(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        await tx.sync.advance(box.id, Cursor(7, 40, 99), 3)
        await tx.sync.advance(box.id, Cursor(7, 50, 99), 2)
        await tx.sync.failed(box.id, T0, "IMAP: the server refused the user name or password")
    async with begin() as tx:
        got = await tx.mailboxes.get(box.id)
        assert (got.cursor, got.imported, got.status, got.last_error, got.last_attempt_at, got.last_success_at) == (
            Cursor(7, 50, 99), 5, SyncStatus.FAILING, "IMAP: the server refused the user name or password", T0, None)
        await tx.sync.succeeded(box.id, T0 + timedelta(minutes=1))
        await tx.sync.restart(box.id, date(2026, 10, 1))
    async with begin() as tx:
        got = await tx.mailboxes.get(box.id)
        assert (got.status, got.last_error, got.last_success_at, got.cursor, got.sync_from, got.imported) == (
            SyncStatus.OK, None, T0 + timedelta(minutes=1), Cursor(None, 0, None), date(2026, 10, 1), 5)


async def test_one_holder_has_the_lease_until_it_releases_it(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    first, second = uuid4(), uuid4()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        assert await tx.sync.lease(box.id, first, timedelta(minutes=5))
        assert not await tx.sync.lease(box.id, second, timedelta(minutes=5))
        assert await tx.sync.lease(box.id, first, timedelta(minutes=5))  # renewing
        await tx.sync.release(box.id, second)  # not the holder: nothing
        assert not await tx.sync.lease(box.id, second, timedelta(minutes=5))
        await tx.sync.release(box.id, first)
        assert await tx.sync.lease(box.id, second, timedelta(minutes=5))
        assert not await tx.sync.lease(uuid4(), first, timedelta(minutes=5))


async def test_a_restart_takes_the_lease_from_a_run_under_way(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    running, next_run = uuid4(), uuid4()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        assert await tx.sync.lease(box.id, running, timedelta(minutes=5))
        assert await tx.sync.lease(box.id, running, timedelta(minutes=5), renew=True)
        await tx.sync.restart(box.id, None)
        assert not await tx.sync.lease(box.id, running, timedelta(minutes=5), renew=True)  # it stops
        assert not await tx.sync.lease(box.id, next_run, timedelta(minutes=5), renew=True)  # renew: ours only
        assert await tx.sync.lease(box.id, next_run, timedelta(minutes=5))  # the re-sync's run starts


async def test_a_lapsed_lease_goes_to_the_next_holder(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        assert await tx.sync.lease(box.id, uuid4(), timedelta(seconds=-1))  # a holder killed long ago
        assert await tx.sync.lease(box.id, uuid4(), timedelta(minutes=5))


async def test_a_message_id_is_filed_once_per_workspace(store):
    begin, world = store
    workspace, other, owner = await world.workspace(), await world.workspace(), await world.user()
    async with begin() as tx:
        first = await tx.emails.file(incoming(workspace, None, owner, email("a@x")), Filing())
        assert await tx.emails.file(incoming(workspace, None, owner, email("a@x", subject="again")), Filing()) is None
        assert await tx.emails.file(incoming(other, None, owner, email("a@x")), Filing()) is not None
        await tx.emails.file(incoming(workspace, None, owner, email("b@x", thread="a@x", at=T0 + timedelta(hours=1))),
                             Filing())
    async with begin() as tx:
        got = await tx.emails.get(first)
        assert (got.email.subject, got.direction, got.visibility, got.owner_id) == (
            "Hello", Direction.IN, Visibility.METADATA, owner)
        assert got.email == email("a@x")
        assert await tx.emails.known(workspace, ["a@x", "b@x", "c@x"]) == {"a@x": "a@x", "b@x": "a@x"}
        assert [e.email.message_id for e in await tx.emails.of_thread(workspace, "a@x")] == ["a@x", "b@x"]


async def test_filing_finds_live_contacts_by_address_their_organisation_and_open_deals(store):
    begin, world = store
    workspace, other = await world.workspace(), await world.workspace()
    async with begin() as tx:
        acme = await tx.organisations.insert(workspace, company("Acme"), None)
        ann = await tx.contacts.insert(workspace, person("Ann", "A", emails=["ann@client.test"], organisation=acme),
                                       None)
        gone = await tx.contacts.insert(workspace, person("Gone", "G", emails=["gone@client.test"]), None)
        await tx.contacts.delete(gone)
        await tx.contacts.insert(other, person("Ann", "Elsewhere", emails=["ann@client.test"]), None)
    open_deal, won = uuid4(), uuid4()
    board = await board_with(world, workspace, deals=[(open_deal, "Open", ann, None, T0)])
    await _close(world, board, won, ann, workspace)
    async with begin() as tx:
        filing = await tx.emails.filing_for(workspace, ["ANN@client.test", "gone@client.test", "nobody@x.test"])
        assert filing == Filing([ann], [acme], [DealRef(board, open_deal)])
        assert await tx.emails.filing_for(workspace, ["nobody@x.test"]) == Filing()


async def test_timelines_hold_the_mail_filed_under_the_record_newest_first(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        acme = await tx.organisations.insert(workspace, company("Acme"), None)
        ann = await tx.contacts.insert(workspace, person("Ann", "A", emails=["ann@client.test"], organisation=acme),
                                       None)
    card = uuid4()
    board = await board_with(world, workspace, deals=[(card, "Deal", ann, None, T0)])
    filing = Filing([ann], [acme], [DealRef(board, card)])
    async with begin() as tx:
        old = await tx.emails.file(incoming(workspace, None, owner, email("old@x")), filing)
        new = await tx.emails.file(incoming(workspace, None, owner, email("new@x", at=T0 + timedelta(days=1)),
                                            Visibility.SUBJECT), Filing([ann]))
        await tx.emails.file(incoming(workspace, None, owner, email("other@x")), Filing())
        await tx.emails.file(incoming(workspace, None, owner, email("foreign@x")),  # ids of another workspace: none
                             Filing([uuid4()], [uuid4()], [DealRef(uuid4(), uuid4())]))
    async with begin() as tx:
        entries = await tx.emails.timeline(workspace, [ann], None, 10)
        assert [(e.kind, e.id, e.title, e.contact_id, e.board_id) for e in entries] == [
            (EntryKind.EMAIL, new, "Hello", ann, None), (EntryKind.EMAIL, old, "Hello", ann, None)]
        assert entries[0].email.visibility == "subject" and entries[0].email.owner == owner
        assert entries[0].email.from_address == "ann@client.test" and entries[0].email.direction == "in"
        assert [e.id for e in await tx.emails.timeline(workspace, [], acme, 10)] == [old]
        assert [e.id for e in await tx.emails.timeline(workspace, [ann], acme, 1)] == [new]
        assert [e.id for e in await tx.emails.of_deal(board, card)] == [old]


async def test_visibility_changes_for_the_mail_the_mailbox_filed(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        filed = await tx.emails.file(incoming(workspace, box.id, owner, email("a@x")), Filing())
        elsewhere = await tx.emails.file(incoming(workspace, None, owner, email("b@x")), Filing())
        await tx.mailboxes.set_visibility(box.id, Visibility.EVERYTHING)
    async with begin() as tx:
        assert (await tx.mailboxes.get(box.id)).visibility is Visibility.EVERYTHING
        assert (await tx.emails.get(filed)).visibility is Visibility.EVERYTHING
        assert (await tx.emails.get(elsewhere)).visibility is Visibility.METADATA
        await tx.mailboxes.disconnect(box.id)
    async with begin() as tx:
        kept = await tx.emails.get(filed)
        assert (kept.mailbox_id, kept.owner_id) == (None, owner)  # the mail stays, owned by the same member


async def _close(world: World, board: UUID, card: UUID, contact: UUID, workspace: UUID) -> None:
    """A won deal of ``contact`` on ``board``: not an open deal, so nothing is filed under it."""
    if world.pool is not None:
        await world.pool.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, status, stage_id, rank, contact_id)"
            " VALUES ($1, $2, $3, 'Won', 'won', $4, 'a', $5)", board, card, workspace, uuid4(), contact)
        return
    from server.domain.projection import Table
    deals = world.db.table(f"projected_{Table.DEALS}")[board]
    _, sample = next(iter(deals.values()))
    deals[card] = (workspace, sample._replace(id=card, status="won"))


async def test_erasing_a_contact_deletes_the_mail_filed_under_it(database_url):
    for kind in ("memory", "postgres"):
        async with backend(kind, database_url, lambda conn: SimpleNamespace(
                **vars(adapters(conn)), erasable=PostgresErasableContacts(conn)), lambda db: SimpleNamespace(
                **vars(twins(db)), erasable=MemoryErasableContacts(db))) as (begin, world):
            workspace, owner = await world.workspace(), await world.user()
            async with begin() as tx:
                ann = await tx.contacts.insert(workspace, person("Ann", "A", emails=["ann@client.test"]), None)
                bob = await tx.contacts.insert(workspace, person("Bob", "B", emails=["bob@client.test"]), None)
                about_ann = await tx.emails.file(incoming(workspace, None, owner, email("a@x")), Filing([ann]))
                about_bob = await tx.emails.file(incoming(workspace, None, owner, email("b@x")), Filing([bob]))
            async with begin() as tx:
                assert await tx.erasable.erase([ann]) == 1
            async with begin() as tx:
                assert await tx.emails.get(about_ann) is None, kind
                assert await tx.emails.get(about_bob) is not None and await tx.emails.known(workspace, ["a@x"]) == {}
