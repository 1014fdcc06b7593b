"""The connection pool (no reset query) and the document store's held writer, against real Postgres."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from pycrdt import Doc, Map

from server.storage import documents
from server.storage.migrations import _LOCK, migrate
from server.storage.pool import create_pool
from tests.support.waiting import eventually


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


async def test_the_store_keeps_one_writer_while_appends_come_and_returns_it_when_they_pause(
        database_url: str, monkeypatch) -> None:
    monkeypatch.setattr(documents, "WRITER_IDLE_SECONDS", 0.2)
    pool = await create_pool(database_url, min_size=2, max_size=2)
    try:
        await migrate(pool)
        store = documents.PostgresDocumentStore(pool)
        for i in range(5):
            await store.append([("pool-writer", _edit(i))])
            assert pool.get_idle_size() == 1  # the writer is held between appends
        await eventually(lambda: pool.get_idle_size() == 2)
        assert len((await store.load("pool-writer")).updates) == 5
    finally:
        await asyncio.wait_for(pool.close(), 5)  # would hang if the writer were never returned


async def test_a_failed_append_gives_the_writer_back_and_the_next_one_succeeds(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=2)
    try:
        await migrate(pool)
        store = documents.PostgresDocumentStore(pool)
        await store.append([("pool-failure", _edit(0))])
        with pytest.raises(asyncpg.NotNullViolationError):
            await store.append([(None, _edit(1))])  # type: ignore[list-item]
        assert pool.get_idle_size() == pool.get_size()
        await store.append([("pool-failure", _edit(2))])
        assert len((await store.load("pool-failure")).updates) == 2
    finally:
        await asyncio.wait_for(pool.close(), 5)


async def test_appends_from_two_callers_at_once_both_land(database_url: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=3)
    try:
        await migrate(pool)
        store = documents.PostgresDocumentStore(pool)
        await asyncio.gather(*(store.append([("pool-concurrent", _edit(i))]) for i in range(6)))
        assert len((await store.load("pool-concurrent")).updates) == 6
    finally:
        await asyncio.wait_for(pool.close(), 5)


async def test_an_append_right_as_the_idle_writer_is_given_back_never_shares_its_connection(
        database_url: str, monkeypatch) -> None:
    """The idle check fires, then an append starts before the release ran: the append must not keep
    using a connection the pool hands to someone else (CI saw "another operation is in progress"
    in unrelated requests)."""
    monkeypatch.setattr(documents, "WRITER_IDLE_SECONDS", 0.0)
    pool = await create_pool(database_url, min_size=1, max_size=2)
    try:
        await migrate(pool)
        store = documents.PostgresDocumentStore(pool)
        await store.append([("pool-idle-race", _edit(0))])
        appending = asyncio.ensure_future(store.append([("pool-idle-race", _edit(1))]))  # ready to start ...
        store._on_idle_check()  # ... as the idle check gives the writer back, in the same turn of the loop

        async def others() -> list[int]:
            async with pool.acquire() as conn:
                return [await conn.fetchval("SELECT $1::int", i) for i in range(20)]

        assert await asyncio.gather(appending, others(), others()) == [None, list(range(20)), list(range(20))]
        assert len((await store.load("pool-idle-race")).updates) == 2
    finally:
        await asyncio.wait_for(pool.close(), 5)


def _edit(i: int) -> bytes:
    doc = Doc()
    doc.get("board", type=Map)[f"k{i}"] = i
    return doc.get_update()
