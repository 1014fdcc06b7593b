"""``PostgresSeriesExceptions`` (issue 18): table ``activity_exceptions`` (migration 0034_b)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import asyncpg

from server.services.ports.series import SeriesException
from server.storage.queries import queries

SQL = queries("series")


class PostgresSeriesExceptions:
    """Implements ``server.services.ports.series.SeriesExceptions``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, workspace: UUID, board: UUID, activity: UUID, day: date, replaced_by: UUID | None) -> bool:
        return await self._conn.execute(SQL["add"], board, activity, workspace, day, replaced_by) == "INSERT 0 1"

    async def days(self, board: UUID, activity: UUID) -> dict[date, UUID | None]:
        return {row[0]: row[1] for row in await self._conn.fetch(SQL["days"], board, activity)}

    async def of_boards(self, boards: Sequence[UUID]) -> dict[tuple[UUID, UUID], frozenset[date]]:
        return {(r[0], r[1]): frozenset(r[2]) for r in await self._conn.fetch(SQL["of_boards"], list(boards))}

    async def rows(self, boards: Sequence[UUID]) -> list[SeriesException]:
        return [SeriesException(*r) for r in await self._conn.fetch(SQL["rows"], list(boards))]

    async def remove(self, board: UUID, activity: UUID, day: date) -> bool:
        return await self._conn.execute(SQL["remove"], board, activity, day) == "DELETE 1"
