"""A user's activities as an iCalendar feed (RFC 5545, issue 18): one VEVENT per activity.

UIDs are the activity's id (stable across edits and moves, so subscribed calendars update the
event instead of adding one); a timed activity's DTSTART/DTEND carry its zone's TZID, with the
VTIMEZONE the ``icalendar`` library derives from the zone database, or UTC without a zone; an
all-day one is a DATE (DTEND the next day, exclusive). A timed activity without an end lasts
30 minutes. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from icalendar import Calendar, Event, vRecur

from server.domain.calendar import CalendarEntry, Span, zone
from server.domain.series import exdates, ical_rule

DEFAULT_LENGTH = timedelta(minutes=30)
PRODUCT = "-//Tandem//Tandem CRM calendar//EN"


def event(entry: CalendarEntry, stamp: datetime, skipped: Collection[date] = ()) -> Event:
    """``skipped``: the local days of a series' cancelled or moved occurrences (EXDATE)."""
    ev = Event()
    ev.add("uid", f"{entry.id}@tandem")
    ev.add("dtstamp", stamp)
    ev.add("summary", entry.title)
    if entry.start is not None and not entry.all_day:
        tz = (zone(entry.time_zone) if entry.time_zone else None) or timezone.utc
        ev.add("dtstart", entry.start.astimezone(tz))
        ev.add("dtend", (entry.end or entry.start + DEFAULT_LENGTH).astimezone(tz))
    else:
        ev.add("dtstart", entry.day)
        ev.add("dtend", entry.day + timedelta(days=1))
    if entry.recurrence:
        series = Span(entry.day, entry.start, entry.end, entry.all_day, entry.time_zone)
        # repeats on the wall clock of DTSTART's TZID; UNTIL in DTSTART's form
        ev.add("rrule", vRecur.from_ical(ical_rule(entry.recurrence, series)))
        for value in exdates(series, skipped):  # in DTSTART's form and zone, as RFC 5545 asks
            ev.add("exdate", value)
    if entry.location:
        ev.add("location", entry.location)
    about = [line for line in (entry.card_title and f"{entry.board_name} · {entry.card_title}", entry.note,
                               entry.outcome) if line]
    if about:
        ev.add("description", "\n\n".join(about))
    ev.add("categories", [entry.type])
    if entry.done:
        ev.add("x-tandem-done", "TRUE")  # VEVENT has no "completed" status; a task done stays an event
    return ev


def feed(name: str, entries: Iterable[CalendarEntry], stamp: datetime,
         skipped: Mapping[tuple[UUID, UUID], Collection[date]] | None = None) -> bytes:
    """The VCALENDAR of ``entries``, named ``name`` in calendar apps; ``skipped``: each series'
    exception days by (board, activity)."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(event(entry, stamp, (skipped or {}).get((entry.board, entry.id), ())))
    cal.add_missing_timezones()
    return cal.to_ical()
