"""Postgres adapter of ``server.services.ports.webhooks``."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.services.ports.webhooks import Attempt, Webhook

_COLUMNS = "id, workspace_id, url, events, secret, enabled, failures, disabled_reason, created_at"


def _webhook(row: asyncpg.Record) -> Webhook:
    return Webhook(row["id"], row["workspace_id"], row["url"], list(row["events"]), bytes(row["secret"]),
                   row["enabled"], row["failures"], row["disabled_reason"], row["created_at"])


class PostgresWebhooks:
    """Implements ``Webhooks`` (tables ``webhooks``, ``webhook_attempts``)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def insert(self, workspace: UUID, url: str, events: list[str], secret: bytes, by: UUID | None) -> Webhook:
        row = await self._conn.fetchrow(
            f"INSERT INTO webhooks (workspace_id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5) "
            f"RETURNING {_COLUMNS}", workspace, url, events, secret, by)
        return _webhook(row)

    async def get(self, webhook: UUID) -> Webhook | None:
        row = await self._conn.fetchrow(f"SELECT {_COLUMNS} FROM webhooks WHERE id = $1", webhook)
        return None if row is None else _webhook(row)

    async def of_workspace(self, workspace: UUID) -> list[Webhook]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM webhooks WHERE workspace_id = $1 ORDER BY created_at, id", workspace)
        return [_webhook(r) for r in rows]

    async def update(self, webhook: UUID, *, url: str | None = None, events: list[str] | None = None,
                     enabled: bool | None = None) -> Webhook | None:
        row = await self._conn.fetchrow(
            f"""UPDATE webhooks SET url = coalesce($2, url), events = coalesce($3, events),
                       enabled = coalesce($4, enabled),
                       failures = CASE WHEN $4 THEN 0 ELSE failures END,
                       disabled_reason = CASE WHEN $4 THEN NULL ELSE disabled_reason END
                WHERE id = $1 RETURNING {_COLUMNS}""", webhook, url, events, enabled)
        return None if row is None else _webhook(row)

    async def delete(self, webhook: UUID) -> bool:
        return await self._conn.fetchval("DELETE FROM webhooks WHERE id = $1 RETURNING true", webhook) is not None

    async def log(self, webhook: UUID, delivery: UUID, event: str, attempt: int, status: int | None,
                  duration_ms: int, error: str | None, response: str | None, delivered: bool) -> None:
        await self._conn.execute(
            """INSERT INTO webhook_attempts (webhook_id, delivery, event, attempt, status, duration_ms, error,
                                             response, delivered)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            webhook, delivery, event, attempt, status, duration_ms, error, response, delivered)
        await self._conn.execute(
            "UPDATE webhooks SET failures = CASE WHEN $2 THEN 0 ELSE failures + 1 END WHERE id = $1",
            webhook, delivered)

    async def disable(self, webhook: UUID, reason: str) -> None:
        await self._conn.execute("UPDATE webhooks SET enabled = false, disabled_reason = $2 WHERE id = $1",
                                 webhook, reason)

    async def attempts(self, webhook: UUID, limit: int) -> list[Attempt]:
        rows = await self._conn.fetch(
            """SELECT id, webhook_id, delivery, event, attempt, at, status, duration_ms, error, response, delivered
               FROM webhook_attempts WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2""", webhook, limit)
        return [Attempt(**dict(r)) for r in rows]
