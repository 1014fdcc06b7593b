"""Forecast history at 100,000 deals (docs/forecast.md, "Performance"): the weekly snapshot of every
open deal, and "what changed since" over a month and a quarter (the comparison in SQL, the changed
deals and the totals read), p50 and p99 of 50 runs each, right after the moves and after a
vacuum (as autovacuum leaves the tables minutes later: index-only scans).

    .venv/bin/python -m bench.forecast_changes postgresql://postgres@127.0.0.1:5432/scratch

The database is migrated and filled (one workspace, one pipeline of four stages, 100,000 open deals
expected to close across 2026); after the snapshot a fifth of them move 40 days later. Use a scratch
database: the script writes into it.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import date, datetime, timezone
from uuid import UUID, uuid4

import asyncpg

from server.services.forecast import take_snapshots
from server.storage.forecast import PostgresForecastReads, PostgresForecastSnapshots
from server.storage.migrations import migrate

DEALS = 100_000
RUNS = 50
WEEK = date(2026, 3, 2)


async def seed(pool: asyncpg.Pool) -> tuple:
    workspace, board, user, stages = uuid4(), uuid4(), uuid4(), [uuid4() for _ in range(4)]
    async with pool.acquire() as conn:
        await conn.execute("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'B', 'x')",
                           user, f"{user}@bench.test")
        await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'bench')", workspace)
        await conn.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'b', 'pipeline')",
                           board, workspace)
        for i, stage in enumerate(stages):
            await conn.execute("INSERT INTO board_stages (board_id, stage_id, name, rank, position, probability,"
                               " rot_days, kind) VALUES ($1, $2, $3, 'a', $4, $5, 0, 'open')",
                               board, stage, f"s{i}", i, 10.0 * (i + 1))
        await conn.execute("ALTER TABLE deals DISABLE TRIGGER USER")  # the stage-visit rollup is not measured here
        await conn.execute(
            "INSERT INTO deals (board_id, card_id, workspace_id, title, value, currency, owner_id, expected_close,"
            " status, stage_id, rank, created_at, moved_at)"
            " SELECT $1, gen_random_uuid(), $2, 'd' || g, (g % 1000) * 10, 'EUR', $3, date '2026-01-01' + (g % 365),"
            " 'open', ($4::uuid[])[1 + g % 4], 'a', now(), now() FROM generate_series(1, $5) g",
            board, workspace, user, stages, DEALS)
        await conn.execute("ALTER TABLE deals ENABLE TRIGGER USER")
    return workspace, board


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return f"p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"


async def main(url: str) -> None:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    await migrate(pool)
    workspace, board = await seed(pool)
    reads, snapshots = PostgresForecastReads(pool), PostgresForecastSnapshots(pool)
    started = time.perf_counter()
    await take_snapshots(reads, snapshots, datetime.combine(WEEK, datetime.min.time(), timezone.utc), "UTC")
    print(f"snapshot of {DEALS:,} open deals: {time.perf_counter() - started:.2f} s")
    async with pool.acquire() as conn:  # the trigger counts these as pushes
        await conn.execute("UPDATE deals SET expected_close = expected_close + 40 WHERE value < 2000")
        await conn.execute("ANALYZE")
    await compare(reads, workspace, board, "right after the moves")
    async with pool.acquire() as conn:  # what autovacuum does within minutes: index-only scans then
        await conn.execute("VACUUM (ANALYZE) deals, forecast_snapshots")
    await compare(reads, workspace, board, "after vacuum")
    await pool.close()


async def compare(reads: PostgresForecastReads, workspace: UUID, board: UUID, when: str) -> None:
    for label, first, after in (("month", date(2026, 3, 1), date(2026, 4, 1)),
                                ("quarter", date(2026, 1, 1), date(2026, 4, 1))):
        total = []
        for _ in range(RUNS):
            started = time.perf_counter()
            moved, sides = await reads.compare(workspace, WEEK, [board], first, after, None)
            total.append(time.perf_counter() - started)
        now = sum(r["deals"] for r in sides if r["side"] == "now")
        print(f"what changed over a {label}, {when} ({now:,} deals now, {len(moved):,} changed): "
              f"{percentiles(total)}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
