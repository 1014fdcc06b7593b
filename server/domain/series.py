"""Exceptions to a repeating activity (issue 18): one occurrence cancelled, or moved.

An occurrence is named by its **local day** in the series' zone: rules repeat at most daily
(``server.domain.calendar``), so a day names one occurrence, and it stays the same day across a
DST switch — the 10:00 Berlin stand-up on the Monday after the spring switch is "that Monday",
whether it is 09:00 or 08:00 UTC. Cancelling one adds its day to the series' exceptions (iCalendar
EXDATE); moving one is cancelling it plus a new single activity at the new time (an overriding
instance), so the series itself never changes. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timezone
from typing import Any

from server.domain.accounts import InvalidInput
from server.domain.calendar import Span, occurrences, span, zone
from server.domain.crm import Activity

MAX_EXCEPTIONS = 500  # of one series


def occurrence(activity: Activity, day: date) -> Span:
    """The occurrence of the repeating ``activity`` on local ``day``; ``InvalidInput`` naming the
    day if the series has none that day (or does not repeat)."""
    when = span(activity.due, activity.end, activity.all_day, activity.time_zone)
    if when is None or not activity.recurrence:
        raise InvalidInput("expected a repeating activity (with a start and a recurrence)")
    found = occurrences(when, activity.recurrence, day, day)
    if not found:
        raise InvalidInput(f"day: the series has no occurrence on {day.isoformat()}")
    return found[0]


def skip(spans: Iterable[Any], days: Collection[date]) -> list[Any]:
    """``spans`` (anything with a ``day``) without those on ``days``."""
    return [s for s in spans if s.day not in days]


def exdates(series: Span, days: Iterable[date]) -> list[date | datetime]:
    """The EXDATE values of ``days`` for a series starting as ``series``: the date of an all-day
    series, else the occurrence's start on the series' wall clock (in its zone, or UTC)."""
    tz = zone(series.zone) if series.zone else timezone.utc
    out: list[date | datetime] = []
    for day in sorted(days):
        if series.start is None or series.all_day:
            out.append(day)
            continue
        wall = series.start.astimezone(tz).time().replace(tzinfo=None)
        out.append(datetime.combine(day, wall).replace(tzinfo=tz))
    return out


def moved_values(activity: Activity, start: date | datetime, end: datetime | None) -> dict[str, Any]:
    """The new single activity that replaces one occurrence moved to ``start`` (``end``: its end;
    None keeps the occurrence's length): the series' fields without its rule."""
    if isinstance(start, datetime) and start.tzinfo is None:
        raise InvalidInput("due: expected a date or a date-time with a zone offset")
    if end is None and isinstance(start, datetime) and isinstance(activity.due, datetime) and activity.end:
        end = start + (activity.end - activity.due)
    values: dict[str, Any] = {"type": str(activity.type), "title": activity.title, "assignee": activity.assignee,
                              "due": start, "end": end, "card": activity.card, "note": activity.note,
                              "timeZone": activity.time_zone, "location": activity.location,
                              "allDay": activity.all_day if isinstance(start, datetime) else None,
                              "reminders": list(activity.reminders) if activity.reminders is not None else None}
    return {k: v for k, v in values.items() if v is not None}


def parse_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"day: expected a date YYYY-MM-DD, got {raw[:20]!r}") from None


