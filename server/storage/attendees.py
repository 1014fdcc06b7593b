"""``PostgresActivityAttendees`` (issue 18): table ``activity_attendees`` (migration 0034)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.services.ports.attendees import Attendees
from server.storage.queries import queries

SQL = queries("attendees")


def _split(rows: list) -> Attendees:
    return Attendees(tuple(r[0] for r in rows if r[0] is not None), tuple(r[1] for r in rows if r[1] is not None))


class PostgresActivityAttendees:
    """Implements ``server.services.ports.attendees.ActivityAttendees``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_activity(self, board: UUID, activity: UUID) -> Attendees:
        return _split(await self._conn.fetch(SQL["of_activity"], board, activity))

    async def of_board(self, board: UUID) -> dict[UUID, Attendees]:
        by: dict[UUID, list] = {}
        for row in await self._conn.fetch(SQL["of_board"], board):
            by.setdefault(row[0], []).append((row[1], row[2]))
        return {activity: _split(rows) for activity, rows in by.items()}

    async def set(self, workspace: UUID, board: UUID, activity: UUID, attendees: Attendees) -> None:
        await self._conn.execute(SQL["drop_others"], board, activity, list(attendees.users), list(attendees.contacts))
        await self._conn.execute(SQL["add_users"], board, activity, workspace, list(attendees.users))
        await self._conn.execute(SQL["add_contacts"], board, activity, workspace, list(attendees.contacts))

    async def attending(self, user: UUID, boards: list[UUID]) -> list[tuple[UUID, UUID]]:
        return [(r[0], r[1]) for r in await self._conn.fetch(SQL["attending"], user, boards)]
