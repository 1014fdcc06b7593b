"""The notifications port (``server.services.ports.notifications``), one contract over the memory
twin and Postgres: a notification is stored once per id; a user lists and counts only their own,
newest first; marking read works only on one's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import uuid4

import asyncpg
import pytest

from server.domain.notifications import NewNotification
from server.storage.memory.notifications import MemoryNotifications
from server.storage.memory.unit import MemoryDatabase
from server.storage.notifications import PostgresNotifications
from tests.support.units import backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(notifications=PostgresNotifications(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(notifications=MemoryNotifications(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


async def test_a_notification_is_stored_once_per_id(store):
    begin, world = store
    user, workspace, card, board = await world.user(), await world.workspace(), uuid4(), uuid4()
    new = NewNotification(uuid4(), user, workspace, "Call Acme", board, card)
    async with begin() as tx:
        assert await tx.notifications.add(new) is True
    async with begin() as tx:
        assert await tx.notifications.add(new._replace(message="again")) is False
        [found] = await tx.notifications.of_user(user)
    assert (found.id, found.message, found.board_id, found.card_id, found.read_at) == (
        new.id, "Call Acme", board, card, None)
    assert found.workspace_id == workspace and found.user_id == user


async def test_a_user_lists_and_counts_only_their_own_newest_first(store):
    begin, world = store
    me, other, workspace = await world.user(), await world.user(), await world.workspace()
    async with begin() as tx:
        first = NewNotification(uuid4(), me, workspace, "first")
        await tx.notifications.add(first)
        await tx.notifications.add(NewNotification(uuid4(), other, workspace, "not mine"))
    async with begin() as tx:
        second = NewNotification(uuid4(), me, workspace, "second")
        await tx.notifications.add(second)
    async with begin() as tx:
        assert [n.message for n in await tx.notifications.of_user(me)] == ["second", "first"]
        assert [n.message for n in await tx.notifications.of_user(me, limit=1)] == ["second"]
        assert await tx.notifications.unread(me) == 2
        assert await tx.notifications.unread(other) == 1


async def test_marking_read_works_only_on_ones_own(store):
    begin, world = store
    me, other, workspace = await world.user(), await world.user(), await world.workspace()
    mine, theirs = uuid4(), uuid4()
    async with begin() as tx:
        await tx.notifications.add(NewNotification(mine, me, workspace, "mine"))
        await tx.notifications.add(NewNotification(uuid4(), me, workspace, "mine too"))
        await tx.notifications.add(NewNotification(theirs, other, workspace, "theirs"))
    async with begin() as tx:
        assert await tx.notifications.mark_read(me, theirs) is False
        assert await tx.notifications.mark_read(me, uuid4()) is False
        assert await tx.notifications.mark_read(me, mine) is True
        assert await tx.notifications.mark_read(me, mine) is True  # already read: still found
    async with begin() as tx:
        assert await tx.notifications.unread(me) == 1
        assert await tx.notifications.unread(other) == 1
        read = {n.id: n.read_at for n in await tx.notifications.of_user(me)}
        assert read[mine] is not None
        assert await tx.notifications.mark_all_read(me) == 1
        assert await tx.notifications.mark_all_read(me) == 0
    async with begin() as tx:
        assert await tx.notifications.unread(me) == 0
        assert await tx.notifications.unread(other) == 1


async def test_forgetting_a_member_deletes_only_their_notifications_of_that_workspace(store):
    begin, world = store
    me, other = await world.user(), await world.user()
    left, stays = await world.workspace(), await world.workspace()
    async with begin() as tx:
        await tx.notifications.add(NewNotification(uuid4(), me, left, "from the one I left"))
        await tx.notifications.add(NewNotification(uuid4(), me, stays, "still mine"))
        await tx.notifications.add(NewNotification(uuid4(), other, left, "theirs"))
    async with begin() as tx:
        await tx.notifications.forget(left, me)
    async with begin() as tx:
        assert [n.message for n in await tx.notifications.of_user(me)] == ["still mine"]
        assert [n.message for n in await tx.notifications.of_user(other)] == ["theirs"]


async def test_a_notification_keeps_who_it_is_from(store):
    begin, world = store
    user, workspace = await world.user(), await world.workspace()
    named = NewNotification(uuid4(), user, workspace, "“Call notes”", kind="mentioned", actor="Ada Lovelace")
    unnamed = NewNotification(uuid4(), user, workspace, "“Call notes”", kind="mentioned")
    async with begin() as tx:
        assert await tx.notifications.add(named) and await tx.notifications.add(unnamed)
    async with begin() as tx:
        found = {n.id: n for n in await tx.notifications.of_user(user)}
        one = await tx.notifications.get(named.id)
    assert found[named.id].actor == "Ada Lovelace" and found[unnamed.id].actor is None
    assert one is not None and (one.kind, one.actor) == ("mentioned", "Ada Lovelace")
