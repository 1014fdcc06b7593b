"""Postgres side of leaving Tandem (docs/workspace-lifecycle.md): export rows, the reads an export
streams, and deleting a workspace's rows in batches.

The deletion does not list tables: it asks the catalogue at run time for every table with a
``workspace_id`` column, so a table added later is removed with the rest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.domain.files import storage_key
from server.domain.workspace_lifecycle import ExportStatus, WorkspaceExport, export_key
from server.storage.queries import queries
from server.storage.unit import PostgresUnit

SQL = queries("workspace_lifecycle")
PAGE = 500


class PostgresWorkspaceLifecycle:
    """Export rows, the rows an export reads, and batched deletion, on one connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    # --- exports ---------------------------------------------------------------------------

    async def add_export(self, export: UUID, workspace: UUID, by: UUID) -> WorkspaceExport:
        return _export(await self._conn.fetchrow(SQL["add_export"], export, workspace, by))

    async def export(self, export: UUID) -> WorkspaceExport | None:
        row = await self._conn.fetchrow(SQL["export"], export)
        return None if row is None else _export(row)

    async def latest_export(self, workspace: UUID) -> WorkspaceExport | None:
        row = await self._conn.fetchrow(SQL["latest_export"], workspace)
        return None if row is None else _export(row)

    async def set_export(self, export: UUID, status: ExportStatus, *, size: int | None = None,
                         error: str | None = None, ready_at: datetime | None = None,
                         expires_at: datetime | None = None) -> None:
        await self._conn.execute(SQL["set_export"], export, status.value, size, error, ready_at, expires_at)

    async def rows(self, query: str, workspace: UUID) -> AsyncIterator[dict[str, Any]]:
        """The rows of the named export ``query`` for ``workspace``, a page at a time (in a transaction)."""
        async for row in self._conn.cursor(SQL[query], workspace, prefetch=PAGE):
            yield dict(row)

    async def columns(self, query: str) -> list[str]:
        return [a.name for a in (await self._conn.prepare(SQL[query])).get_attributes()]

    async def schema_version(self) -> str:
        return await self._conn.fetchval("SELECT max(name) FROM schema_migrations") or ""

    async def has_table(self, table: str) -> bool:
        return bool(await self._conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table))

    # --- deletion ----------------------------------------------------------------------------

    async def workspace_name(self, workspace: UUID) -> str | None:
        return await self._conn.fetchval("SELECT name FROM workspaces WHERE id = $1", workspace)

    async def start_deletion(self, workspace: UUID) -> list[UUID]:
        """Mark it deleting and drop everyone's access to it (members, invitations, guests' shares);
        the users who had access, whose sockets must close."""
        users = [r["user_id"] for r in await self._conn.fetch(SQL["users_with_access"], workspace)]
        await self._conn.execute(SQL["start_deletion"], workspace)
        return users

    async def deleting(self, workspace: UUID) -> bool:
        return bool(await self._conn.fetchval(SQL["deleting"], workspace))

    async def file_batch(self, workspace: UUID) -> list[tuple[UUID, str]]:
        """Up to ``PAGE`` of its files: (row id, file-store key)."""
        rows = await self._conn.fetch(SQL["file_batch"], workspace, PAGE)
        return [(r["id"], storage_key(workspace, r["id"])) for r in rows]

    async def drop_files(self, files: list[UUID]) -> None:
        await self._conn.execute("DELETE FROM record_files WHERE id = ANY($1::uuid[])", files)

    async def export_keys(self, workspace: UUID) -> list[tuple[UUID, str]]:
        rows = await self._conn.fetch(SQL["export_keys"], workspace)
        return [(r["id"], export_key(workspace, r["id"])) for r in rows]

    async def drop_documents(self, workspace: UUID) -> int:
        """Delete up to ``PAGE`` of its documents with their update logs and snapshots; how many."""
        names = [r["name"] for r in await self._conn.fetch(SQL["document_batch"], workspace, PAGE)]
        if names:
            await self._conn.execute(SQL["drop_document_bytes"], names)
            await self._conn.execute("DELETE FROM documents WHERE name = ANY($1::text[])", names)
        return len(names)

    async def drop_own_documents(self, names: list[str]) -> None:
        """The workspace's own documents (``workspace:``, ``dashboard:``), which may have no row."""
        await self._conn.execute(SQL["drop_document_bytes"], names)

    async def workspace_tables(self) -> list[str]:
        """Every table with a ``workspace_id`` column, as the catalogue says now."""
        return [r["table_name"] for r in await self._conn.fetch(SQL["workspace_tables"])]

    async def drop_rows(self, table: str, workspace: UUID) -> int:
        """Delete up to ``PAGE`` of ``table``'s rows of ``workspace``; how many. A batch that a
        foreign key between its own rows refuses (a contact merged into another) takes all at once."""
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            async with self._conn.transaction():
                done = await self._conn.execute(
                    f"DELETE FROM {quoted} WHERE ctid IN (SELECT ctid FROM {quoted} WHERE workspace_id = $1 "
                    f"LIMIT {PAGE})", workspace)
        except asyncpg.ForeignKeyViolationError:
            done = await self._conn.execute(f"DELETE FROM {quoted} WHERE workspace_id = $1", workspace)
        return int(done.split()[-1])

    async def finish_deletion(self, workspace: UUID) -> bool:
        """Delete the workspace's own row (cascading to anything left); whether it was there."""
        return (await self._conn.execute("DELETE FROM workspaces WHERE id = $1", workspace)) != "DELETE 0"


LifecycleBegin = Callable[[], AbstractAsyncContextManager[tuple[PostgresUnit, PostgresWorkspaceLifecycle]]]


def lifecycle_transactions(pool: asyncpg.Pool) -> LifecycleBegin:
    """``async with begin() as (unit, lifecycle):`` one transaction seen through both."""

    @asynccontextmanager
    async def begin() -> AsyncIterator[tuple[PostgresUnit, PostgresWorkspaceLifecycle]]:
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresUnit(conn), PostgresWorkspaceLifecycle(conn)

    return begin


def _export(row: asyncpg.Record) -> WorkspaceExport:
    return WorkspaceExport(row["id"], row["workspace_id"], row["requested_by"], ExportStatus(row["status"]),
                           row["created_at"], row["size"], row["error"], row["ready_at"], row["expires_at"])
