"""One database transaction with the account and workspace adapters bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import NamedTuple

import asyncpg

from server.storage.accounts import PostgresAccounts
from server.storage.contacts import PostgresContacts
from server.storage.crm import PostgresCrm
from server.storage.privacy import PostgresPrivacy
from server.storage.workspaces import PostgresWorkspaces


class Tx(NamedTuple):
    accounts: PostgresAccounts
    workspaces: PostgresWorkspaces
    contacts: PostgresContacts
    crm: PostgresCrm
    privacy: PostgresPrivacy


Begin = Callable[..., AbstractAsyncContextManager[Tx]]


def transactions(pool: asyncpg.Pool) -> Begin:
    """A factory of transactions on ``pool``: ``async with begin() as tx: ...`` commits or rolls back.

    ``begin(autocommit=True)`` skips BEGIN/COMMIT, for a single read on a hot path (the session
    lookup of every request, the access check of every socket handshake).
    """

    @asynccontextmanager
    async def begin(*, autocommit: bool = False) -> AsyncIterator[Tx]:
        async with pool.acquire() as conn:
            if autocommit:
                yield _tx(conn)
                return
            async with conn.transaction():
                yield _tx(conn)

    return begin


def _tx(conn: asyncpg.Connection) -> Tx:
    return Tx(PostgresAccounts(conn), PostgresWorkspaces(conn), PostgresContacts(conn), PostgresCrm(conn),
              PostgresPrivacy(conn))
