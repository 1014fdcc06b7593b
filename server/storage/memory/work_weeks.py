"""``MemoryWorkWeeks``: the in-memory twin of ``PostgresWorkWeeks``. Table ``work_weeks``: user -> hours."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.storage.memory.unit import MemoryDatabase


class MemoryWorkWeeks:
    """Implements ``server.services.ports.work_weeks.WorkWeeks`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._rows: dict[UUID, float] = db.table("work_weeks")

    async def hours(self, users: Sequence[UUID]) -> dict[UUID, float]:
        return {u: self._rows[u] for u in users if u in self._rows}

    async def set(self, user: UUID, hours: float) -> None:
        self._rows[user] = round(float(hours), 2)
