"""Response bodies of ``/api/me/notifications``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class Notification(msgspec.Struct, kw_only=True):
    id: UUID
    workspace_id: UUID
    message: str
    board_id: UUID | None  # the deal it is about (board and card), if any
    card_id: UUID | None
    created_at: datetime
    read_at: datetime | None
    kind: str = "automation"  # automation (a rule's message) or reminder (an activity of yours is due; issue 18)
    actor: str | None = None  # who it is from, by name: the author of a mention (issue 18)


class Notifications(msgspec.Struct, kw_only=True):
    notifications: list[Notification]  # newest first
    unread: int  # how many of all the user's notifications are unread


class ReadAll(msgspec.Struct, kw_only=True):
    marked: int  # how many were unread
