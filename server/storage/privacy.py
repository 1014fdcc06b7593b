"""``PostgresPrivacy``: a workspace's permission levels, and the SQL side of erasing a contact."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import asyncpg

from server.storage.queries import queries

SQL = queries("privacy")


def _row(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    for key in ("address", "fields"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


class PostgresPrivacy:
    """Permission rows and contact erasure, through one connection (and its transaction, if any)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def permissions(self, workspace: UUID) -> asyncpg.Record | None:
        """The workspace's levels, or None while it has the defaults."""
        return await self._conn.fetchrow(SQL["permissions"], workspace)

    async def set_permissions(self, workspace: UUID, delete: str, export: str, by: UUID) -> None:
        await self._conn.execute(SQL["set_permissions"], workspace, delete, export, by)

    async def contact_for_erasure(self, contact: UUID) -> dict[str, Any] | None:
        """The contact's personal fields, live or deleted, locked until the transaction ends."""
        row = await self._conn.fetchrow(SQL["contact_for_erasure"], contact)
        return _row(row) if row else None

    async def merged_into(self, contact: UUID) -> list[dict[str, Any]]:
        """Every contact merged into ``contact``, directly or not, locked."""
        return [_row(row) for row in await self._conn.fetch(SQL["merged_into_transitively"], contact)]

    async def erase_contacts(self, contacts: list[UUID]) -> int:
        status = await self._conn.execute(SQL["erase_contacts"], contacts)
        return int(status.rsplit(" ", 1)[1])

    async def notes_about(self, contacts: list[UUID]) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["notes_about"], contacts)

    async def boards_naming(self, contacts: list[UUID]) -> list[UUID]:
        return [row["board_id"] for row in await self._conn.fetch(SQL["board_documents_naming"], contacts)]
