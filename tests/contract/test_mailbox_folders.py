"""``MailboxFolders`` (the Sent folder's cursor, brief J) over the memory twin and Postgres: a cursor
per mailbox and role that moves on and counts what was filed, forgotten by a re-sync, gone with
its mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import asyncpg
import pytest

from server.services.ports.mailbox_folders import SENT, FolderCursor
from server.storage.mailbox_folders import PostgresMailboxFolders
from server.storage.mailboxes import PostgresMailboxes
from server.storage.memory.mailbox_folders import MemoryMailboxFolders
from server.storage.memory.mailboxes import MemoryMailboxes
from server.storage.memory.unit import MemoryDatabase
from tests.contract.test_mailboxes import new_mailbox
from tests.support.units import backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(mailboxes=PostgresMailboxes(conn), folders=PostgresMailboxFolders(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(mailboxes=MemoryMailboxes(db), folders=MemoryMailboxFolders(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


async def test_a_folder_cursor_moves_on_counts_and_is_per_mailbox(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        other = await tx.mailboxes.connect(new_mailbox(workspace, owner, "second@example.test"))
        assert await tx.folders.get(box.id, SENT) is None
        await tx.folders.advance(box.id, SENT, "Sent Items", 7, 40, 3)
        await tx.folders.advance(box.id, SENT, "Sent Items", 7, 52, 2)
    async with begin() as tx:
        assert await tx.folders.get(box.id, SENT) == FolderCursor("Sent Items", 7, 52, 5)
        assert await tx.folders.get(other.id, SENT) is None
        await tx.folders.advance(box.id, SENT, "Gesendet", 9, 1, 0)  # renamed or renumbered: the new one
    async with begin() as tx:
        assert await tx.folders.get(box.id, SENT) == FolderCursor("Gesendet", 9, 1, 5)


async def test_a_restart_forgets_the_cursor_and_a_disconnected_mailbox_takes_it_along(store):
    begin, world = store
    workspace, owner = await world.workspace(), await world.user()
    async with begin() as tx:
        box = await tx.mailboxes.connect(new_mailbox(workspace, owner))
        await tx.folders.advance(box.id, SENT, "Sent", 7, 40, 3)
        await tx.folders.restart(box.id)
        assert await tx.folders.get(box.id, SENT) is None
        await tx.folders.advance(box.id, SENT, "Sent", 7, 40, 3)
        assert await tx.mailboxes.disconnect(box.id)
        assert await tx.folders.get(box.id, SENT) is None
        await tx.folders.advance(box.id, SENT, "Sent", 7, 41, 1)  # a run finishing after the disconnect
        assert await tx.folders.get(box.id, SENT) is None
