"""Booking links (issue 18 item 6, docs/booking.md): a host's settings, checked, and the free slots
a guest may book. Pure: no I/O.

Working hours are wall-clock minutes in the host's zone, per weekday (0 = Monday), so 09:00-17:00
stays 09:00-17:00 across a DST change; a slot is ``duration`` minutes and slots start at each
working interval's start, one ``duration`` apart. A slot is free when its time *with the host's
buffers* (``buffer_before`` before, ``buffer_after`` after) overlaps nothing busy, it starts at
least ``min_notice`` minutes from now and no more than ``window_days`` days ahead. A wall-clock
start that does not exist (the hour skipped in spring) is no slot; one that exists twice (the hour
repeated in autumn) is offered once, at its first occurrence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from icalendar import Calendar, Event, vCalAddress

from server.domain.calendar import zone

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")
DURATIONS = (5, 480)  # minutes, inclusive
MAX_BUFFER, MAX_NOTICE, MAX_WINDOW = 240, 60 * 24 * 30, 365
MAX_SLOTS_DAYS = 62  # one slots request covers at most this many days
MAX_TITLE = 120
DAYS = 7
Busy = tuple[datetime, datetime]
REQUESTED, CONFIRMED = "requested", "confirmed"


class InvalidBooking(ValueError):
    """A booking setting or request that is not what was expected (HTTP 422); names the field."""


class BookingSettings(NamedTuple):
    user: UUID
    workspace: UUID
    board: UUID
    slug: str
    enabled: bool
    time_zone: str
    durations: tuple[int, ...]
    buffer_before: int
    buffer_after: int
    min_notice: int  # minutes
    window_days: int
    hours: tuple[tuple[tuple[int, int], ...], ...]  # per weekday, (start, end) minutes after midnight
    team: UUID | None = None  # round robin over this team's members (None: the user's personal link)
    approval: bool = False  # bookings wait for the host to confirm them
    id: UUID | None = None  # the link's own id (a user has one personal link and any number of team links)
    title: str = ""  # what the public page calls it ("" : the host's name alone)


class Booking(NamedTuple):
    id: UUID
    host: UUID
    start: datetime
    end: datetime
    held_from: datetime
    held_until: datetime
    guest_name: str
    guest_email: str
    note: str | None
    link_user: UUID | None = None  # whose link it was booked on (a team link's bookings go to members)
    status: str = CONFIRMED  # or REQUESTED: waiting for the host (it holds its time meanwhile)
    activity: UUID | None = None  # the meeting it made, once confirmed
    link_id: UUID | None = None  # the link it was booked on (None: that link was deleted since)
    guest_locale: str | None = None  # the language the booking page was shown in: the guest's mails speak it


def _minutes(field: str, raw: Any, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise InvalidBooking(f"{field}: expected whole minutes from {low} to {high}, got {str(raw)[:40]!r}")
    return raw


def _clock(field: str, raw: Any) -> int:
    if not isinstance(raw, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", raw):
        raise InvalidBooking(f"{field}: expected a time HH:MM, got {str(raw)[:20]!r}")
    hh, mm = raw.split(":")
    return int(hh) * 60 + int(mm)


def check_hours(raw: Any) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Seven weekdays (Monday first), each a list of ``["09:00", "17:00"]`` in order, not overlapping."""
    if not isinstance(raw, list) or len(raw) != DAYS:
        raise InvalidBooking("hours: expected 7 lists of [start, end] times, Monday first")
    out = []
    for day, spans in enumerate(raw):
        if not isinstance(spans, list) or len(spans) > 4:
            raise InvalidBooking(f"hours[{day}]: expected at most 4 [start, end] pairs")
        checked, last = [], -1
        for span in spans:
            if not isinstance(span, list) or len(span) != 2:
                raise InvalidBooking(f"hours[{day}]: expected [start, end] pairs such as [\"09:00\", \"17:00\"]")
            start, end = _clock(f"hours[{day}]", span[0]), _clock(f"hours[{day}]", span[1])
            if end <= start or start < last:
                raise InvalidBooking(f"hours[{day}]: expected each end after its start, in order, without overlap")
            checked.append((start, end))
            last = end
        out.append(tuple(checked))
    return tuple(out)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_settings(user: UUID, workspace: UUID, board: UUID, raw: dict[str, Any],
                   link: UUID | None = None) -> BookingSettings:
    """A link's settings from the API's fields (``hours`` as HH:MM strings), each checked; ``link``:
    its id (a new one when None)."""
    slug = raw.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise InvalidBooking(f"slug: expected 3-40 of a-z, 0-9 and -, starting with a letter or digit, "
                             f"got {str(slug)[:50]!r}")
    tz = raw.get("time_zone")
    if not isinstance(tz, str) or zone(tz) is None:
        raise InvalidBooking(f"time_zone: expected an IANA time zone such as Europe/Berlin, got {str(tz)[:64]!r}")
    durations = raw.get("durations")
    if not isinstance(durations, list) or not 1 <= len(durations) <= 6:
        raise InvalidBooking("durations: expected 1 to 6 meeting lengths in minutes")
    lengths = tuple(sorted({_minutes("durations", d, *DURATIONS) for d in durations}))
    return BookingSettings(
        user=user, workspace=workspace, board=board, slug=slug, enabled=bool(raw.get("enabled", True)),
        time_zone=tz, durations=lengths,
        buffer_before=_minutes("buffer_before", raw.get("buffer_before", 0), 0, MAX_BUFFER),
        buffer_after=_minutes("buffer_after", raw.get("buffer_after", 0), 0, MAX_BUFFER),
        min_notice=_minutes("min_notice", raw.get("min_notice", 240), 0, MAX_NOTICE),
        window_days=_minutes("window_days", raw.get("window_days", 30), 1, MAX_WINDOW),
        hours=check_hours(raw.get("hours")), team=_team(raw.get("team")), approval=bool(raw.get("approval", False)),
        id=link or uuid4(), title=_title(raw.get("title")))


def _title(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str) or len(raw.strip()) > MAX_TITLE:
        raise InvalidBooking(f"title: expected at most {MAX_TITLE} characters of text, got {str(raw)[:40]!r}")
    return raw.strip()


def as_member(link: BookingSettings, own: BookingSettings | None) -> BookingSettings:
    """A team link as one member offers it: the link's lengths, buffers, notice and window, in the
    member's own working hours and zone (their personal link's), or the link's if they have none."""
    if own is None or own.id == link.id:
        return link
    return link._replace(hours=own.hours, time_zone=own.time_zone)


def _team(raw: Any) -> UUID | None:
    if raw is None or isinstance(raw, UUID):
        return raw
    try:
        return UUID(str(raw))
    except ValueError:
        raise InvalidBooking(f"team: expected a team's id or null, got {str(raw)[:40]!r}") from None


def pick_host(free: Iterable[UUID], tally: dict[UUID, tuple[int, datetime | None]]) -> UUID | None:
    """Round robin: of the members ``free`` at a time, the one with the fewest bookings from this link
    (``tally``: member -> (count, their latest booking's time)); ties go to the one booked longest
    ago (never booked first), then by id so the choice is stable."""
    never = datetime.min.replace(tzinfo=timezone.utc)
    ranked = sorted(free, key=lambda m: (tally.get(m, (0, None))[0], tally.get(m, (0, None))[1] or never, str(m)))
    return ranked[0] if ranked else None


def _local(day: date, minutes: int, tz: Any) -> datetime | None:
    """The moment ``minutes`` after midnight on ``day`` in ``tz``; None if the wall clock skips it."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    moment = wall.replace(tzinfo=tz)
    if moment.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != wall:
        return None  # in the gap of a spring-forward change
    return moment.astimezone(timezone.utc)


class _Blocked:
    """Busy spans merged into disjoint ones, ordered: an overlap test is one bisection."""

    def __init__(self, busy: Iterable[Busy]) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted(busy):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        last = bisect_left(self._starts, end) - 1  # the last span starting before ``end``
        return last >= 0 and self._ends[last] > start


def slots(settings: BookingSettings, busy: Iterable[Busy], first: datetime, last: datetime, duration: int,
          now: datetime) -> list[datetime]:
    """Starts (UTC) of the free ``duration``-minute slots from ``first`` up to ``last``."""
    tz = zone(settings.time_zone)
    blocked = _Blocked(busy)
    length = timedelta(minutes=duration)
    before, after = timedelta(minutes=settings.buffer_before), timedelta(minutes=settings.buffer_after)
    earliest = max(first, now + timedelta(minutes=settings.min_notice))
    latest = min(last, now + timedelta(days=settings.window_days))
    out: list[datetime] = []
    day = earliest.astimezone(tz).date() - timedelta(days=1)
    while day <= latest.astimezone(tz).date():
        for begin, end in settings.hours[day.weekday()]:
            for minute in range(begin, end - duration + 1, duration):
                start = _local(day, minute, tz)
                if start is None or not earliest <= start < latest:
                    continue
                if not blocked.overlaps(start - before, start + length + after):
                    out.append(start)
        day += timedelta(days=1)
    return out


def is_free(settings: BookingSettings, busy: Iterable[Busy], start: datetime, duration: int,
            now: datetime) -> bool:
    """Whether ``start`` is one of the slots offered right now."""
    return start in slots(settings, busy, start, start + timedelta(seconds=1), duration, now)


def invitation(booking: Booking, host_name: str, host_email: str, title: str, stamp: datetime) -> bytes:
    """The .ics attached to both confirmations: one VEVENT (METHOD:PUBLISH), the host organising."""
    cal = Calendar()
    cal.add("prodid", "-//Tandem//Tandem CRM booking//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    ev = Event()
    ev.add("uid", f"{booking.id}@tandem")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", booking.start)
    ev.add("dtend", booking.end)
    ev.add("summary", title)
    organizer = vCalAddress(f"mailto:{host_email}")
    organizer.params["cn"] = host_name
    ev.add("organizer", organizer)
    guest = vCalAddress(f"mailto:{booking.guest_email}")
    guest.params["cn"] = booking.guest_name
    ev.add("attendee", guest)
    if booking.note:
        ev.add("description", booking.note)
    cal.add_component(ev)
    return cal.to_ical()
