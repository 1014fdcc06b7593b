"""What arrives where, who follows which deal, and which @mentions a note has made
(``server.domain.notification_settings``; issue 18 item 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from server.domain.notification_settings import DigestState, NotificationPrefs


class NotificationSettings(Protocol):
    async def get(self, user: UUID) -> NotificationPrefs:
        """The user's settings; the defaults (everything in the app, no digest) if they set none."""
        ...

    async def put(self, user: UUID, prefs: NotificationPrefs) -> None:
        """Replace the user's settings (their digest state stays)."""
        ...

    async def digesting(self) -> list[tuple[UUID, NotificationPrefs, DigestState]]:
        """Every user whose digest is not off, with their settings and the last digest sent."""
        ...

    async def mark_digested(self, user: UUID, period: str, at: datetime) -> bool:
        """Record ``period``'s digest as sent at ``at``; False (nothing changed) if it was already."""
        ...


class DealFollows(Protocol):
    async def set(self, board: UUID, card: UUID, user: UUID, follows: bool) -> None:
        """The user's choice to follow the deal, or not to."""
        ...

    async def choices(self, board: UUID, card: UUID) -> dict[UUID, bool]:
        """Every choice made about the deal, by user."""
        ...


class NoteMentions(Protocol):
    async def seen(self, document: str) -> set[UUID]:
        """The users the note has mentioned so far."""
        ...

    async def add(self, document: str, users: set[UUID]) -> None:
        """Remember that the note mentioned ``users``."""
        ...
