"""What hangs off contacts and organisations, as the board projection (migration 0003) holds it.

Deals and activities name a ``contact_id`` inside board documents, notes a subject; these are
the rows a contact's links page shows. Pure values, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID


class LinkedDeal(NamedTuple):
    """A deal on a pipeline board (open ``board:<board_id>``; the card is ``card_id``)."""

    board_id: UUID
    card_id: UUID
    title: str
    status: str
    value: float | None
    currency: str | None
    stage_id: UUID
    contact_id: UUID | None
    owner_id: UUID | None
    expected_close: date | None
    updated_at: datetime | None


class LinkedActivity(NamedTuple):
    board_id: UUID
    activity_id: UUID
    type: str
    title: str
    done: bool
    due_date: date | None
    due_at: datetime | None
    assignee_id: UUID | None
    card_id: UUID | None
    contact_id: UUID


class LinkedNote(NamedTuple):
    """A note about a contact or an organisation: open its ``document``."""

    id: UUID
    document: str
    board_id: UUID
    title: str
    subject_id: UUID
    created_by: UUID | None
    created_at: datetime
