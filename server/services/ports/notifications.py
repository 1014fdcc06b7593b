"""In-app notifications (``server.domain.notifications``): each user reads only their own."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from server.domain.notifications import NewNotification, Notification


class Notifications(Protocol):
    async def add(self, new: NewNotification) -> bool:
        """Store it; False (and nothing changed) if a notification with its id exists."""
        ...

    async def of_user(self, user: UUID, limit: int = 50) -> list[Notification]:
        """The user's notifications, newest first."""
        ...

    async def unread(self, user: UUID) -> int:
        """How many of the user's notifications are unread."""
        ...

    async def mark_read(self, user: UUID, notification: UUID) -> bool:
        """Mark the user's notification read; False if the user has none with that id."""
        ...

    async def mark_all_read(self, user: UUID) -> int:
        """Mark every unread notification of the user read; how many were."""
        ...

    async def get(self, notification: UUID) -> Notification | None:
        """One notification, whoever's it is, or None (the e-mail job reads it)."""
        ...

    async def unread_since(self, user: UUID, after: datetime | None, limit: int = 100) -> list[Notification]:
        """The user's unread notifications made after ``after`` (None: all), oldest first (a digest's list)."""
        ...

    async def forget(self, workspace: UUID, user: UUID) -> None:
        """Delete the user's notifications from ``workspace`` (they left it: its deals are not theirs to read)."""
        ...
