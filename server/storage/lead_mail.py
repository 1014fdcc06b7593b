"""The Postgres adapter of ``server.services.ports.lead_mail`` (SQL in ``sql/lead_mail.sql``; tables
``lead_addresses`` and ``lead_mail``, migrations 0053, 0057)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.storage.queries import queries

SQL = queries("lead_mail")


class PostgresLeadMail:
    """Implements ``LeadMail``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def sealed(self, workspace: UUID) -> bytes | None:
        return await self._conn.fetchval(SQL["sealed"], workspace)

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool:
        query = SQL["replace" if replace else "add"]
        return await self._conn.fetchval(query, workspace, token_hash, sealed) is not None

    async def owner(self, workspace: UUID) -> UUID | None:
        return await self._conn.fetchval(SQL["owner"], workspace)

    async def set_owner(self, workspace: UUID, owner: UUID) -> bool:
        return await self._conn.fetchval(SQL["set_owner"], workspace, owner) is not None

    async def workspace_of(self, token_hash: bytes) -> UUID | None:
        return await self._conn.fetchval(SQL["workspace_of"], token_hash)

    async def lead_of(self, workspace: UUID, message_ids: Sequence[str]) -> UUID | None:
        if not message_ids:
            return None
        return await self._conn.fetchval(SQL["lead_of"], workspace, list(message_ids))

    async def remember(self, workspace: UUID, message_id: str, lead: UUID) -> bool:
        return await self._conn.fetchval(SQL["remember"], workspace, message_id, lead) is not None
