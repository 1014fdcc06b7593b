"""The in-memory twin of ``server.storage.webhooks``."""

from __future__ import annotations

import uuid
from uuid import UUID

import msgspec

from server.services.ports.webhooks import Attempt, Webhook
from server.storage.memory.unit import MemoryDatabase


class MemoryWebhooks:
    """Implements ``Webhooks`` (tables ``webhooks``: id -> Webhook; ``webhook_attempts``: a list)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    @property
    def _rows(self) -> dict[UUID, Webhook]:
        return self._db.table("webhooks")

    @property
    def _attempts(self) -> list[Attempt]:
        return self._db.table("webhook_attempts", list)

    async def insert(self, workspace: UUID, url: str, events: list[str], secret: bytes, by: UUID | None) -> Webhook:
        hook = Webhook(uuid.uuid4(), workspace, url, list(events), secret, True, 0, None, self._db.now())
        self._rows[hook.id] = hook
        return hook

    async def get(self, webhook: UUID) -> Webhook | None:
        return self._rows.get(webhook)

    async def of_workspace(self, workspace: UUID) -> list[Webhook]:
        return sorted((h for h in self._rows.values() if h.workspace_id == workspace),
                      key=lambda h: (h.created_at, str(h.id)))

    async def update(self, webhook: UUID, *, url: str | None = None, events: list[str] | None = None,
                     enabled: bool | None = None) -> Webhook | None:
        hook = self._rows.get(webhook)
        if hook is None:
            return None
        changes: dict[str, object] = {}
        if url is not None:
            changes["url"] = url
        if events is not None:
            changes["events"] = list(events)
        if enabled is not None:
            changes["enabled"] = enabled
            if enabled:
                changes.update(failures=0, disabled_reason=None)
        self._rows[webhook] = hook = _replace(hook, changes)
        return hook

    async def delete(self, webhook: UUID) -> bool:
        if self._rows.pop(webhook, None) is None:
            return False
        self._db.tables["webhook_attempts"] = [a for a in self._attempts if a.webhook_id != webhook]
        return True

    async def log(self, webhook: UUID, delivery: UUID, event: str, attempt: int, status: int | None,
                  duration_ms: int, error: str | None, response: str | None, delivered: bool) -> None:
        ids = self._db.table("webhook_attempt_ids", lambda: [0])
        ids[0] += 1
        self._attempts.append(Attempt(ids[0], webhook, delivery, event, attempt, self._db.now(), status,
                                      duration_ms, error, response, delivered))
        hook = self._rows.get(webhook)
        if hook is not None:
            self._rows[webhook] = _replace(hook, {"failures": 0 if delivered else hook.failures + 1})

    async def disable(self, webhook: UUID, reason: str) -> None:
        hook = self._rows.get(webhook)
        if hook is not None:
            self._rows[webhook] = _replace(hook, {"enabled": False, "disabled_reason": reason})

    async def attempts(self, webhook: UUID, limit: int) -> list[Attempt]:
        return [a for a in reversed(self._attempts) if a.webhook_id == webhook][:limit]


def _replace(hook: Webhook, changes: dict[str, object]) -> Webhook:
    return msgspec.structs.replace(hook, **changes)
