"""In-app notifications (issue 16 item 2): a message to one user, about a deal if ``card_id`` is set."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID


class NewNotification(NamedTuple):
    id: UUID  # chosen by the writer: a rerun of the same action writes the same id, found, not added twice
    user_id: UUID
    workspace_id: UUID
    message: str
    board_id: UUID | None = None
    card_id: UUID | None = None
    kind: str = "automation"  # automation (a rule's notify action) or reminder (issue 18: an activity is due)
    actor: str | None = None  # who it is from, by name (the author of a mention), if one person


class Notification(NamedTuple):
    id: UUID
    user_id: UUID
    workspace_id: UUID
    message: str
    board_id: UUID | None
    card_id: UUID | None
    created_at: datetime
    read_at: datetime | None
    kind: str = "automation"
    actor: str | None = None
