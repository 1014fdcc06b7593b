"""A user's in-app notifications (issue 16 item 2): each user reads and marks only their own;
another user's notification answers as one that does not exist (``NotFound``, HTTP 404).
What writes them is the automation runner's ``notify`` action."""

from __future__ import annotations

from uuid import UUID

from server.domain.access import NotFound
from server.domain.notifications import Notification
from server.services.accounts import Caller
from server.services.ports.unit import Begin


class NotificationService:
    """The signed-in user's notifications."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def list(self, caller: Caller, limit: int = 50) -> tuple[list[Notification], int]:
        """The newest ``limit`` and how many of all are unread."""
        async with self._begin() as tx:
            return await tx.notifications.of_user(caller.id, limit), await tx.notifications.unread(caller.id)

    async def read(self, caller: Caller, notification: UUID) -> None:
        async with self._begin() as tx:
            if not await tx.notifications.mark_read(caller.id, notification):
                raise NotFound("no such notification")

    async def read_all(self, caller: Caller) -> int:
        async with self._begin() as tx:
            return await tx.notifications.mark_all_read(caller.id)
