"""Postgres adapter of ``server.services.ports.mailbox_folders`` (table ``mailbox_folders``, migration 0038)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.services.ports.mailbox_folders import FolderCursor
from server.storage.queries import queries

SQL = queries("mailbox_folders")


class PostgresMailboxFolders:
    """Implements ``MailboxFolders``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, mailbox: UUID, role: str) -> FolderCursor | None:
        row = await self._conn.fetchrow(SQL["get"], mailbox, role)
        return None if row is None else FolderCursor(row["name"], row["uidvalidity"], row["last_uid"], row["imported"])

    async def advance(self, mailbox: UUID, role: str, name: str, uidvalidity: int, last_uid: int,
                      imported: int) -> None:
        await self._conn.execute(SQL["advance"], mailbox, role, name, uidvalidity, last_uid, imported)

    async def restart(self, mailbox: UUID) -> None:
        await self._conn.execute(SQL["restart"], mailbox)
