"""The Postgres adapters of the import ports (``server.services.ports.imports``):
``PostgresImportBatches`` and ``PostgresImportMappings`` (migration 0008)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.imports import Action, ImportBatch, ImportChange
from server.storage.queries import queries

SQL = queries("imports")


class PostgresImportBatches:
    """Implements ``ImportBatches``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start(self, workspace: UUID, kind: str, board: UUID | None, by: UUID | None) -> UUID:
        return await self._conn.fetchval(SQL["start_batch"], workspace, kind, board, by)

    async def record(self, batch: UUID, changes: Sequence[ImportChange], skipped: int) -> None:
        await self._conn.executemany(SQL["insert_change"], [
            (batch, i, c.record_kind, c.record_id, str(c.action), None if c.before is None else json.dumps(c.before))
            for i, c in enumerate(changes)])
        created = sum(1 for c in changes if c.action is Action.CREATED)
        await self._conn.execute(SQL["count_batch"], batch, created, len(changes) - created, skipped)

    async def recent(self, workspace: UUID, limit: int) -> list[ImportBatch]:
        return [ImportBatch(**row) for row in await self._conn.fetch(SQL["recent_batches"], workspace, limit)]

    async def changes(self, batch: UUID) -> list[ImportChange]:
        return [ImportChange(row["record_kind"], row["record_id"], Action(row["action"]),
                             None if row["before"] is None else json.loads(row["before"]))
                for row in await self._conn.fetch(SQL["batch_changes"], batch)]

    async def mark_undone(self, batch: UUID) -> bool:
        return await self._conn.fetchval(SQL["mark_undone"], batch) is not None


class PostgresImportMappings:
    """Implements ``ImportMappings``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, workspace: UUID, kind: str, header_key: str) -> dict[str, str | None] | None:
        found = await self._conn.fetchval(SQL["find_mapping"], workspace, kind, header_key)
        return None if found is None else json.loads(found)

    async def remember(self, workspace: UUID, kind: str, header_key: str, mapping: dict[str, str | None]) -> None:
        await self._conn.execute(SQL["remember_mapping"], workspace, kind, header_key, json.dumps(mapping))
