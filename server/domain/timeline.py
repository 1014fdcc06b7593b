"""A contact's or organisation's timeline: everything that touched it, newest first. Pure values.

Each entry says the same five things whatever it is — its ``kind``, when (``at``), who
(``actor``), a ``title`` and where it leads (``board_id`` with ``card_id`` for a deal or an
activity, ``document`` for a note) — and carries a few fields of its kind beside them. Deals,
activities and notes join today; mails and files join as new kinds with their own link, and
readers that do not know a kind still show its time, actor and title.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

TIMELINE_PAGE = 25


class EntryKind(enum.StrEnum):
    DEAL = "deal"  # a deal naming the record was opened (at its creation; its status now)
    ACTIVITY = "activity"  # a call, meeting, e-mail or task (done: when done; else when planned)
    NOTE = "note"  # a note about the record, or about one of its deals


class TimelineEntry(NamedTuple):
    kind: EntryKind
    id: UUID  # the deal's card, the activity, the note
    at: datetime | None  # None: a deal or activity projected without a time (listed last)
    actor: UUID | None
    title: str
    board_id: UUID
    card_id: UUID | None  # the deal itself, or the deal an activity or note belongs to
    document: str | None  # a note's document
    contact_id: UUID | None  # the contact it names (a note: the contact it is about)
    status: str | None  # a deal: open | won | lost; an activity: open | done
    type: str | None  # an activity: call | meeting | email | todo | deadline
    value: float | None  # a deal's value, in ``currency``
    currency: str | None
    due_date: date | None  # an activity's day


def newest_first(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The timeline's order: latest ``at`` first, entries without one last; ties by kind, then id."""
    entries = sorted(entries, key=lambda e: (str(e.kind), str(e.id)))
    return sorted(entries, key=lambda e: (e.at is None, -e.at.timestamp() if e.at else 0.0))
