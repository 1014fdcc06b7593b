"""``PostgresCalendarEntries`` and ``PostgresCalendarFeeds``, through one connection (issue 18)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.domain.calendar import CalendarEntry
from server.domain.projection import ActivityRecord
from server.domain.team_tasks import TeamTask
from server.storage.queries import queries

SQL = queries("calendar")


class PostgresCalendarEntries:
    """Implements ``server.services.ports.calendar.CalendarEntries``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def between(self, boards: Sequence[UUID], people: Sequence[UUID], first: date,
                      last: date) -> list[CalendarEntry]:
        rows = await self._conn.fetch(SQL["entries_between"], list(boards), list(people), first, last)
        return [CalendarEntry(*row) for row in rows]

    async def upcoming(self, first: date, last: date) -> list[tuple[UUID, UUID, ActivityRecord]]:
        rows = await self._conn.fetch(SQL["upcoming"], first, last)
        return [(row[0], row[1], ActivityRecord(*row[2:])) for row in rows]

    async def tasks(self, boards: Sequence[UUID], include_done: bool) -> list[TeamTask]:
        rows = await self._conn.fetch(SQL["tasks"], list(boards), include_done)
        return [TeamTask(*row) for row in rows]


class PostgresCalendarFeeds:
    """Implements ``server.services.ports.calendar.CalendarFeeds``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, user: UUID, token_hash: bytes) -> None:
        await self._conn.execute(SQL["put_feed"], user, token_hash)

    async def user_of(self, token_hash: bytes) -> UUID | None:
        return await self._conn.fetchval(SQL["feed_user"], token_hash)

    async def created(self, user: UUID) -> datetime | None:
        return await self._conn.fetchval(SQL["feed_created"], user)

    async def drop(self, user: UUID) -> bool:
        return await self._conn.execute(SQL["drop_feed"], user) == "DELETE 1"
