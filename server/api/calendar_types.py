"""Response bodies of the calendar API (issue 18, docs/calendar.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
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
    cancelled: bool = False  # an occurrence cancelled one by one (asked for with ``cancelled=true``)
    moved_from: MovedFrom | None = None  # this single activity replaces a moved occurrence


class MovedFrom(msgspec.Struct, kw_only=True):
    """The occurrence a single activity replaces: ``POST …/occurrences/{day}/restore`` undoes the move."""

    series: UUID
    day: date


class Calendar(msgspec.Struct, kw_only=True):
    entries: list[CalendarEntry]


class CalendarFeed(msgspec.Struct, kw_only=True):
    """Your private feed: whether you have one, and (only right after making it) its URL."""

    active: bool
    created_at: datetime | None = None
    url: str | None = None  # shown once: only a hash of its token is kept


class TeamTask(msgspec.Struct, kw_only=True):
    """An activity on the team to-do list (issue 18): ``day`` None has no date; ``overdue`` as of now."""

    id: UUID
    board: UUID
    board_name: str
    type: str
    title: str
    assignee: UUID | None
    assignee_name: str | None
    day: date | None
    start: datetime | None
    end: datetime | None
    all_day: bool
    time_zone: str | None
    done: bool
    overdue: bool
    card: UUID | None
    card_title: str | None
    recurrence: str | None = None


class Workload(msgspec.Struct, kw_only=True):
    """One member's week: open activities due in it, open overdue ones, hours booked (timed ones' lengths)."""

    person: UUID
    name: str
    this_week: int
    overdue: int
    hours: float
    capacity: float = 40.0  # their working week in hours (Settings › Calendar)


class WorkWeek(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Your working week: hours you are available for booked activities, 1 to 168 (default 40)."""

    weekly_hours: Annotated[float, msgspec.Meta(ge=1, le=168)]


class TeamTasks(msgspec.Struct, kw_only=True):
    as_of: date
    week_start: date
    tasks: list[TeamTask]
    workload: list[Workload]


class AttendeesBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The activity's attendees as they should be: users (colleagues) and contacts; those left out go."""

    users: list[UUID] = []
    contacts: list[UUID] = []


class ActivityAttendees(msgspec.Struct, kw_only=True):
    """Who attends an activity besides its assignee; a guest gets no contacts."""

    users: list[UUID]
    contacts: list[UUID]


class OccurrenceMove(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Where one occurrence of a series goes: ``due`` a date or an ISO-8601 date-time with offset;
    ``end`` (optional) its end, else it keeps the occurrence's length."""

    due: Annotated[str, msgspec.Meta(max_length=40)]
    end: datetime | None = None


class MovedOccurrence(msgspec.Struct, kw_only=True):
    """The single activity that took the moved occurrence's place."""

    id: UUID
    board: UUID
    series: UUID
    day: date  # the occurrence's day, now an exception of the series
