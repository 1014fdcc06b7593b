"""``PostgresDocumentStore``: the Yjs update log and snapshots in Postgres, through asyncpg.

Compaction follows y-redis: read the snapshot and the log rows, squash them (apply them to a fresh
``Doc`` and encode it, so overwritten and deleted content is garbage-collected; the lossless merge
instead if the ``Doc`` could not integrate all of it — ``server/sync/updates.squash``), write the
snapshot and delete exactly the rows that were read — in one transaction, under a per-document
advisory lock, so two nodes compacting one document at once serialise and lose nothing. A large
document is squashed on a worker thread while the transaction (and the lock) stays open.
"""

from __future__ import annotations

import asyncpg

from server.storage.queries import queries
from server.sync.updates import squash_off_loop
from server.sync.ports import StoredDocument

SQL = queries("documents")


class PostgresDocumentStore:
    """Implements ``server.sync.ports.DocumentStore``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def load(self, document: str) -> StoredDocument:
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            snapshot = await conn.fetchval(SQL["load_snapshot"], document)
            rows = await conn.fetch(SQL["load_log"], document)
        updates = [snapshot] if snapshot is not None else []
        updates += [row["update"] for row in rows]
        return StoredDocument(updates, len(rows))

    async def append(self, rows: list[tuple[str, bytes]]) -> None:
        documents = [document for document, _ in rows]
        updates = [update for _, update in rows]
        async with self._pool.acquire() as conn:
            await conn.execute(SQL["append"], documents, updates)

    async def compact(self, document: str) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(SQL["lock_document"], document)
            snapshot = await conn.fetchval(SQL["load_snapshot"], document)
            rows = await conn.fetch(SQL["load_log"], document)
            if not rows:
                return 0
            parts = ([snapshot] if snapshot is not None else []) + [row["update"] for row in rows]
            await conn.execute(SQL["save_snapshot"], document, await squash_off_loop(parts))
            await conn.execute(SQL["delete_rows"], [row["id"] for row in rows])
        return len(rows)

    async def documents_with_logs(self) -> list[str]:
        async with self._pool.acquire() as conn:
            return [row["document"] for row in await conn.fetch(SQL["documents_with_logs"])]
