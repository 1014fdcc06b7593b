"""The team to-do list and the workload per person (issue 18, item 2).

A manager sees everyone's activities on the boards they reach, filtered by assignee (me, anyone,
a colleague, nobody), type, when they are due (overdue, today, this week, no date) and whether
they are done; and, per person, the load of the current week — open activities due this week,
overdue ones, and the hours booked (the durations of timed activities this week) — so new work
goes to whoever has room. A repeating activity counts each of its occurrences in the week.

"Today" and "this week" (Monday to Sunday) are the reader's days: the client sends its date.
An all-day activity is overdue once its day is over; a timed one once it has started.
Pure: no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from server.domain.accounts import InvalidInput
from server.domain.calendar import Span, occurrences
from server.domain.crm import ActivityType

MAX_TASKS = 500  # one answer's length; the filters narrow a longer list
DEFAULT_WEEK_HOURS = 40.0  # a working week for whoever has not set theirs


class TeamTask(NamedTuple):
    """An activity with the board (and deal or work item) it belongs to."""

    id: UUID
    board: UUID
    board_name: str
    workspace: UUID
    type: str
    title: str
    assignee: UUID | None
    day: date | None  # its local day; None: no date
    start: datetime | None  # a timed activity's start (UTC)
    end: datetime | None
    all_day: bool
    time_zone: str | None
    done: bool
    card: UUID | None
    card_title: str | None
    recurrence: str | None = None


class Due(enum.StrEnum):
    ANY = "any"
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"
    NONE = "none"


class Filters(NamedTuple):
    """Which tasks: ``assignees`` None is anyone, an empty set nobody's (unassigned) ones."""

    assignees: frozenset[UUID | None] | None = None
    types: frozenset[str] = frozenset()
    due: Due = Due.ANY
    done: bool = False  # False: open ones only; True: done ones too


class Load(NamedTuple):
    """One person's week: open activities due in it, open overdue ones, hours booked in it."""

    person: UUID
    this_week: int
    overdue: int
    hours: float
    capacity: float = DEFAULT_WEEK_HOURS  # their working week (hours), what ``hours`` fills


def week_of(today: date) -> tuple[date, date]:
    """Monday and Sunday of ``today``'s week."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def is_overdue(task: TeamTask, today: date, now: datetime) -> bool:
    if task.done or task.day is None:
        return False
    if task.start is not None and not task.all_day:
        return task.start < now
    return task.day < today


def matches(task: TeamTask, filters: Filters, today: date, now: datetime) -> bool:
    if not filters.done and task.done:
        return False
    if filters.assignees is not None and task.assignee not in filters.assignees:
        return False
    if filters.types and task.type not in filters.types:
        return False
    monday, sunday = week_of(today)
    match filters.due:
        case Due.OVERDUE:
            return is_overdue(task, today, now)
        case Due.TODAY:
            return task.day == today
        case Due.WEEK:
            return task.day is not None and monday <= task.day <= sunday
        case Due.NONE:
            return task.day is None
    return True


def team_list(tasks: Iterable[TeamTask], filters: Filters, today: date, now: datetime) -> list[TeamTask]:
    """The tasks the filters keep: overdue first, then by day and start, undated last."""
    kept = [t for t in tasks if matches(t, filters, today, now)]
    kept.sort(key=lambda t: (t.day is None, t.day or date.max, t.start.isoformat() if t.start else "", t.title,
                             str(t.id)))
    return kept[:MAX_TASKS]


def _in_week(task: TeamTask, monday: date, sunday: date, skipped: Collection[date] = ()) -> list[Span]:
    if task.day is None:
        return []
    when = Span(task.day, task.start, task.end, task.all_day, task.time_zone)
    return [s for s in occurrences(when, task.recurrence, monday, sunday) if not task.recurrence or s.day not in skipped]


def workload(tasks: Iterable[TeamTask], people: Sequence[UUID], today: date, now: datetime,
             capacity: Mapping[UUID, float] | None = None,
             skipped: Mapping[tuple[UUID, UUID], Collection[date]] | None = None) -> list[Load]:
    """Each of ``people``'s load this week (in that order), from their open activities, against
    their working week (``capacity``, hours; default 40). A series' cancelled and moved days
    (``skipped`` by (board, activity)) do not count: a moved one counts as its own activity."""
    monday, sunday = week_of(today)
    counts = {p: [0, 0, 0.0] for p in people}
    for task in tasks:
        if task.done or task.assignee not in counts:
            continue
        load = counts[task.assignee]
        if is_overdue(task, today, now) and not task.recurrence:
            load[1] += 1
        for s in _in_week(task, monday, sunday, (skipped or {}).get((task.board, task.id), ())):
            load[0] += 1
            if s.start is not None and s.end is not None and not s.all_day:
                load[2] += (s.end - s.start).total_seconds() / 3600
    return [Load(p, int(c[0]), int(c[1]), round(c[2], 2), (capacity or {}).get(p, DEFAULT_WEEK_HOURS))
            for p, c in counts.items()]


def parse_filters(me: UUID, assignee: str, types: str, due: str, done: bool) -> Filters:
    """The query's filters: ``assignee`` is ``me``, ``anyone``, ``nobody`` or a user id."""
    match assignee:
        case "" | "anyone":
            who: frozenset[UUID | None] | None = None
        case "me":
            who = frozenset({me})
        case "nobody":
            who = frozenset({None})
        case _:
            try:
                who = frozenset({UUID(assignee)})
            except ValueError:
                raise InvalidInput(f"assignee: expected me, anyone, nobody or a user id, got {assignee[:60]!r}") from None
    kinds = frozenset(part.strip() for part in types.split(",") if part.strip())
    known = {t.value for t in ActivityType}
    if kinds - known:
        raise InvalidInput(f"type: expected some of {', '.join(sorted(known))}, got {types[:60]!r}")
    try:
        when = Due(due or "any")
    except ValueError:
        raise InvalidInput(f"due: expected one of {', '.join(d.value for d in Due)}, got {due[:20]!r}") from None
    return Filters(who, kinds, when, done)
