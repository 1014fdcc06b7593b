"""Postgres adapters of ``server.services.ports.email_automations`` (SQL in ``sql/email_automations.sql``;
tables ``automation_emails``, ``workspace_bcc``, migration 0030)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.services.ports.email_automations import MailFacts, SentByRule
from server.storage.queries import queries

SQL = queries("email_automations")


class PostgresEmailTriggers:
    """Implements ``EmailTriggers``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def facts(self, email: UUID) -> MailFacts | None:
        row = await self._conn.fetchrow(SQL["facts"], email)
        if row is None:
            return None
        sent = SentByRule(row["rule_id"], row["run_id"], row["depth"]) if row["rule_id"] else None
        return MailFacts(row["id"], row["workspace_id"], row["direction"], row["subject"], row["from_address"],
                         list(row["contacts"]), list(zip(row["boards"], row["cards"])), sent)

    async def sent_among(self, workspace: UUID, message_ids: Sequence[str]) -> list[UUID]:
        if not message_ids:
            return []
        return [r["id"] for r in await self._conn.fetch(SQL["sent_among"], workspace, list(message_ids))]

    async def mark_sent(self, email: UUID, sent: SentByRule, index: int) -> bool:
        return await self._conn.fetchval(SQL["mark_sent"], email, sent.rule, sent.run, index, sent.depth) is not None


class PostgresBccAddresses:
    """Implements ``BccAddresses``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def sealed(self, workspace: UUID) -> bytes | None:
        return await self._conn.fetchval(SQL["bcc_sealed"], workspace)

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool:
        query = SQL["bcc_replace" if replace else "bcc_add"]
        return await self._conn.fetchval(query, workspace, token_hash, sealed) is not None

    async def workspace_of(self, token_hash: bytes) -> UUID | None:
        return await self._conn.fetchval(SQL["bcc_workspace"], token_hash)
