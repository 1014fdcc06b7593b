"""``PostgresInsightsUpkeep``: the ``insights.refresh`` job's refresh of a board's rollups
(``funnel_days_refresh`` and ``deal_closes_refresh`` of migration 0040_insights_refresh_job
without a bound), each attempt in a transaction of its own."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg

from server.storage.insights import TUNING
from server.storage.insights_rollup import ROLLUP


class PostgresInsightsUpkeep:
    """Implements ``server.services.ports.insights_upkeep.InsightsUpkeep``."""

    def __init__(self, pool: asyncpg.Pool, *, attempts: int = 5, pause: float = 0.5) -> None:
        self._pool, self._attempts, self._pause = pool, attempts, pause

    async def stale_boards(self) -> list[UUID]:
        async with self._pool.acquire() as conn:
            return [row["board_id"] for row in await conn.fetch(ROLLUP["stale_boards"])]

    async def refresh(self, board: UUID) -> bool:
        for attempt in range(self._attempts):
            if attempt:  # a reader's bounded refresh held the board's lock, or marks came meanwhile
                await asyncio.sleep(self._pause)
            async with self._pool.acquire() as conn:
                async with conn.transaction():
                    await conn.execute(TUNING)
                    await conn.execute(ROLLUP["funnel_days_refresh"], [board], None)
                    await conn.execute(ROLLUP["closes_refresh"], [board], None)
                if not await conn.fetchval(ROLLUP["board_stale"], board):
                    return True
        return False
