"""``PostgresForecastSnapshots``, ``PostgresForecastReads`` and ``PostgresTeams`` (``sql/forecast.sql``;
each call on a pooled connection of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

from server.domain.forecast import Change, DealNow, Moved, SnapshotDeal, SnapshotWeek, Team
from server.services.ports.forecast import WorkspaceZone
from server.services.ports.insights import Row
from server.storage.queries import queries

SQL = queries("forecast")
COMPARE = SQL["compare_cte"] + "\n" + SQL["compare"]


class PostgresForecastSnapshots:
    """Implements ``server.services.ports.forecast.ForecastSnapshots``: a week's row decides, in the
    same transaction as its deals, so a second run of the week writes nothing."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(self, workspace: UUID, week: date, at: datetime, deals: Sequence[SnapshotDeal]) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            if await conn.fetchval(SQL["take_week"], workspace, week, at, len(deals)) is None:
                return False
            await conn.executemany(SQL["take_deals"], [(workspace, week, *deal) for deal in deals])
            return True

    async def weeks(self, workspace: UUID) -> list[SnapshotWeek]:
        async with self._pool.acquire() as conn:
            return [SnapshotWeek(*row) for row in await conn.fetch(SQL["weeks"], workspace)]

    async def deals(self, workspace: UUID, week: date) -> list[SnapshotDeal]:
        async with self._pool.acquire() as conn:
            return [SnapshotDeal(*row) for row in await conn.fetch(SQL["snapshot"], workspace, week)]


class PostgresForecastReads:
    """Implements ``server.services.ports.forecast.ForecastReads``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def workspace_zones(self, weeks: Sequence[date]) -> list[WorkspaceZone]:
        async with self._pool.acquire() as conn:
            return [WorkspaceZone(*row) for row in await conn.fetch(SQL["workspace_zones"], list(weeks))]

    async def open_deals(self, workspace: UUID) -> list[SnapshotDeal]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(SQL["deal_now_cte"] + "\n" + SQL["open_deals"], workspace)
        return [SnapshotDeal(*row) for row in rows]

    async def compare(self, workspace: UUID, week: date, boards: Sequence[UUID], first: date, after: date,
                      owners: Sequence[UUID] | None) -> tuple[list[Moved], list[Row]]:
        args = (workspace, week, list(boards), first, after, None if owners is None else list(owners))
        async with self._pool.acquire() as conn, conn.transaction():
            # The plan's cost (index lookups) passes jit_above_cost on a big week, and compiling
            # it took 60-70 ms of a ~100 ms query (docs/performance.md, "What changed since").
            await conn.execute("SET LOCAL jit = off")
            rows = await conn.fetch(COMPARE, *args)
        totals = [{"side": r["kind"], "currency": r["s_currency"], "deals": r["pushes"], "value": r["s_value"]}
                  for r in rows if r["kind"] in ("before", "now")]
        return [_moved(row) for row in rows if row[0] not in ("before", "now")], totals

    async def pushes(self, board: UUID, card: UUID) -> tuple[int, datetime | None]:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(SQL["pushes"], board, card)
        return (row["pushes"], row["last_pushed_at"]) if row else (0, None)


class PostgresTeams:
    """Implements ``server.services.ports.forecast.Teams``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def of_workspace(self, workspace: UUID) -> list[Team]:
        async with self._pool.acquire() as conn:
            return [_team(row) for row in await conn.fetch(SQL["teams"], workspace)]

    async def get(self, team: UUID) -> Team | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(SQL["team"], team)
        return _team(row) if row else None

    async def add(self, workspace: UUID, name: str, members: Sequence[UUID]) -> Team | None:
        async with self._pool.acquire() as conn, conn.transaction():
            team = await conn.fetchval(SQL["insert_team"], workspace, name)
            if team is None:
                return None
            await conn.execute(SQL["add_members"], team, list(members))
            return _team(await conn.fetchrow(SQL["team"], team))

    async def change(self, team: UUID, name: str, members: Sequence[UUID]) -> Team | None:
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                async with conn.transaction():  # a savepoint: a taken name answers None
                    if await conn.fetchval(SQL["rename_team"], team, name) is None:
                        return None
            except asyncpg.UniqueViolationError:
                return None
            await conn.execute(SQL["clear_members"], team)
            await conn.execute(SQL["add_members"], team, list(members))
            return _team(await conn.fetchrow(SQL["team"], team))

    async def remove(self, team: UUID) -> bool:
        async with self._pool.acquire() as conn:
            return await conn.fetchval(SQL["delete_team"], team) is not None


def _moved(row: asyncpg.Record) -> Moved:
    # By position (the columns of `changed` in forecast.sql: kind, the ten s_* columns, the eleven
    # deal columns, pushes): 3,000 changed deals decode in a third of the time of by-name lookups.
    before = SnapshotDeal._make(row[1:11]) if row[2] is not None else None
    now = DealNow._make(row[11:23]) if row[12] is not None else None
    return Moved(Change(row[0]), before, now)


def _team(row: asyncpg.Record) -> Team:
    return Team(row["id"], row["workspace_id"], row["name"], tuple(row["members"]), row["created_at"])
