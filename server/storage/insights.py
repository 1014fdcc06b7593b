"""``PostgresInsightsReads`` (the insights figures, ``sql/insights.sql``, each on a pooled connection
of its own: they read committed rows and write nothing) and ``PostgresGoals`` (each
call on a pooled connection)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from server.domain.insights import Goal, GoalChange, Scope
from server.services.ports.insights import Row
from server.storage.insights_rollup import ROLLUP, rollup_bounds
from server.storage.queries import queries

SQL = queries("insights")
COMPARE = queries("insights_compare")  # the rep comparison's own figures
FUNNEL = "\n".join((SQL["funnel_cte"], SQL["funnel_cte_end"], SQL["funnel"]))  # over stage_visits alone
DRILL = {
    "stage": "\n".join((SQL["funnel_cte"], SQL["drill_stage_filter"], SQL["funnel_cte_end"], SQL["drill_stage"])),
    "closed": SQL["closed_cte"] + "\n" + SQL["drill_closed"],
    "open": SQL["drill_open"],
    "stuck": SQL["drill_stuck"],
    "added": SQL["drill_added"],
    "open_now": COMPARE["drill_open_now"],
}


# A read sorts and groups up to a few hundred thousand rows: room to do it in memory, and no JIT
# compilation, which costs more than it saves on queries this short (bench/insights.py).
TUNING = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"


# What a reader refreshes inline before reading (migration 0040_insights_refresh_job): a board's
# stale days or cards up to these many; beyond, the insights.refresh job does (server/services/
# insights_upkeep.py) and the read takes the stale parts from the raw rows.
INLINE_DAYS = 62
INLINE_CARDS = 2000


class PostgresInsightsReads:
    """Implements ``server.services.ports.insights.InsightsReads``. The funnel and the figures over
    closed deals read their rollups (``server/storage/insights_rollup.py``; a bounded part of what
    is stale refreshed first, the rest read raw) unless ``rollup`` is off: then the statements the
    rollups are checked against, over ``stage_visits`` and ``card_events``."""

    def __init__(self, pool: asyncpg.Pool, *, rollup: bool = True) -> None:
        self._pool = pool
        self._rollup = rollup

    async def _fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._pool.acquire() as conn, conn.transaction(readonly=True):
            await conn.execute(TUNING)
            return [dict(row) for row in await conn.fetch(sql, *args)]

    async def stages(self, boards: Sequence[UUID]) -> list[Row]:
        return await self._fetch(SQL["stages"], list(boards))

    async def funnel(self, scope: Scope) -> list[Row]:
        if not self._rollup:
            return await self._fetch(FUNNEL, *scope)
        # A few stale days are refreshed here; more, or a whole board (its stage order changed), are
        # left to the insights.refresh job and read from the visits meanwhile: the same answer.
        async with self._pool.acquire() as conn:
            await conn.execute(ROLLUP["funnel_days_refresh"], list(scope.boards), INLINE_DAYS)
        return await self._fetch(ROLLUP["funnel_days"], *scope, *rollup_bounds(scope.start, scope.end))

    async def stuck(self, boards: Sequence[UUID], owners: Sequence[UUID] | None) -> list[Row]:
        return await self._fetch(SQL["stuck"], list(boards), _listed(owners))

    async def _closed(self, scope: Scope, raw: str, rolled: str, *args: Any) -> list[Row]:
        """A figure over the deals closed in the period: from ``deal_closes`` (brought up to date
        first) unless ``rollup`` is off."""
        if not self._rollup:
            return await self._fetch(SQL["closed_cte"] + "\n" + raw, *scope, *args)
        async with self._pool.acquire() as conn:
            await conn.execute(ROLLUP["closes_refresh"], list(scope.boards), INLINE_CARDS)
        return await self._fetch(ROLLUP["closed_cte"] + "\n" + rolled, *scope, *args)

    async def lost_reasons(self, scope: Scope, listed: Sequence[str]) -> list[Row]:
        return await self._closed(scope, SQL["lost_reasons"], SQL["lost_reasons"], list(listed))

    async def reps(self, scope: Scope) -> list[Row]:
        return await self._closed(scope, SQL["reps"], ROLLUP["reps"])

    async def activity_mix(self, scope: Scope) -> list[Row]:
        return await self._closed(scope, COMPARE["activity_mix"], COMPARE["activity_mix_rollup"])

    async def first_activity(self, scope: Scope) -> list[Row]:
        return await self._fetch(COMPARE["first_activity"], *scope)

    async def won_by_period(self, scope: Scope, interval: str, zone: str) -> list[Row]:
        return await self._closed(scope, SQL["won_by_period"], SQL["won_by_period"], interval, zone)

    async def open_by_period(self, boards: Sequence[UUID], first: date, after: date, owners: Sequence[UUID] | None,
                             interval: str) -> list[Row]:
        return await self._fetch(SQL["open_by_period"], list(boards), first, after, _listed(owners), interval)

    async def count(self, figure: str, scope: Scope) -> int:
        async with self._pool.acquire() as conn:
            return await conn.fetchval(SQL[figure], *scope)

    async def deals(self, figure: str, scope: Scope, **detail: Any) -> list[Row]:
        """``figure``: entered, advanced, lost_from_stage (``stage``); won, lost (``reason``, ``listed``,
        ``no_reason``); open (dates in ``first``, ``after``; ``stage``); open_now; stuck (``stage``); added."""
        if figure in ("entered", "advanced", "lost_from_stage"):
            args: tuple = (*scope, detail["stage"], figure.removesuffix("_from_stage"))
            sql = DRILL["stage"]
        elif figure in ("won", "lost"):
            args = (*scope, figure, detail.get("reason"), list(detail.get("listed", ())),
                    bool(detail.get("no_reason")))
            sql = DRILL["closed"]
        elif figure == "open":
            args = (scope.boards, detail["first"], detail["after"], scope.owners, detail.get("stage"))
            sql = DRILL["open"]
        elif figure == "open_now":
            args, sql = (scope.boards, _listed(scope.owners)), DRILL["open_now"]
        elif figure == "stuck":
            args = (scope.boards, detail.get("stage"), scope.owners)
            if self._rollup:  # one pass over the stuck deals (the same answer)
                return await self._fetch(ROLLUP["drill_stuck"], *args)
            sql = DRILL["stuck"]
        else:
            args, sql = tuple(scope), DRILL["added"]
        return await self._fetch(sql + "\n" + SQL["deal_rows"], *args)


class PostgresGoals:
    """Implements ``server.services.ports.insights.Goals`` (each call one statement on a pooled connection)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def _row(self, sql: str, *args: Any) -> Goal | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(sql, *args)
        return Goal(*row) if row else None

    async def of_workspace(self, workspace: UUID) -> list[Goal]:
        async with self._pool.acquire() as conn:
            return [Goal(*row) for row in await conn.fetch(SQL["goals"], workspace)]

    async def get(self, goal: UUID) -> Goal | None:
        return await self._row(SQL["goal"], goal)

    async def add(self, workspace: UUID, change: GoalChange, by: UUID) -> Goal:
        goal = await self._row(SQL["insert_goal"], workspace, *_values(change), by)
        assert goal is not None  # INSERT ... RETURNING answers its row
        return goal

    async def change(self, goal: UUID, change: GoalChange) -> Goal | None:
        return await self._row(SQL["update_goal"], goal, *_values(change))

    async def remove(self, goal: UUID) -> bool:
        async with self._pool.acquire() as conn:
            return await conn.fetchval(SQL["delete_goal"], goal) is not None


def _listed(owners: Sequence[UUID] | None) -> list[UUID] | None:
    return None if owners is None else list(owners)


def _values(change: GoalChange) -> tuple:
    return (change.user_id, str(change.metric), str(change.period), change.target, change.starts_on,
            change.team_id)
