"""``PostgresWorkWeeks``: table ``work_weeks`` (migration 0047)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.storage.queries import queries

SQL = queries("work_weeks")


class PostgresWorkWeeks:
    """Implements ``server.services.ports.work_weeks.WorkWeeks``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def hours(self, users: Sequence[UUID]) -> dict[UUID, float]:
        return {row[0]: row[1] for row in await self._conn.fetch(SQL["hours"], list(users))}

    async def set(self, user: UUID, hours: float) -> None:
        await self._conn.execute(SQL["set"], user, hours)
