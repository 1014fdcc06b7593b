"""Readers refresh a board's closed-deal rollup inline, and the rep comparison runs its reads side
by side: several refreshes of one board at once must each do the work once or not at all — never
recompute the whole board into rows that exist (migration 0058; the comparison answered 500 with
"duplicate key ... deal_closes_pkey" in a clean CI run)."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg

from server.storage.migrations import migrate


async def test_concurrent_refreshes_of_one_board_never_clash(database_url):
    pool = await asyncpg.create_pool(database_url, min_size=6, max_size=6)
    try:
        await migrate(pool)
        workspace, board, stage = uuid4(), uuid4(), uuid4()
        await pool.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", workspace)
        await pool.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                           board, workspace)
        cards = [uuid4() for _ in range(40)]
        await pool.executemany(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, status, stage_id, rank, created_at, moved_at)"
            " VALUES ($1, $2, $3, 'd', 'won', $4, 'a', now(), now())", [(board, c, workspace, stage) for c in cards])
        await pool.executemany("INSERT INTO card_events (board_id, card_id, kind, at, new_status)"
                               " VALUES ($1, $2, 'status', now(), 'won')", [(board, c) for c in cards])
        for _ in range(25):
            await pool.executemany("INSERT INTO deal_closes_stale (board_id, card_id) VALUES ($1, $2)",
                                   [(board, c) for c in cards[:5]])
            await asyncio.gather(*(pool.execute("SELECT deal_closes_refresh($1::uuid[], 50)", [board])
                                   for _ in range(6)))
        assert await pool.fetchval("SELECT count(*) FROM deal_closes WHERE board_id = $1", board) == len(cards)
        assert await pool.fetchval("SELECT count(*) FROM deal_closes_stale WHERE board_id = $1", board) == 0
    finally:
        await pool.close()
