"""``PostgresCalendarSyncs``: the CalDAV sync's rows (migration 0032, SQL in ``sql/caldav.sql``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from server.domain.caldav import Counts, Item, Link, Local
from server.storage.queries import queries

SQL = queries("caldav")


class PostgresCalendarSyncs:
    """Implements ``server.services.ports.caldav.CalendarSyncs``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, user: UUID) -> Link | None:
        row = await self._conn.fetchrow(SQL["get"], user)
        return None if row is None else Link(*row[:5], bytes(row[5]), *row[6:])

    async def put(self, link: Link) -> None:
        await self._conn.execute(SQL["put"], link.user, link.workspace, link.board, link.url, link.username,
                                 link.secret)

    async def drop(self, user: UUID) -> bool:
        return await self._conn.execute(SQL["drop"], user) == "DELETE 1"

    async def all_users(self) -> list[UUID]:
        return [row[0] for row in await self._conn.fetch(SQL["all_users"])]

    async def lease(self, user: UUID, holder: UUID, hold: timedelta) -> bool:
        return await self._conn.fetchval(SQL["lease"], user, holder, hold) is not None

    async def finished(self, user: UUID, holder: UUID, token: str | None, counts: Counts, at: datetime,
                       warning: str | None = None) -> None:
        await self._conn.execute(SQL["finished"], user, holder, token, counts.pushed, counts.pulled, counts.removed,
                                 at, warning[:500] if warning else None)

    async def failed(self, user: UUID, holder: UUID, error: str, at: datetime) -> None:
        await self._conn.execute(SQL["failed"], user, holder, error[:500], at)

    async def set_token(self, user: UUID, token: str | None) -> None:
        await self._conn.execute(SQL["set_token"], user, token)

    async def items(self, user: UUID) -> list[Item]:
        return [Item(*row) for row in await self._conn.fetch(SQL["items"], user)]

    async def put_item(self, user: UUID, item: Item) -> None:
        await self._conn.execute(SQL["drop_item_of_activity"], user, item.activity, item.href)
        await self._conn.execute(SQL["put_item"], user, *item)

    async def drop_item(self, user: UUID, href: str) -> None:
        await self._conn.execute(SQL["drop_item"], user, href)

    async def activities(self, user: UUID, boards: Sequence[UUID]) -> list[Local]:
        return [Local(*row) for row in await self._conn.fetch(SQL["activities"], user, list(boards))]
