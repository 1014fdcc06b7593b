"""Response bodies of the calendar API (issue 18, docs/calendar.md)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class CalendarEntry(msgspec.Struct, kw_only=True):
    """An activity on the calendar: timed (``start``, ``end``) or all-day on ``day``."""

    id: UUID
    board: UUID
    board_name: str
    workspace: UUID
    type: str
    title: str
    assignee: UUID | None
    day: date  # its local day in ``time_zone``
    start: datetime | None
    end: datetime | None
    all_day: bool
    time_zone: str | None
    location: str | None
    done: bool
    card: UUID | None
    card_title: str | None
    outcome: str | None
    recurrence: str | None = None  # an RRULE: this is one occurrence of a repeating activity
    series_due: str | None = None  # the series' own start (date or date-time): a move shifts it


class Calendar(msgspec.Struct, kw_only=True):
    entries: list[CalendarEntry]


class CalendarFeed(msgspec.Struct, kw_only=True):
    """Your private feed: whether you have one, and (only right after making it) its URL."""

    active: bool
    created_at: datetime | None = None
    url: str | None = None  # shown once: only a hash of its token is kept
