"""``MemoryInsightsUpkeep``: the memory twin of ``InsightsUpkeep``. The memory insights reads
(``insights_reads.py``) compute every figure from the projection twins' tables on each read, so
there are no rollups and nothing is ever stale: every board is up to date at once."""

from __future__ import annotations

from uuid import UUID


class MemoryInsightsUpkeep:
    """Implements ``server.services.ports.insights_upkeep.InsightsUpkeep``."""

    async def stale_boards(self) -> list[UUID]:
        return []

    async def refresh(self, board: UUID) -> bool:
        return True
