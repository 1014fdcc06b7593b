"""The in-memory twins of ``server.storage.notification_settings``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from server.domain.notification_settings import DEFAULT, DigestState, NotificationPrefs
from server.storage.memory.unit import MemoryDatabase


class MemoryNotificationSettings:
    """Implements ``NotificationSettings`` (tables ``notification_settings``: user -> prefs,
    ``notification_digests``: user -> DigestState)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._prefs: dict[UUID, NotificationPrefs] = db.table("notification_settings")
        self._digests: dict[UUID, DigestState] = db.table("notification_digests")

    async def get(self, user: UUID) -> NotificationPrefs:
        found = self._prefs.get(user, DEFAULT)
        return found._replace(channels=dict(found.channels))

    async def put(self, user: UUID, prefs: NotificationPrefs) -> None:
        self._prefs[user] = prefs._replace(channels=dict(prefs.channels))

    async def digesting(self) -> list[tuple[UUID, NotificationPrefs, DigestState]]:
        return [(user, await self.get(user), self._digests.get(user, DigestState(None, None)))
                for user in sorted(self._prefs, key=str) if self._prefs[user].digest != "off"]

    async def mark_digested(self, user: UUID, period: str, at: datetime) -> bool:
        if user not in self._prefs or self._digests.get(user, DigestState(None, None)).period == period:
            return False
        self._digests[user] = DigestState(period, at)
        return True


class MemoryDealFollows:
    """Implements ``DealFollows`` (table ``deal_follows``: (board, card) -> {user: follows})."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._rows: dict[tuple[UUID, UUID], dict[UUID, bool]] = db.table("deal_follows")

    async def set(self, board: UUID, card: UUID, user: UUID, follows: bool) -> None:
        self._rows.setdefault((board, card), {})[user] = follows

    async def choices(self, board: UUID, card: UUID) -> dict[UUID, bool]:
        return dict(self._rows.get((board, card), {}))


class MemoryNoteMentions:
    """Implements ``NoteMentions`` (table ``note_mentions``: document -> users)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._rows: dict[str, set[UUID]] = db.table("note_mentions")

    async def seen(self, document: str) -> set[UUID]:
        return set(self._rows.get(document, set()))

    async def add(self, document: str, users: set[UUID]) -> None:
        if users:
            self._rows.setdefault(document, set()).update(users)
