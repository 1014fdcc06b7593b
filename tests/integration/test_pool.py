"""The connection pool skips asyncpg's reset query: what that relies on, against real Postgres."""

from __future__ import annotations

import asyncpg

from server.storage.migrations import _LOCK, migrate
from server.storage.pool import create_pool


async def test_migration_leaves_no_session_lock_on_the_pooled_connection(database_url: str) -> None:
    pool = await create_pool(database_url, max_size=1)
    try:
        await migrate(pool)
        other = await asyncpg.connect(database_url)
        try:
            # The pool's one connection went back without a reset: had migrate kept its lock, a
            # second session could not take it.
            assert await other.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK)
            await other.execute("SELECT pg_advisory_unlock($1)", _LOCK)
        finally:
            await other.close()
    finally:
        await pool.close()


async def test_a_transaction_left_open_is_rolled_back_on_release(database_url: str) -> None:
    pool = await create_pool(database_url, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("CREATE TABLE IF NOT EXISTS pool_probe (n int)")
            await conn.execute("BEGIN")
            await conn.execute("INSERT INTO pool_probe VALUES (1)")
        async with pool.acquire() as conn:  # the same connection: max_size=1
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT count(*) FROM pool_probe") == 0
            await conn.execute("DROP TABLE pool_probe")
    finally:
        await pool.close()


async def test_session_settings_survive_release(database_url: str) -> None:
    """The trade-off, pinned: session state is *not* reset, so no code may leave any behind."""
    pool = await create_pool(database_url, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET application_name = 'pool-probe'")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW application_name") == "pool-probe"
    finally:
        await pool.close()
