"""Upkeep of the insights rollups (issue 19; migration 0040_insights_refresh_job): what the
``insights.refresh`` job asks of them. Postgres only, like ``InsightsReads``' rollups: the marks
are made by triggers in the writer's transaction, which also queue the job."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class InsightsUpkeep(Protocol):
    async def stale_boards(self) -> list[UUID]:
        """The boards some part of whose rollups is stale."""

    async def refresh(self, board: UUID) -> bool:
        """Bring the board's rollups (funnel days and months, closed deals) up to date, whole board
        included; True when nothing of it is stale any more (False: another transaction kept it
        busy, or new marks kept coming: the cron sweep comes back to it)."""
