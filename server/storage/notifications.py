"""``PostgresNotifications``, through one connection."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from server.domain.notifications import NewNotification, Notification
from server.storage.queries import queries

SQL = queries("notifications")


def _notification(r: asyncpg.Record) -> Notification:
    return Notification(r["id"], r["user_id"], r["workspace_id"], r["message"], r["board_id"], r["card_id"],
                        r["created_at"], r["read_at"], r["kind"], r["actor"])


def _count(status: str) -> int:
    return int(status.split()[-1])


class PostgresNotifications:
    """Implements ``server.services.ports.notifications.Notifications``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, new: NewNotification) -> bool:
        return _count(await self._conn.execute(SQL["insert_notification"], *new)) == 1

    async def of_user(self, user: UUID, limit: int = 50) -> list[Notification]:
        return [_notification(r) for r in await self._conn.fetch(SQL["notifications_of_user"], user, limit)]

    async def unread(self, user: UUID) -> int:
        return int(await self._conn.fetchval(SQL["unread_of_user"], user))

    async def mark_read(self, user: UUID, notification: UUID) -> bool:
        return _count(await self._conn.execute(SQL["mark_read"], user, notification)) == 1

    async def mark_all_read(self, user: UUID) -> int:
        return _count(await self._conn.execute(SQL["mark_all_read"], user))

    async def get(self, notification: UUID) -> Notification | None:
        found = await self._conn.fetchrow(SQL["notification"], notification)
        return None if found is None else _notification(found)

    async def unread_since(self, user: UUID, after: datetime | None, limit: int = 100) -> list[Notification]:
        return [_notification(r) for r in await self._conn.fetch(SQL["unread_since"], user, after, limit)]

    async def forget(self, workspace: UUID, user: UUID) -> None:
        await self._conn.execute(SQL["forget_of_member"], workspace, user)
