"""``/api/me/notifications``: the signed-in user's in-app notifications (only their own)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from server.api import notification_types as types
from server.api.auth import CallerDep
from server.domain.notifications import Notification
from server.services.notifications import NotificationService

NotificationsDep = NamedDependency[NotificationService]


def notification(n: Notification) -> types.Notification:
    return types.Notification(id=n.id, workspace_id=n.workspace_id, message=n.message, board_id=n.board_id,
                              card_id=n.card_id, created_at=n.created_at, read_at=n.read_at, kind=n.kind,
                              actor=n.actor)


class NotificationController(Controller):
    path = "/api/me/notifications"
    tags = ["notifications"]

    @get("", summary="Your notifications, newest first, and how many are unread")
    async def list_notifications(self, caller: CallerDep, notifications: NotificationsDep,
                                 limit: FromQuery[int] = 50) -> types.Notifications:
        found, unread = await notifications.list(caller, max(1, min(limit, 200)))
        return types.Notifications(notifications=[notification(n) for n in found], unread=unread)

    @post("/{notification_id:uuid}/read", status_code=204, summary="Mark one of your notifications read")
    async def read_notification(self, notification_id: FromPath[UUID], caller: CallerDep,
                                notifications: NotificationsDep) -> None:
        await notifications.read(caller, notification_id)

    @post("/read", status_code=200, summary="Mark all your notifications read")
    async def read_all_notifications(self, caller: CallerDep, notifications: NotificationsDep) -> types.ReadAll:
        return types.ReadAll(marked=await notifications.read_all(caller))
