"""Exceptions to a repeating activity (issue 18): one occurrence cancelled, or moved.

An occurrence is named by its **local day** in the series' zone: rules repeat at most daily
(``server.domain.calendar``), so a day names one occurrence, and it stays the same day across a
DST switch — the 10:00 Berlin stand-up on the Monday after the spring switch is "that Monday",
whether it is 09:00 or 08:00 UTC. Cancelling one adds its day to the series' exceptions (iCalendar
EXDATE); moving one is cancelling it plus a new single activity at the new time (an overriding
instance), so the series itself never changes; restoring one takes the day off the exceptions
(and deletes the activity that replaced it). A series' end (``COUNT`` or the last local day
``UNTIL``) is written out in RFC 5545's form and read back in Tandem's (``ical_rule``,
``tandem_rule``). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from server.domain.accounts import InvalidInput
from server.domain.calendar import Span, occurrences, series_end, span, zone
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




def ical_rule(recurrence: str, series: Span) -> str:
    """The RRULE value to write out: Tandem keeps ``UNTIL`` as the last local day, RFC 5545 wants
    it in DTSTART's form — a DATE for an all-day series, else the last occurrence's start in UTC."""
    until = series_end(recurrence)[1]
    if until is None or series.start is None or series.all_day:
        return recurrence
    last = exdates(series, [until])[0]
    assert isinstance(last, datetime)
    stamp = last.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return ";".join(f"UNTIL={stamp}" if p.startswith("UNTIL=") else p for p in recurrence.split(";"))


def tandem_rule(recurrence: str, series: Span) -> str:
    """An RRULE value read from another calendar in Tandem's form: ``UNTIL`` (a DATE, a UTC or a
    floating time) becomes the local day of the last occurrence it allows in the series' zone."""
    parts = recurrence.split(";")
    raw = next((p[6:] for p in parts if p.upper().startswith("UNTIL=")), None)
    if raw is None or len(raw) == 8:
        return recurrence
    try:
        moment = datetime.strptime(raw.upper().rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        return recurrence  # not a time: the rule check refuses it
    tz = zone(series.zone) if series.zone else timezone.utc
    local = moment.replace(tzinfo=timezone.utc).astimezone(tz) if raw.upper().endswith("Z") else moment.replace(tzinfo=tz)
    day, timed = local.date(), series.start is not None and not series.all_day
    if timed and series.start is not None and local.time() < series.start.astimezone(tz).time():
        day -= timedelta(days=1)  # UNTIL before that day's occurrence: the one before is the last
    return ";".join(f"UNTIL={day:%Y%m%d}" if p.upper().startswith("UNTIL=") else p for p in parts)
