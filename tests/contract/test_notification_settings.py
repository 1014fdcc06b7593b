"""The notification settings, deal follows and note mentions ports
(``server.services.ports.notification_settings``) and the digest's reads of the notifications
port, one contract over the memory twins and Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.domain.notification_settings import DEFAULT, NotificationPrefs
from server.domain.notifications import NewNotification
from server.storage.memory.notification_settings import (
    MemoryDealFollows, MemoryNoteMentions, MemoryNotificationSettings,
)
from server.storage.memory.notifications import MemoryNotifications
from server.storage.memory.unit import MemoryDatabase
from server.storage.notification_settings import (
    PostgresDealFollows, PostgresNoteMentions, PostgresNotificationSettings,
)
from server.storage.notifications import PostgresNotifications
from tests.support.units import backend


def adapters(conn: asyncpg.Connection) -> SimpleNamespace:
    return SimpleNamespace(notification_settings=PostgresNotificationSettings(conn),
                           deal_follows=PostgresDealFollows(conn), note_mentions=PostgresNoteMentions(conn),
                           notifications=PostgresNotifications(conn))


def twins(db: MemoryDatabase) -> SimpleNamespace:
    return SimpleNamespace(notification_settings=MemoryNotificationSettings(db), deal_follows=MemoryDealFollows(db),
                           note_mentions=MemoryNoteMentions(db), notifications=MemoryNotifications(db))


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[tuple]:
    async with backend(request.param, database_url, adapters, twins) as (begin, world):
        yield begin, world


async def _board(world) -> UUID:
    board = uuid4()
    if world.pool is not None:
        await world.pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                                 board, await world.workspace())
    return board


async def test_settings_default_until_set_and_are_replaced_whole(store):
    begin, world = store
    user = await world.user()
    async with begin() as tx:
        assert await tx.notification_settings.get(user) == DEFAULT
        await tx.notification_settings.put(user, NotificationPrefs({"mentioned": "email"}, "daily", 7, "Europe/Berlin"))
    async with begin() as tx:
        assert await tx.notification_settings.get(user) == NotificationPrefs({"mentioned": "email"}, "daily", 7,
                                                                             "Europe/Berlin")
        await tx.notification_settings.put(user, NotificationPrefs({"reminder": "off"}))
    async with begin() as tx:
        assert await tx.notification_settings.get(user) == NotificationPrefs({"reminder": "off"})


async def test_a_digest_period_is_marked_sent_once_and_only_digesting_users_are_listed(store):
    begin, world = store
    daily, silent = await world.user(), await world.user()
    at = datetime(2026, 12, 6, 8, 2, tzinfo=timezone.utc)
    async with begin() as tx:
        await tx.notification_settings.put(daily, NotificationPrefs({}, "daily", 8, "UTC"))
        await tx.notification_settings.put(silent, NotificationPrefs({}))
    async with begin() as tx:
        [(user, prefs, last)] = [d for d in await tx.notification_settings.digesting() if d[0] in (daily, silent)]
        assert (user, prefs.digest, last.period, last.at) == (daily, "daily", None, None)
        assert await tx.notification_settings.mark_digested(daily, "2026-12-06", at) is True
    async with begin() as tx:
        assert await tx.notification_settings.mark_digested(daily, "2026-12-06", at + timedelta(hours=1)) is False
        [(_, _, last)] = [d for d in await tx.notification_settings.digesting() if d[0] == daily]
        assert (last.period, last.at) == ("2026-12-06", at)
        assert await tx.notification_settings.mark_digested(daily, "2026-12-07", at + timedelta(days=1)) is True


async def test_follow_choices_are_kept_per_user_and_deal(store):
    begin, world = store
    me, other = await world.user(), await world.user()
    board, card = await _board(world), uuid4()
    async with begin() as tx:
        await tx.deal_follows.set(board, card, me, True)
        await tx.deal_follows.set(board, card, other, False)
        await tx.deal_follows.set(board, card, me, False)
    async with begin() as tx:
        assert await tx.deal_follows.choices(board, card) == {me: False, other: False}
        assert await tx.deal_follows.choices(board, uuid4()) == {}


async def test_a_note_remembers_everyone_it_mentioned(store):
    begin, world = store
    a, b = uuid4(), uuid4()
    document = f"note:{uuid4()}"
    board = await _board(world)
    if world.pool is not None:
        await world.pool.execute("INSERT INTO documents (name, workspace_id, board_id, kind) "
                                 "SELECT $1, workspace_id, id, 'note' FROM boards WHERE id = $2", document, board)
    async with begin() as tx:
        assert await tx.note_mentions.seen(document) == set()
        await tx.note_mentions.add(document, {a})
    async with begin() as tx:
        await tx.note_mentions.add(document, {a, b})
    async with begin() as tx:
        assert await tx.note_mentions.seen(document) == {a, b}


async def test_unread_since_lists_a_users_unread_oldest_first_after_a_moment(store):
    begin, world = store
    me, other, workspace = await world.user(), await world.user(), await world.workspace()
    first, second, read = (NewNotification(uuid4(), me, workspace, m) for m in ("first", "second", "read"))
    async with begin() as tx:
        for n in (first, read, NewNotification(uuid4(), other, workspace, "theirs")):
            await tx.notifications.add(n)
        await tx.notifications.mark_read(me, read.id)
    async with begin() as tx:
        await tx.notifications.add(second)
    async with begin() as tx:
        assert [n.message for n in await tx.notifications.unread_since(me, None)] == ["first", "second"]
        made = (await tx.notifications.get(first.id)).created_at
        assert [n.message for n in await tx.notifications.unread_since(me, made)] == ["second"]
        assert (await tx.notifications.get(second.id)).user_id == me and await tx.notifications.get(uuid4()) is None
