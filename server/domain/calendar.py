"""Activities in time (issue 18): when an activity happens, in which zone, and when it reminds.

An activity's ``due`` is its start: a date-time makes it *timed* (``end`` optional, after the
start), a date makes it *all-day* on that date — as every activity made before times existed
is, so old date-only activities keep their meaning. ``allDay`` true on a date-time keeps the
time but shows the day. ``timeZone`` (IANA) is the zone the times were chosen in: it decides the
local day and the wall-clock arithmetic of whole-day reminders across DST switches.

Reminders are minutes before the start. Absent: the defaults (a day and 15 minutes before) for a
timed activity, none for an all-day one (a date-only to-do list must not start ringing). Whole
days are counted on the wall clock of the activity's zone — "a day before" a Monday 10:00
meeting is Sunday 10:00 local, 23 or 25 hours before across a DST switch — and the rest as
elapsed time. An all-day activity's reminders count from 09:00 local on its day.
Pure: no I/O (``zoneinfo`` reads the system's or the ``tzdata`` package's zone files).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from server.domain.accounts import InvalidInput
from server.domain.crm import Activity

DEFAULT_REMINDERS: tuple[int, ...] = (1440, 15)
ALL_DAY_ANCHOR = time(9, 0)  # an all-day activity's reminders count from 09:00 local
MAX_REMINDER_MINUTES = 40320  # four weeks
MAX_REMINDERS = 5
_REMINDER_IDS = UUID("3f0a6c1e-0d7e-4a55-9a57-2f3b0c3e18a1")


@functools.lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    """The zone named ``name`` (``Europe/Berlin``), or None for a name that is not one."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name or "\\" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def is_time_zone(name: str) -> bool:
    return zone(name) is not None


def check_time_zone(name: str) -> str:
    if not is_time_zone(name):
        raise InvalidInput(f"time_zone: expected an IANA time zone such as Europe/Berlin, got {name[:64]!r}")
    return name


def check_span(start: date | datetime | None, end: datetime | None) -> None:
    """``end`` needs a start that is a time, and must come after it."""
    if end is None:
        return
    if not isinstance(start, datetime):
        raise InvalidInput("end: expected an end only with a start time (due as a date-time)")
    if end <= start:
        raise InvalidInput(f"end: expected a time after the start {start.isoformat()}, got {end.isoformat()}")


_RULE_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
MAX_OCCURRENCES = 400  # in one read of a range: a daily rule over the longest range with room to spare
MAX_COUNT = 999  # a series that ends "after N times"


class InvalidSeriesEnd(InvalidInput):
    """A series' end (``COUNT``, ``UNTIL``) not as expected; the message names ``recurrence``."""


def _rule_parts(text: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in text.upper().split(";"))


def _end_problem(parts: dict[str, str]) -> str | None:
    """What is wrong with a rule's end (COUNT: after N times, UNTIL: the last local day), if anything."""
    count, until = parts.get("COUNT"), parts.get("UNTIL")
    if count is not None and until is not None:
        return f"expected COUNT or UNTIL, not both (RFC 5545), got COUNT={count[:8]};UNTIL={until[:20]}"
    if count is not None and not (count.isdigit() and 1 <= int(count) <= MAX_COUNT):
        return f"expected COUNT from 1 to {MAX_COUNT}, got {count[:8]!r}"
    if until is not None and _until_day(until) is None:
        return f"expected UNTIL as a day YYYYMMDD (the last day, in the series' zone), got {until[:20]!r}"
    return None


def _until_day(raw: str) -> date | None:
    if len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def series_end(text: str | None) -> tuple[int | None, date | None]:
    """A rule's end: (COUNT, the UNTIL day) — (None, None) for a series that never ends."""
    if not text:
        return None, None
    parts = _rule_parts(text)
    count, until = parts.get("COUNT"), parts.get("UNTIL")
    return (int(count) if count and count.isdigit() else None), (_until_day(until) if until else None)


def rule(text: str) -> rrule | None:
    """The recurrence ``text`` (an RFC 5545 RRULE value, ``FREQ=WEEKLY;BYDAY=MO``) as a rule, or
    None if it is not one we repeat: daily at most (no hourly, minutely or secondly floods), ending
    never, after ``COUNT`` (1 to 999) times or on the local day ``UNTIL=YYYYMMDD`` (inclusive: the
    rule's wall clock runs to the end of that day)."""
    if not text or len(text) > 300 or not text.isascii() or "\n" in text or ":" in text:
        return None
    parts = _rule_parts(text)
    if parts.get("FREQ") not in _RULE_FREQUENCIES or "DTSTART" in parts or _end_problem(parts):
        return None
    if "UNTIL" in parts:
        text = ";".join(f"{k}={v}T235959" if k == "UNTIL" else f"{k}={v}" for k, v in parts.items())
    try:
        found = rrulestr(f"RRULE:{text}", dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, OverflowError):
        return None
    return found if isinstance(found, rrule) else None


def check_rule(text: str) -> str:
    problem = _end_problem(_rule_parts(text)) if text and len(text) <= 300 else None
    if problem:
        raise InvalidSeriesEnd(f"recurrence: {problem}")
    if rule(text) is None:
        raise InvalidInput(f"recurrence: expected an RRULE such as FREQ=WEEKLY;BYDAY=MO (daily at most), "
                           f"got {text[:80]!r}")
    return text.upper()


def check_until(recurrence: str | None, start: Span | None) -> None:
    """A series that ends on a day must end after the day it starts."""
    until = series_end(recurrence)[1]
    if until is not None and start is not None and until <= start.day:
        raise InvalidSeriesEnd(f"recurrence: expected UNTIL after the start day {start.day.isoformat()}, "
                           f"got {until.isoformat()}")


def occurrences(when: Span, recurrence: str | None, first: date, last: date) -> list[Span]:
    """The spans of ``when`` repeated by ``recurrence`` whose local day falls from ``first`` to
    ``last`` (just ``when`` if it does not repeat). Repeats keep the wall-clock time in the zone: a
    weekly 10:00 Berlin meeting stays at 10:00 across a DST switch."""
    found = rule(recurrence) if recurrence else None
    if found is None:
        return [when] if first <= when.day <= last else []
    tz = zone(when.zone) if when.zone else timezone.utc
    timed = when.start is not None
    local = when.start.astimezone(tz).replace(tzinfo=None) if timed else datetime.combine(when.day, time())
    length = when.end - when.start if timed and when.end else None
    series = found.replace(dtstart=local)
    window = series.between(datetime.combine(first, time()), datetime.combine(last, time.max), inc=True)
    out = []
    for at in window[:MAX_OCCURRENCES]:
        if not timed:
            out.append(when._replace(day=at.date()))
            continue
        start = at.replace(tzinfo=tz).astimezone(timezone.utc)
        out.append(when._replace(day=at.date(), start=start, end=start + length if length else None))
    return out


def check_reminders(minutes: list[int] | tuple[int, ...]) -> tuple[int, ...]:
    if len(minutes) > MAX_REMINDERS or any(not 0 <= m <= MAX_REMINDER_MINUTES for m in minutes):
        raise InvalidInput(f"reminders: expected at most {MAX_REMINDERS} of 0 to {MAX_REMINDER_MINUTES} minutes, "
                           f"got {list(minutes)[:10]}")
    return tuple(sorted(set(minutes), reverse=True))


class Span(NamedTuple):
    """When an activity happens: ``start``/``end`` are UTC instants (None when all-day by date)."""

    day: date  # its local day
    start: datetime | None
    end: datetime | None
    all_day: bool
    zone: str | None


def span(due: date | datetime | None, end: datetime | None = None, all_day: bool | None = None,
         time_zone: str | None = None) -> Span | None:
    """When an activity with these fields happens; None if it has no ``due``. An ``end`` not after
    the start is ignored (a document may hold anything)."""
    if due is None:
        return None
    tz = zone(time_zone) if time_zone else None
    if not isinstance(due, datetime):
        return Span(due, None, None, True, time_zone if tz else None)
    day = due.astimezone(tz).date() if tz else due.astimezone(timezone.utc).date()
    return Span(day, due, end if end is not None and end > due else None, bool(all_day), time_zone if tz else None)


def reminder_minutes(reminders: tuple[int, ...] | None, when: Span) -> tuple[int, ...]:
    """The reminders that apply: those set, else the defaults (timed) or none (all-day by date)."""
    if reminders is not None:
        return reminders
    return DEFAULT_REMINDERS if when.start is not None and not when.all_day else ()


def anchor(when: Span) -> datetime:
    """The instant reminders count back from: the start, or 09:00 local of an all-day activity's day."""
    if when.start is not None and not when.all_day:
        return when.start
    tz = zone(when.zone) if when.zone else None
    return datetime.combine(when.day, ALL_DAY_ANCHOR, tz or timezone.utc).astimezone(timezone.utc)


def before(start: datetime, minutes: int, time_zone: str | None) -> datetime:
    """``minutes`` before ``start``: whole days on the zone's wall clock, the rest as elapsed time."""
    days, rest = divmod(minutes, 1440)
    tz = zone(time_zone) if time_zone else None
    if days and tz is not None:
        wall = start.astimezone(tz).replace(tzinfo=None) - timedelta(days=days)
        start = wall.replace(tzinfo=tz).astimezone(timezone.utc)  # fold 0: the earlier of a repeated hour
    elif days:
        start -= timedelta(days=days)
    return (start - timedelta(minutes=rest)).astimezone(timezone.utc)


class Reminder(NamedTuple):
    """One reminder of one activity: ``at`` is when it fires, ``id`` names it (and its notification)."""

    id: UUID
    minutes: int
    at: datetime


def reminders(activity: UUID, when: Span | None, minutes: tuple[int, ...] | None,
              recurrence: str | None = None, near: datetime | None = None) -> list[Reminder]:
    """The activity's reminders, earliest first. The id is a function of the activity, the
    minutes and the instant it fires, so a reminder fires once however often it is scheduled,
    and a moved activity's reminders are new ones. A repeating activity's are those of its
    occurrences from a day before ``near`` to a week plus its longest reminder after (the hourly
    sweep queues the later ones in time)."""
    if when is None:
        return []
    spans = [when]
    if recurrence and near is not None:
        lead = timedelta(minutes=max(reminder_minutes(minutes, when), default=0))
        spans = occurrences(when, recurrence, (near - timedelta(days=1)).date(), (near + lead + timedelta(days=8)).date())
    out = []
    for span_ in spans:
        start = anchor(span_)
        for m in reminder_minutes(minutes, span_):
            at = before(start, m, span_.zone)
            out.append(Reminder(uuid5(_REMINDER_IDS, f"{activity}/{m}/{at.isoformat()}"), m, at))
    return sorted(out, key=lambda r: r.at)


def check_times(before: Activity | None, changes: dict[str, Any]) -> dict[str, Any]:
    """An activity's new or changed times, checked (``changes`` by the document's field names):
    a known zone, reminders in range, an end after the start. Moving a timed activity (``due``
    without ``end``) keeps its duration; moving it to a date drops its end."""
    out = dict(changes)
    if isinstance(out.get("end"), datetime):
        end = out["end"]
        out["end"] = end.replace(tzinfo=timezone.utc) if end.tzinfo is None else end.astimezone(timezone.utc)
    if out.get("timeZone") is not None:
        check_time_zone(out["timeZone"])
    if out.get("reminders") is not None:
        out["reminders"] = check_reminders(out["reminders"])
    if out.get("recurrence") is not None:
        out["recurrence"] = check_rule(out["recurrence"])
    old_due, old_end = (before.due, before.end) if before else (None, None)
    if out.get("recurrence") is not None:
        zone_name = out.get("timeZone", before.time_zone if before else None)
        check_until(out["recurrence"], span(out.get("due", old_due), None, None, zone_name))
    if "due" in out and "end" not in out and old_end is not None:
        new_due = out["due"]
        keeps = isinstance(new_due, datetime) and isinstance(old_due, datetime)
        out["end"] = new_due + (old_end - old_due) if keeps else None
    if "due" in out or "end" in out:
        check_span(out.get("due", old_due), out.get("end", old_end))
    return out


class CalendarEntry(NamedTuple):
    """An activity on the calendar, with the board (and deal) it belongs to."""

    id: UUID
    board: UUID
    board_name: str
    workspace: UUID
    type: str
    title: str
    assignee: UUID | None
    day: date  # its local day
    start: datetime | None  # a timed activity's start
    end: datetime | None
    all_day: bool
    time_zone: str | None
    location: str | None
    done: bool
    card: UUID | None
    card_title: str | None
    note: str | None
    outcome: str | None
    created_at: datetime | None
    recurrence: str | None = None  # an RRULE: this entry is one occurrence of the series
    series_due: date | datetime | None = None  # the series' own start (what a move shifts)
    cancelled: bool = False  # an occurrence taken out of its series (shown so it can be restored)
    moved_from: tuple[UUID, date] | None = None  # a single activity that replaces (series, day)
