"""A user's activities as an iCalendar feed (RFC 5545, issue 18): one VEVENT per activity.

UIDs are the activity's id (stable across edits and moves, so subscribed calendars update the
event instead of adding one); a timed activity's DTSTART/DTEND carry its zone's TZID, with the
VTIMEZONE the ``icalendar`` library derives from the zone database, or UTC without a zone; an
all-day one is a DATE (DTEND the next day, exclusive). A timed activity without an end lasts
30 minutes. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event, vRecur

from server.domain.calendar import CalendarEntry, zone

DEFAULT_LENGTH = timedelta(minutes=30)
PRODUCT = "-//Tandem//Tandem CRM calendar//EN"


def event(entry: CalendarEntry, stamp: datetime) -> Event:
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
        ev.add("rrule", vRecur.from_ical(entry.recurrence))  # repeats on the wall clock of DTSTART's TZID
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


def feed(name: str, entries: Iterable[CalendarEntry], stamp: datetime) -> bytes:
    """The VCALENDAR of ``entries``, named ``name`` in calendar apps."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(event(entry, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()
