"""A contact's or organisation's timeline: everything that touched it, newest first. Pure values.

Each entry says the same five things whatever it is — its ``kind``, when (``at``), who
(``actor``), a ``title`` and where it leads (``board_id`` with ``card_id`` for a deal or an
activity, ``document`` for a note) — and carries a few fields of its kind beside them. Deals,
activities and notes join, and e-mail filed from a connected mailbox (``email``: no board, an
``EmailSummary`` instead, its subject shown only as far as the mailbox's visibility allows); readers
that do not know a kind still show its time, actor and title.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

from server.domain.files import FileSummary

TIMELINE_PAGE = 25


class EntryKind(enum.StrEnum):
    DEAL = "deal"  # a deal naming the record was opened (at its creation; its status now)
    ACTIVITY = "activity"  # a call, meeting, e-mail or task (done: when done; else when planned)
    NOTE = "note"  # a note about the record, or about one of its deals
    EMAIL = "email"  # an e-mail to or from the record's addresses (issue 17)
    FILE = "file"  # a file uploaded onto the record (docs/files.md)
    REQUEST = "request"  # a customer-service request from the record's people (docs/service.md)


class EmailSummary(NamedTuple):
    """What a timeline shows of an e-mail beside its subject (the entry's title)."""

    direction: str  # in | out
    from_address: str
    from_name: str
    to: list[str]
    visibility: str  # what the reader may see: metadata | subject | everything
    snippet: str
    thread_id: str
    owner: UUID | None  # whose mailbox filed it


class TimelineEntry(NamedTuple):
    kind: EntryKind
    id: UUID  # the deal's card, the activity, the note
    at: datetime | None  # None: a deal or activity projected without a time (listed last)
    actor: UUID | None
    title: str
    board_id: UUID | None  # None: an e-mail
    card_id: UUID | None  # the deal itself, or the deal an activity or note belongs to
    document: str | None  # a note's document
    contact_id: UUID | None  # the contact it names (a note: the contact it is about)
    status: str | None  # a deal: open | won | lost; an activity: open | done; a request: its status
    type: str | None  # an activity: call | meeting | email | todo | deadline; a request: its priority
    value: float | None  # a deal's value, in ``currency``
    currency: str | None
    due_date: date | None  # an activity's day
    email: EmailSummary | None = None  # an e-mail's
    file: FileSummary | None = None  # a file's


def newest_first(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The timeline's order: latest ``at`` first, entries without one last; ties by kind, then id."""
    entries = sorted(entries, key=lambda e: (str(e.kind), str(e.id)))
    return sorted(entries, key=lambda e: (e.at is None, -e.at.timestamp() if e.at else 0.0))


def merged(*sources: list[TimelineEntry], limit: int, offset: int) -> list[TimelineEntry]:
    """One page of several sources, each read newest first up to ``offset + limit``."""
    return newest_first([e for source in sources for e in source])[offset:offset + limit]


def email_as_seen_by(entry: TimelineEntry, viewer: UUID) -> TimelineEntry:
    """An e-mail entry as ``viewer`` may see it: its owner sees everything; others what the mailbox's
    visibility allows (``metadata``: no subject, no snippet; ``subject``: no snippet)."""
    summary = entry.email
    if summary is None:
        return entry
    seen = "everything" if summary.owner == viewer else summary.visibility
    return entry._replace(title=entry.title if seen != "metadata" else "",
                          email=summary._replace(visibility=seen,
                                                 snippet=summary.snippet if seen == "everything" else ""))
