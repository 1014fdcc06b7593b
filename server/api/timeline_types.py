"""Response bodies of a contact's and an organisation's timeline and of an organisation's links.

A timeline entry is a tagged union on ``kind`` (``server.domain.timeline``): every kind has
``id``, ``at``, ``actor_id``, ``title`` and ``board_id`` (with what it links to), so the app
shows an entry of a kind it does not know yet by those alone; later kinds (mails, files) join
as new members of the union (e-mail: ``EmailEntry``, issue 17).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from server.api.contact_types import LinkedDeal, LinkedNote
from server.domain.crm import ActivityType, DealStatus
from server.domain.mailboxes import Direction, Visibility
from server.domain.timeline import EntryKind, TimelineEntry


class _Entry(msgspec.Struct, kw_only=True, tag_field="kind"):
    id: UUID
    at: datetime | None
    actor_id: UUID | None
    title: str
    board_id: UUID
    contact_id: UUID | None  # the contact it names (on an organisation's timeline: which of its people)


class DealEntry(_Entry, tag="deal"):
    """A deal was opened; open it as ``card_id`` on ``board_id``."""

    card_id: UUID
    status: DealStatus
    value: float | None
    currency: str | None


class ActivityEntry(_Entry, tag="activity"):
    """An activity: ``at`` is when it was done, or when it was planned while open."""

    card_id: UUID | None
    type: ActivityType
    done: bool
    due_date: date | None


class NoteEntry(_Entry, tag="note"):
    """A note: open its ``document``; ``card_id`` when it is about a deal."""

    document: str
    card_id: UUID | None


class EmailEntry(_Entry, tag="email", kw_only=True):
    """An e-mail filed under the record (issue 17): ``title`` is its subject — empty when its mailbox
    shares metadata only — and ``snippet`` is empty unless the caller may read it; ``GET
    /api/emails/{id}`` opens it. It belongs to no board."""

    board_id: UUID | None = None
    direction: Direction
    from_address: str
    from_name: str
    to: list[str]
    visibility: Visibility
    snippet: str
    thread_id: str


class FileEntry(_Entry, tag="file", kw_only=True):
    """A file uploaded onto the record (docs/files.md): ``title`` is its name, ``url`` downloads it;
    ``contact_id`` on an organisation's timeline when it is one of its people's. It belongs to no board."""

    board_id: UUID | None = None
    content_type: str
    size: int
    url: str


class RequestEntry(_Entry, tag="request", kw_only=True):
    """A customer-service request from the record's people (docs/service.md): ``at`` is when it came in;
    ``GET /api/requests/{id}`` opens it. ``board_id`` and ``card_id``: its deal, if any."""

    board_id: UUID | None = None
    card_id: UUID | None = None
    status: Literal["new", "open", "waiting", "solved", "closed"]
    priority: Literal["low", "normal", "high", "urgent"]


TimelineItem = DealEntry | ActivityEntry | NoteEntry | EmailEntry | FileEntry | RequestEntry


class RecordTimeline(msgspec.Struct):
    """One page of a record's timeline, newest first; ``next_offset`` when there is more."""

    items: list[TimelineItem]
    next_offset: int | None


class OrganisationLinks(msgspec.Struct):
    """An organisation's deals (its own and its people's) and the notes about it."""

    organisation: UUID
    deals: list[LinkedDeal]
    notes: list[LinkedNote]


def timeline_item(e: TimelineEntry) -> TimelineItem:
    common = {"id": e.id, "at": e.at, "actor_id": e.actor, "title": e.title, "board_id": e.board_id,
              "contact_id": e.contact_id}
    if e.kind is EntryKind.DEAL:
        return DealEntry(**common, card_id=e.card_id or e.id, status=DealStatus(e.status), value=e.value,
                         currency=e.currency)
    if e.kind is EntryKind.EMAIL and e.email is not None:
        m = e.email
        return EmailEntry(**common, direction=Direction(m.direction), from_address=m.from_address,
                          from_name=m.from_name, to=m.to, visibility=Visibility(m.visibility), snippet=m.snippet,
                          thread_id=m.thread_id)
    if e.kind is EntryKind.FILE and e.file is not None:
        return FileEntry(**common, content_type=e.file.content_type, size=e.file.size, url=f"/api/files/{e.id}")
    if e.kind is EntryKind.REQUEST:
        return RequestEntry(**common, card_id=e.card_id, status=e.status, priority=e.type)  # type: ignore[arg-type]
    if e.kind is EntryKind.ACTIVITY:
        return ActivityEntry(**common, card_id=e.card_id, type=ActivityType(e.type), done=e.status == "done",
                             due_date=e.due_date)
    return NoteEntry(**common, document=e.document or "", card_id=e.card_id)
