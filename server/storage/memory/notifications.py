"""The in-memory twin of ``server.storage.notifications``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from server.domain.notifications import NewNotification, Notification
from server.storage.memory.unit import MemoryDatabase


class MemoryNotifications:
    """Implements ``Notifications`` (table ``notifications``: id -> Notification)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, Notification] = db.table("notifications")

    async def add(self, new: NewNotification) -> bool:
        if new.id in self._rows:
            return False
        self._rows[new.id] = Notification(*new[:6], created_at=self._db.now(), read_at=None, kind=new.kind,
                                          actor=new.actor)
        return True

    async def of_user(self, user: UUID, limit: int = 50) -> list[Notification]:
        mine = [n for n in self._rows.values() if n.user_id == user]
        mine.sort(key=lambda n: (n.created_at, str(n.id)), reverse=True)
        return mine[:limit]

    async def unread(self, user: UUID) -> int:
        return sum(1 for n in self._rows.values() if n.user_id == user and n.read_at is None)

    async def mark_read(self, user: UUID, notification: UUID) -> bool:
        found = self._rows.get(notification)
        if found is None or found.user_id != user:
            return False
        if found.read_at is None:
            self._rows[notification] = found._replace(read_at=self._db.now())
        return True

    async def mark_all_read(self, user: UUID) -> int:
        unread = [n for n in self._rows.values() if n.user_id == user and n.read_at is None]
        for n in unread:
            self._rows[n.id] = n._replace(read_at=self._db.now())
        return len(unread)

    async def get(self, notification: UUID) -> Notification | None:
        return self._rows.get(notification)

    async def unread_since(self, user: UUID, after: datetime | None, limit: int = 100) -> list[Notification]:
        found = [n for n in self._rows.values() if n.user_id == user and n.read_at is None
                 and (after is None or n.created_at > after)]
        found.sort(key=lambda n: (n.created_at, str(n.id)))
        return found[:limit]

    async def forget(self, workspace: UUID, user: UUID) -> None:
        for n in [n for n in self._rows.values() if n.workspace_id == workspace and n.user_id == user]:
            del self._rows[n.id]
