"""The automation sweep's reads on a big board: p50/p99 of ``idle_deals`` and ``due_activities``.

    .venv/bin/python -m bench.automation_sweep                 # Postgres at 127.0.0.1:5432 (scratch database)
    .venv/bin/python -m bench.automation_sweep --deals 2000    # quicker

The sweep (``AutomationRunner.sweep``, every minute by default) asks, per enabled deal_idle rule,
which open deals of its board had no card event and no activity done for N days, and per
activity_due / activity_overdue rule which undone activities of its board fall due. Seeds one board
with ``--deals`` deals (most open), ``--events`` card events per deal over the last 90 days and
three activities per deal (two done, one planned over the next and the last 30 days, a third of
them all-day in Berlin), by COPY; then times each read through the server's own adapter
(``PostgresAutomationRuns``), ``--runs`` times after three warm-ups. The scratch database is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg

from server.storage.automations import PostgresAutomationRuns
from server.storage.migrations import migrate


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def seed(conn: asyncpg.Connection, args: argparse.Namespace) -> uuid.UUID:
    rng = random.Random(args.seed)
    now = datetime.now(timezone.utc)
    workspace, board, stage = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await conn.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'bench')", workspace)
    await conn.execute("INSERT INTO boards (id, workspace_id, name, kind) VALUES ($1, $2, 'Deals', 'pipeline')",
                       board, workspace)
    deals, events, activities = [], [], []
    for i in range(args.deals):
        card = uuid.uuid4()
        created = now - timedelta(days=rng.uniform(30, 400))
        status = rng.choices(("open", "won", "lost"), (8, 1, 1))[0]
        deals.append((board, card, workspace, f"Deal {i}", status, stage, f"a{i}", created))
        for _ in range(args.events):
            events.append((board, card, "value", now - timedelta(days=rng.uniform(0, 90))))
        for n in range(3):
            done = n < 2
            when = now + timedelta(days=rng.uniform(-30, 30))
            all_day = rng.random() < 1 / 3
            activities.append((board, uuid.uuid4(), workspace, rng.choice(("call", "meeting", "todo")), "Call",
                               when.date() if all_day else None, None if all_day else when, done,
                               when if done else None, card, "Europe/Berlin" if all_day else None))
    # Without triggers: the insights tables they keep are not what this times (and their per-row
    # work would make the seeding, not the reads, the long part).
    await conn.execute("SET session_replication_role = replica")
    await conn.copy_records_to_table("deals", records=deals, columns=[
        "board_id", "card_id", "workspace_id", "title", "status", "stage_id", "rank", "created_at"])
    await conn.copy_records_to_table("card_events", records=events, columns=["board_id", "card_id", "kind", "at"])
    await conn.copy_records_to_table("activities", records=activities, columns=[
        "board_id", "activity_id", "workspace_id", "type", "title", "due_date", "due_at", "done", "done_at",
        "card_id", "time_zone"])
    await conn.execute("SET session_replication_role = DEFAULT")
    await conn.execute("VACUUM ANALYZE deals, card_events, activities")
    return board


async def timed(runs: int, read: Callable[[], Awaitable[Any]]) -> tuple[list[float], int]:
    for _ in range(3):
        found = await read()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        found = await read()
        seconds.append(time.perf_counter() - started)
    return seconds, len(found)


async def main(args: argparse.Namespace) -> None:
    name = f"tandem_bench_sweep_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
        try:
            await migrate(pool)
            async with pool.acquire() as conn:
                board = await seed(conn, args)
                runs = PostgresAutomationRuns(conn)
                now = datetime.now(timezone.utc)
                reads = {
                    "idle_deals (7 days)": lambda: runs.idle_deals(board, now - timedelta(days=7)),
                    "due_activities (next 30 min)": lambda: runs.due_activities(
                        board, now - timedelta(days=1), now + timedelta(minutes=30), overdue=False),
                    "due_activities overdue": lambda: runs.due_activities(
                        board, now - timedelta(days=30), now, overdue=True),
                }
                print(f"automation sweep: {args.deals:,} deals, {args.deals * args.events:,} card events, "
                      f"{args.deals * 3:,} activities on one board; {args.runs} runs per read after 3 warm-ups")
                for label, read in reads.items():
                    seconds, found = await timed(args.runs, read)
                    print(f"  {label:<30} p50 {pct(seconds, 50) * 1000:7.1f} ms   p99 {pct(seconds, 99) * 1000:7.1f} ms"
                          f"   ({found:,} found)")
        finally:
            await pool.close()
    finally:
        admin = await asyncpg.connect(args.database_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=5, help="card events per deal")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--database-url", default=os.environ.get(
        "TANDEM_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    asyncio.run(main(parser.parse_args()))
