"""Postgres adapter of ``server.services.ports.webhooks`` (SQL in ``server/storage/sql/webhooks.sql``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.services.ports.webhooks import Attempt, Webhook
from server.storage.queries import queries

SQL = queries("webhooks")


def _webhook(row: asyncpg.Record) -> Webhook:
    return Webhook(row["id"], row["workspace_id"], row["url"], list(row["events"]), bytes(row["secret"]),
                   row["enabled"], row["failures"], row["disabled_reason"], row["created_at"])


class PostgresWebhooks:
    """Implements ``Webhooks`` (tables ``webhooks``, ``webhook_attempts``)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def insert(self, workspace: UUID, url: str, events: list[str], secret: bytes, by: UUID | None) -> Webhook:
        return _webhook(await self._conn.fetchrow(SQL["insert"], workspace, url, events, secret, by))

    async def get(self, webhook: UUID) -> Webhook | None:
        row = await self._conn.fetchrow(SQL["get"], webhook)
        return None if row is None else _webhook(row)

    async def of_workspace(self, workspace: UUID) -> list[Webhook]:
        return [_webhook(r) for r in await self._conn.fetch(SQL["of_workspace"], workspace)]

    async def update(self, webhook: UUID, *, url: str | None = None, events: list[str] | None = None,
                     enabled: bool | None = None) -> Webhook | None:
        row = await self._conn.fetchrow(SQL["update"], webhook, url, events, enabled)
        return None if row is None else _webhook(row)

    async def delete(self, webhook: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete"], webhook) is not None

    async def log(self, webhook: UUID, delivery: UUID, event: str, attempt: int, status: int | None,
                  duration_ms: int, error: str | None, response: str | None, delivered: bool) -> None:
        await self._conn.execute(SQL["log"], webhook, delivery, event, attempt, status, duration_ms, error, response,
                                 delivered)
        await self._conn.execute(SQL["count"], webhook, delivered)

    async def disable(self, webhook: UUID, reason: str) -> None:
        await self._conn.execute(SQL["disable"], webhook, reason)

    async def attempts(self, webhook: UUID, limit: int) -> list[Attempt]:
        return [Attempt(**dict(r)) for r in await self._conn.fetch(SQL["attempts"], webhook, limit)]
