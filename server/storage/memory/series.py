"""``MemorySeriesExceptions``: the in-memory twin of ``PostgresSeriesExceptions`` (issue 18).

Table ``activity_exceptions``: (board, activity, day) -> (workspace, replaced_by)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from server.services.ports.series import SeriesException
from server.storage.memory.unit import MemoryDatabase


class MemorySeriesExceptions:
    """Implements ``server.services.ports.series.SeriesExceptions`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._rows: dict[tuple[UUID, UUID, date], tuple[UUID, UUID | None]] = db.table("activity_exceptions")

    async def add(self, workspace: UUID, board: UUID, activity: UUID, day: date, replaced_by: UUID | None) -> bool:
        if (board, activity, day) in self._rows:
            return False
        self._rows[(board, activity, day)] = (workspace, replaced_by)
        return True

    async def days(self, board: UUID, activity: UUID) -> dict[date, UUID | None]:
        return {d: r for (b, a, d), (_, r) in sorted(self._rows.items(), key=lambda kv: kv[0][2])
                if (b, a) == (board, activity)}

    async def of_boards(self, boards: Sequence[UUID]) -> dict[tuple[UUID, UUID], frozenset[date]]:
        found: dict[tuple[UUID, UUID], set[date]] = {}
        for (b, a, d) in self._rows:
            if b in boards:
                found.setdefault((b, a), set()).add(d)
        return {k: frozenset(v) for k, v in found.items()}

    async def rows(self, boards: Sequence[UUID]) -> list[SeriesException]:
        return [SeriesException(b, a, d, r) for (b, a, d), (_, r) in sorted(self._rows.items(), key=lambda kv: str(kv[0]))
                if b in boards]

    async def remove(self, board: UUID, activity: UUID, day: date) -> bool:
        return self._rows.pop((board, activity, day), None) is not None
