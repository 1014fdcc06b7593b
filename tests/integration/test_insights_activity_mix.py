"""The activity mix's rollup (``deal_activity_mix``, migration 0056, kept by triggers on activities)
holds exactly what the done activities count, and the rep comparison's activity mix read from it
answers what the raw read answers (issue 19): over a random history of activities added (one at
a time and many in one statement), done, undone, retyped, moved to another deal or to none,
deleted, of deals deleted (their activities kept or deleted too) and re-created, and of a board
deleted."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from server.storage.insights import PostgresInsightsReads
from server.storage.migrations import migrate
from tests.integration.test_insights_rollup import DAYS, START, World, instant, periods, scope_of, seed, some_owners

TYPES = ("call", "meeting", "email", "todo", "deadline")
RAW_COUNTS = """
SELECT board_id, card_id, count(*) FILTER (WHERE type = 'call') AS calls,
       count(*) FILTER (WHERE type = 'meeting') AS meetings, count(*) FILTER (WHERE type = 'email') AS emails,
       count(*) FILTER (WHERE type = 'todo') AS todos, count(*) FILTER (WHERE type = 'deadline') AS deadlines
FROM activities WHERE done AND card_id IS NOT NULL AND board_id = ANY($1::uuid[]) GROUP BY board_id, card_id
"""
ROLLED = """
SELECT board_id, card_id, calls, meetings, emails, todos, deadlines FROM deal_activity_mix
WHERE board_id = ANY($1::uuid[])
"""


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(database_url, min_size=1, max_size=2) as made:
        await migrate(made)
        yield made


async def rollup_is_exact(conn: asyncpg.Connection, boards: list[UUID]) -> int:
    """The rollup's rows are the raw counts, no more (no card left at zero); answers how many cards."""
    raw = {(r["board_id"], r["card_id"]): tuple(r)[2:] for r in await conn.fetch(RAW_COUNTS, boards)}
    rolled = {(r["board_id"], r["card_id"]): tuple(r)[2:] for r in await conn.fetch(ROLLED, boards)}
    assert rolled == raw
    return len(raw)


async def reads_agree(pool: asyncpg.Pool, world: World, rng: random.Random, count: int) -> int:
    """activity_mix from the rollup and from the activities agree; answers the activities they counted."""
    rollup, raw = PostgresInsightsReads(pool), PostgresInsightsReads(pool, rollup=False)
    counted = 0
    for zone, first, last in periods(rng, count, []):
        scope = scope_of(world, zone, first, last, rng.choice((None, [list(world.boards)[0]])))
        if rng.random() < 0.3:
            scope = scope._replace(owners=some_owners(rng, world))
        fast = sorted(await rollup.activity_mix(scope), key=_key)
        assert fast == sorted(await raw.activity_mix(scope), key=_key), (zone, first, last)
        counted += sum(r["calls"] + r["meetings"] + r["emails"] + r["tasks"] for r in fast if r["overall"])
    return counted


def _key(row: dict[str, Any]) -> tuple:
    return row["kind"], row["overall"], str(row["owner_id"])


async def add_activities(conn: asyncpg.Connection, rng: random.Random, world: World, count: int) -> None:
    """``count`` activities in one statement: on a deal's card, on a card without a deal or on none."""
    rows = []
    for _ in range(count):
        board, card = rng.choice(world.cards)
        card = rng.choices((card, uuid4(), None), (8, 1, 1))[0]
        done = rng.random() < 0.6
        rows.append((board, uuid4(), world.workspace, rng.choice(TYPES), done,
                     instant(rng, (START, START + timedelta(days=DAYS))) if done else None, card))
    await conn.execute(
        "INSERT INTO activities (board_id, activity_id, workspace_id, type, title, done, done_at, card_id)"
        " SELECT b, a, w, t, 'Touch', d, at, c FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[],"
        " $5::bool[], $6::timestamptz[], $7::uuid[]) AS x(b, a, w, t, d, at, c)",
        *(list(column) for column in zip(*rows)))


async def some(conn: asyncpg.Connection, rng: random.Random, boards: list[UUID], most: int) -> list[UUID]:
    ids = [r[0] for r in await conn.fetch("SELECT activity_id FROM activities WHERE board_id = ANY($1::uuid[])",
                                          boards)]
    return rng.sample(ids, min(len(ids), rng.randrange(1, most)))


async def change(conn: asyncpg.Connection, rng: random.Random, world: World) -> None:
    """One random write to the activities or the deals, of one row or several in one statement."""
    boards = list(world.boards)
    what = rng.choice(("add", "add", "done", "retype", "move", "unlink", "edit", "delete", "deal", "deal again"))
    if what == "add":
        await add_activities(conn, rng, world, rng.choice((1, 1, 5, 40)))
    elif what == "done":  # done or undone, several at once
        await conn.execute("UPDATE activities SET done = NOT done,"
                           " done_at = CASE WHEN done THEN NULL ELSE $2::timestamptz END"
                           " WHERE activity_id = ANY($1::uuid[])", await some(conn, rng, boards, 12),
                           START + timedelta(days=rng.randrange(DAYS)))
    elif what == "retype":
        await conn.execute("UPDATE activities SET type = $2 WHERE activity_id = ANY($1::uuid[])",
                           await some(conn, rng, boards, 6), rng.choice(TYPES))
    elif what == "move":  # to another deal of the same board (sometimes with its type changed too)
        for activity in await some(conn, rng, boards, 4):
            board = await conn.fetchval("SELECT board_id FROM activities WHERE activity_id = $1", activity)
            card = rng.choice([c for b, c in world.cards if b == board])
            await conn.execute("UPDATE activities SET card_id = $2, type = CASE WHEN $3 THEN 'meeting' ELSE type END"
                               " WHERE activity_id = $1", activity, card, rng.random() < 0.3)
    elif what == "unlink":
        await conn.execute("UPDATE activities SET card_id = NULL WHERE activity_id = ANY($1::uuid[])",
                           await some(conn, rng, boards, 3))
    elif what == "edit":  # nothing the rollup counts: writes nothing to it
        await conn.execute("UPDATE activities SET title = title || '.' WHERE activity_id = ANY($1::uuid[])",
                           await some(conn, rng, boards, 20))
    elif what == "delete":
        await conn.execute("DELETE FROM activities WHERE activity_id = ANY($1::uuid[])",
                           await some(conn, rng, boards, 8))
    else:  # a deal deleted, its activities kept or deleted too; "again": re-created on its card later
        board, card = rng.choice(world.cards)
        row = await conn.fetchrow("DELETE FROM deals WHERE board_id = $1 AND card_id = $2 RETURNING *", board, card)
        if rng.random() < 0.5:
            await conn.execute("DELETE FROM activities WHERE board_id = $1 AND card_id = $2", board, card)
        if row is not None and what == "deal again":
            names = list(dict(row))
            await conn.execute(f"INSERT INTO deals ({', '.join(names)}) VALUES "
                               f"({', '.join(f'${n + 1}' for n in range(len(names)))})", *dict(row).values())


async def test_the_activity_mix_rollup_counts_what_the_done_activities_count(pool: asyncpg.Pool) -> None:
    rng = random.Random(56)
    async with pool.acquire() as conn:
        world = await seed(conn, rng, 120)
        for _ in range(4):
            await add_activities(conn, rng, world, 60)
        boards = list(world.boards)
        assert await rollup_is_exact(conn, boards) > 50
    assert await reads_agree(pool, world, rng, 8) > 0

    for step in range(150):
        async with pool.acquire() as conn:
            if rng.random() < 0.2:  # several changes in one transaction
                async with conn.transaction():
                    for _ in range(rng.randrange(2, 5)):
                        await change(conn, rng, world)
            else:
                await change(conn, rng, world)
            if step % 10 == 0:
                await rollup_is_exact(conn, boards)
    async with pool.acquire() as conn:
        assert await rollup_is_exact(conn, boards) > 50
        # A rolled-back write leaves the rollup as it was.
        before = await conn.fetch(ROLLED + " ORDER BY 1, 2", boards)
        with pytest.raises(ZeroDivisionError):
            async with conn.transaction():
                await add_activities(conn, rng, world, 30)
                await conn.execute("UPDATE activities SET done = true WHERE board_id = ANY($1::uuid[])", boards)
                1 / 0
        assert await conn.fetch(ROLLED + " ORDER BY 1, 2", boards) == before
    assert await reads_agree(pool, world, rng, 16) > 0

    # Every activity done, then undone: the rollup follows and ends empty.
    async with pool.acquire() as conn:
        await conn.execute("UPDATE activities SET done = true WHERE board_id = ANY($1::uuid[])", boards)
        assert await rollup_is_exact(conn, boards) > 50
        assert await reads_agree(pool, world, rng, 4) > 0
        await conn.execute("UPDATE activities SET done = false WHERE board_id = ANY($1::uuid[])", boards)
        assert await rollup_is_exact(conn, boards) == 0

        # A board deleted takes its rows along.
        await conn.execute("UPDATE activities SET done = true WHERE board_id = ANY($1::uuid[])", boards)
        await conn.execute("DELETE FROM boards WHERE id = $1", boards[0])
        assert await conn.fetchval("SELECT count(*) FROM deal_activity_mix WHERE board_id = $1", boards[0]) == 0
        assert await rollup_is_exact(conn, boards[1:]) > 0

