"""The ``insights.refresh`` job run by a real worker (issue 19; migration 0040_insights_refresh_job):
writes that make the rollups stale queue it in their own transaction, the worker takes it and
brings the boards' rollups up to date, a whole board after its stages were reordered included,
and the rollup answers what the raw visits answer, for every owner, for one and for a team of two."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

import tests.integration.test_insights_rollup as history
from server.services.insights_upkeep import register
from server.services.jobs import JobKinds
from server.storage.insights import PostgresInsightsReads
from server.storage.insights_rollup import ROLLUP, rollup_bounds
from server.storage.insights_upkeep import PostgresInsightsUpkeep
from server.storage.migrations import migrate
from server.worker import Worker
from tests.support.servers import settings_for
from tests.support.waiting import eventually


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(database_url, min_size=1, max_size=3) as made:
        await migrate(made)
        yield made


async def stale(pool: asyncpg.Pool, boards: list) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT (SELECT count(*) FROM funnel_days_stale WHERE board_id = ANY($1::uuid[]))"
            " + (SELECT count(*) FROM deal_closes_stale WHERE board_id = ANY($1::uuid[]))", boards)


async def same_answers(pool: asyncpg.Pool, world: history.World) -> None:
    """The rollup statement alone (no refresh) answers what the raw statement answers."""
    raw = PostgresInsightsReads(pool, rollup=False)
    for zone, first, last in [("Europe/Berlin", date(2026, 1, 1), date(2026, 3, 31)),
                              ("Asia/Kathmandu", date(2026, 2, 3), date(2026, 4, 2))]:
        for owners in (None, (world.owners[1],), (world.owners[0], world.owners[2])):
            scope = history.scope_of(world, zone, first, last)._replace(owners=owners)
            async with pool.acquire() as conn:
                fast = [dict(r) for r in await conn.fetch(ROLLUP["funnel_days"], *scope,
                                                           *rollup_bounds(scope.start, scope.end))]
            assert history.by_stage(fast) == history.by_stage(await raw.funnel(scope)), (zone, owners)


async def test_a_worker_refreshes_what_writes_marked_stale(pool: asyncpg.Pool, database_url: str) -> None:
    kinds = JobKinds()
    register(kinds, PostgresInsightsUpkeep(pool), cron="")
    async with pool.acquire() as conn:
        world = await history.seed(conn, random.Random(40), 60)
    boards = list(world.boards)
    assert await stale(pool, boards) > 0
    assert len(await history.queued(pool, world)) == len(boards)  # one job per board, queued with the marks

    async with Worker(database_url, settings_for(database_url), "insights-refresh-test", kinds=kinds):
        await eventually(lambda: _none(stale(pool, boards)), timeout=60)
        await same_answers(pool, world)
        # Marks made while a board's job still runs queue no second one (the cron sweep takes those; it is
        # off here): let the jobs end first.
        await eventually(lambda: _none(_unfinished(pool, boards)), timeout=60)

        # A stage reorder marks the whole board; the job the reorder's transaction queued recomputes it.
        board, stages = boards[0], world.boards[boards[0]]
        async with pool.acquire() as conn:
            await conn.execute("UPDATE board_stages SET position = CASE stage_id WHEN $2 THEN 3 ELSE 2 END"
                               " WHERE board_id = $1 AND stage_id = ANY(ARRAY[$2, $3]::uuid[])",
                               board, stages[2], stages[3])
        await eventually(lambda: _none(stale(pool, boards)), timeout=60)
        await same_answers(pool, world)
    async with pool.acquire() as conn:
        assert await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'insights.refresh' AND status <> 'successful'"
            " AND convert_from(payload, 'UTF8')::jsonb ->> 'board' = ANY($1::text[])",
            [str(b) for b in boards]) == 0


async def _none(count: object) -> bool:
    return await count == 0  # type: ignore[misc]


async def _unfinished(pool: asyncpg.Pool, boards: list) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'insights.refresh' AND status <> 'successful'"
            " AND convert_from(payload, 'UTF8')::jsonb ->> 'board' = ANY($1::text[])",
            [str(b) for b in boards])

