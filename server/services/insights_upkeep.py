"""The ``insights.refresh`` job (issue 19): the insights rollups are brought up to date here, not
inside a reader's request.

A write that makes part of a board's rollups stale (a deal moved, won, reassigned or deleted, an
activity done, the board's stage order changed) marks it in its own transaction, and the same
transaction queues ``insights.refresh`` for the board (a trigger, migration
0040_insights_refresh_job), deduplicated per board while one is queued or running. The job
refreshes everything stale of the board, a whole board included. Readers refresh at most a small
bounded part inline (``server/storage/insights.py``: a board's few stale days or cards) and read
what is still stale from the raw rows, so an answer is the same either way. A cron sweep (every
minute by default) refreshes any board still marked: marks made while the board's job was running,
or on a database whose job queue was installed after them.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from server.services.jobs import JobKinds
from server.services.ports.insights_upkeep import InsightsUpkeep

log = logging.getLogger(__name__)

REFRESH = "insights.refresh"
SWEEP_CRON = "* * * * *"


async def refresh(upkeep: InsightsUpkeep, board: UUID | None) -> tuple[int, int]:
    """Refresh ``board`` (None: every board with stale marks); (boards refreshed, boards left stale)."""
    boards = [board] if board is not None else await upkeep.stale_boards()
    left = 0
    for one in boards:
        if not await upkeep.refresh(one):
            left += 1
    return len(boards) - left, left


def register(kinds: JobKinds, upkeep: InsightsUpkeep, cron: str = SWEEP_CRON) -> None:
    """Add ``insights.refresh`` (payload ``{"board": id}``; the cron sweep's empty payload: every
    stale board) to the worker's kinds."""

    @kinds.handle(REFRESH)
    async def run(payload: dict[str, Any]) -> None:
        board = UUID(payload["board"]) if payload.get("board") else None
        done, left = await refresh(upkeep, board)
        if board is None or left:
            log.info("insights refresh: %d board(s) brought up to date, %d still stale", done, left)

    if cron:
        kinds.every(REFRESH, cron)
