"""Units of work over only the ports a contract suite exercises, on Postgres or in memory.

Each suite binds the adapters it tests (``adapters(conn)`` / ``twins(db)``); the rows those need
from other capabilities (users, workspaces, boards) are written by ``World``: plain SQL on
Postgres, the tables the twins read in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from server.services.ports.unit import Begin
from server.storage.memory.unit import MemoryDatabase, memory_transactions
from server.storage.migrations import migrate


def postgres_begin(pool: asyncpg.Pool, adapters: Callable[[asyncpg.Connection], Any]) -> Begin:
    """``begin()``: one transaction of ``pool`` with ``adapters(conn)`` bound to it."""

    @asynccontextmanager
    async def begin(*, autocommit: bool = False) -> AsyncIterator[Any]:
        async with pool.acquire() as conn:
            if autocommit:
                yield adapters(conn)
                return
            async with conn.transaction():
                yield adapters(conn)

    return begin


class World:
    """Rows of other capabilities a suite needs, written where its backend reads them."""

    def __init__(self, pool: asyncpg.Pool | None, db: MemoryDatabase | None) -> None:
        self.pool, self.db = pool, db

    async def user(self, name: str = "Someone") -> UUID:
        user = uuid4()
        if self.pool is not None:
            await self.pool.execute("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')",
                                    user, f"{user}@example.test", name)
        else:
            self.db.table("user_names")[user] = name
        return user

    async def workspace(self) -> UUID:
        workspace = uuid4()
        if self.pool is not None:
            await self.pool.execute("INSERT INTO workspaces (id, name) VALUES ($1, 'w')", workspace)
        return workspace


@asynccontextmanager
async def backend(kind: str, database_url: str, adapters: Callable[[asyncpg.Connection], Any],
                  twins: Callable[[MemoryDatabase], Any]) -> AsyncIterator[tuple[Begin, World]]:
    """``(begin, world)`` on ``kind`` (``memory`` or ``postgres``)."""
    if kind == "memory":
        db = MemoryDatabase()
        yield memory_transactions(db, twins), World(None, db)
        return
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    try:
        await migrate(pool)
        yield postgres_begin(pool, adapters), World(pool, None)
    finally:
        await pool.close()
