"""CalDAV two-way sync (issue 18 item 5): activities as VEVENTs and back, and what one sync does.

One calendar per user. Out: each activity assigned to the user with a due day or time is one
VEVENT whose UID is the activity's id, at ``<calendar>/<id>.ics`` (DTSTART/DTEND in its zone, all-day
as DATEs, RRULE, LOCATION, DESCRIPTION = the notes). In: an event made on the server becomes a
meeting activity on the user's chosen board, its id derived from the user and the UID (``uuid5``),
so reading it twice can never make two.

``plan`` decides per event from three facts: changed in Tandem since the last sync (its
``digest`` differs from the one stored), changed on the server (its etag differs), gone on either
side. Changed on both: the later writer wins — the later of the server's LAST-MODIFIED and DTSTAMP
against the time Tandem's projection last saw the activity change (``changed_at``); a tie goes to
Tandem. An edit beats a deletion on the other side (the event comes back). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from collections.abc import Collection
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from uuid import UUID, uuid5

from icalendar import Calendar, Event, vCalAddress, vRecur

from server.domain.accounts import InvalidInput
from server.domain.calendar import Span, rule, zone
from server.domain.ical import DEFAULT_LENGTH, PRODUCT
from server.domain.series import exdates, ical_rule, tandem_rule

_IDS = UUID("8d3c5f0e-6b1a-4f7c-9e2d-1a4b7c0d9e31")
MAX_TEXT = 10_000


class CalendarRefused(InvalidInput):
    """The calendar could not be reached or refused us; the message says why, in words."""


class Remote(NamedTuple):
    """One event resource on the server."""

    href: str  # its path on the server
    etag: str | None
    ical: bytes


class Changes(NamedTuple):
    """What changed on the server since a sync-token (RFC 6578)."""

    token: str
    changed: dict[str, str | None]  # href -> etag
    deleted: list[str]


class Local(NamedTuple):
    """An activity of the user as the projection holds it."""

    id: UUID
    board: UUID
    title: str
    due_date: date | None
    starts_at: datetime | None
    ends_at: datetime | None
    all_day: bool
    time_zone: str | None
    location: str | None
    note: str | None
    recurrence: str | None
    done: bool
    changed_at: datetime | None
    exceptions: frozenset[date] = frozenset()  # a series' cancelled and moved days (SeriesExceptions)
    attendees: tuple[str, ...] = ()  # the e-mail addresses of its attendees (users and contacts)


class Item(NamedTuple):
    """An event both sides know, as of the last sync."""

    href: str
    activity: UUID
    board: UUID
    etag: str | None
    digest: str
    remote_stamp: datetime | None
    ical: str


class Link(NamedTuple):
    """A user's connected calendar, and how its syncs went."""

    user: UUID
    workspace: UUID
    board: UUID
    url: str
    username: str
    secret: bytes
    sync_token: str | None = None
    created_at: datetime | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    pushed: int = 0  # the last successful run's counts
    pulled: int = 0
    removed: int = 0
    linked: int = 0  # events both sides know after it


class Counts(NamedTuple):
    pushed: int = 0  # written to the server (new or changed)
    pulled: int = 0  # written to Tandem (new or changed)
    removed: int = 0  # deleted on either side


def check_url(url: str) -> str:
    """The calendar collection's URL: http(s), a host, no credentials in it; ends with ``/``."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise InvalidInput(f"url: expected the calendar's http(s) address, got {url[:80]!r}")
    if parts.username or parts.password:
        raise InvalidInput("url: expected the address without a user name or password in it")
    if parts.query or parts.fragment:
        raise InvalidInput("url: expected the address without ?query or #fragment")
    return url if url.endswith("/") else url + "/"


def activity_id(user: UUID, uid: str) -> UUID:
    """The activity an event made on the server becomes: its own UID if that is one of the user's
    activities (the caller checks), else a name-based id — the same on every read."""
    return uuid5(_IDS, f"{user}:{uid}")


def href_of(collection_path: str, activity: UUID) -> str:
    return f"{collection_path.rstrip('/')}/{activity}.ics"


# --- the fields both sides hold --------------------------------------------------------------------

class Fields(NamedTuple):
    """What the sync carries, in one form for both sides (the digest is of this)."""

    title: str
    day: date | None  # all-day: the day
    start: datetime | None  # timed: start and end in UTC
    end: datetime | None
    time_zone: str | None
    location: str | None
    note: str | None
    recurrence: str | None
    exdays: tuple[date, ...] = ()  # a series' days without their occurrence (sorted, local days)
    attendees: tuple[str, ...] = ()  # lower-cased addresses Tandem maps to a user or contact (sorted)


_UTC_NAMES = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z"}


def _zone_name(name: str | None) -> str | None:
    """A zone worth naming: UTC is the default on both sides, so it is None."""
    return None if not name or name in _UTC_NAMES else name


def _canonical_rule(text: str | None) -> str | None:
    """The rule with its parts in the order a VEVENT's RRULE comes back in (FREQ, UNTIL, COUNT…),
    so an unchanged series has the same digest on both sides."""
    return vRecur.from_ical(text).to_ical().decode() if text else text


def local_fields(a: Local) -> Fields:
    exdays = tuple(sorted(a.exceptions)) if a.recurrence else ()
    attendees = tuple(sorted({e.lower() for e in a.attendees}))
    if a.starts_at is not None and not a.all_day:
        start = a.starts_at.astimezone(timezone.utc)
        end = (a.ends_at or a.starts_at + DEFAULT_LENGTH).astimezone(timezone.utc)
        return Fields(a.title, None, start, end, _zone_name(a.time_zone), a.location or None, a.note or None,
                      _canonical_rule(a.recurrence), exdays, attendees)
    return Fields(a.title, a.due_date, None, None, None, a.location or None, a.note or None,
                  _canonical_rule(a.recurrence), exdays, attendees)


def digest(f: Fields) -> str:
    """The fields' fingerprint. Exception days and attendees count only when there are some, so
    the digests stored before they were synced stay those of the same fields."""
    text = "\x1f".join("" if v is None else v.isoformat() if isinstance(v, (date, datetime)) else str(v)
                        for v in f[:8])
    if f.exdays:
        text += "\x1eexdays:" + ",".join(d.isoformat() for d in sorted(f.exdays))
    if f.attendees:
        text += "\x1eattendees:" + ",".join(sorted(f.attendees))
    return hashlib.sha256(text.encode()).hexdigest()


def local_day(value: date | datetime, zone_name: str | None) -> date:
    """The local day (in the series' zone, or UTC) of an EXDATE or RECURRENCE-ID value; a floating
    time is read on the series' wall clock."""
    if not isinstance(value, datetime):
        return value
    tz = (zone(zone_name) if zone_name else None) or timezone.utc
    return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(tz).date()


def values_of(f: Fields, user: UUID) -> dict[str, Any]:
    """The activity values (as ``Crm.create_activity`` takes them) of an event's fields."""
    if f.start is not None:
        timed: dict[str, Any] = {"due": f.start, "end": f.end, "allDay": False, "timeZone": f.time_zone}
    else:
        timed = {"due": f.day, "end": None, "allDay": True, "timeZone": None}
    return {"title": f.title, **timed, "location": f.location, "note": f.note, "recurrence": f.recurrence,
            "assignee": user}


# --- VEVENT out and in -------------------------------------------------------------------------------

def event_text(activity: UUID, f: Fields, stamp: datetime, keep: str | None = None,
               known: Collection[str] = ()) -> bytes:
    """The VCALENDAR of one activity. ``keep``: the server's last text of the event — it is changed
    in place, so what Tandem does not hold (its UID, alarms, categories, attendees Tandem cannot
    name) stays, and so do its overridden occurrences (RECURRENCE-ID) on days Tandem has no
    exception for, while the rule and start are unchanged. The series' exceptions (``f.exdays``:
    cancelled and moved days) are its EXDATEs — a moved occurrence is its own activity, so its
    own event. ``f.attendees`` are ATTENDEEs; one of the old text's ATTENDEEs whose address is in
    ``known`` (Tandem maps it to a user or contact) but not in ``f.attendees`` was removed here."""
    old = _master(keep) if keep else None
    if old is None:
        cal = Calendar()
        cal.add("prodid", PRODUCT)
        cal.add("version", "2.0")
        ev = Event()
        ev.add("uid", str(activity))
        cal.add_component(ev)
    else:
        cal, ev = old[2], old[0]
        before = parse_event(keep or b"")
        same = before is not None and (before.fields.recurrence, before.fields.start, before.fields.day) == (
            f.recurrence, f.start, f.day)
        for name in ("dtstamp", "last-modified", "summary", "dtstart", "dtend", "duration", "rrule", "location",
                     "description", "sequence", "exdate"):
            ev.pop(name, None)
        if not same:
            ev.pop("rdate", None)
        gone = [c for c in old[1] if not same or local_day(c.decoded("recurrence-id"), f.time_zone) in f.exdays]
        cal.subcomponents = [c for c in cal.subcomponents if not any(c is g for g in gone)]
        wanted, drop = set(f.attendees), set(known) - set(f.attendees)
        kept = [a for a in _as_list(ev.pop("attendee", None)) if _address(a) not in drop]
        for a in kept:
            ev.add("attendee", a)
        have = {_address(a) for a in kept}
        for address in sorted(wanted - have):
            ev.add("attendee", vCalAddress(f"mailto:{address}"))
    if old is None:
        for address in f.attendees:
            ev.add("attendee", vCalAddress(f"mailto:{address}"))
    ev.add("dtstamp", stamp)
    ev.add("last-modified", stamp)
    ev.add("summary", f.title)
    if f.start is not None:
        tz = (zone(f.time_zone) if f.time_zone else None) or timezone.utc
        ev.add("dtstart", f.start.astimezone(tz))
        ev.add("dtend", (f.end or f.start + DEFAULT_LENGTH).astimezone(tz))
    else:
        assert f.day is not None
        ev.add("dtstart", f.day)
        ev.add("dtend", f.day + timedelta(days=1))
    if f.recurrence:
        series = Span(f.day or date.min, f.start, f.end, f.start is None, f.time_zone)
        ev.add("rrule", vRecur.from_ical(ical_rule(f.recurrence, series)))
        if f.exdays:
            for value in exdates(series, f.exdays):
                ev.add("exdate", value)
    if f.location:
        ev.add("location", f.location)
    if f.note:
        ev.add("description", f.note)
    cal.add_missing_timezones()
    return cal.to_ical()


class Incoming(NamedTuple):
    uid: str
    fields: Fields  # ``exdays``: the EXDATEs' local days; ``attendees``: every ATTENDEE address
    stamp: datetime | None  # the later of LAST-MODIFIED and DTSTAMP
    exceptions: int  # EXDATE values and overridden occurrences
    overrides: tuple[tuple[date, Fields | None], ...] = ()  # overridden occurrences by local day (None: cancelled)


def parse_event(text: bytes | str) -> Incoming | None:
    """The master VEVENT of a calendar object resource; None if it holds none (a VTODO, a
    VJOURNAL) or is not iCalendar. A rule Tandem does not repeat (hourly and finer) is dropped:
    the activity is the first occurrence."""
    found = _master(text)
    if found is None:
        return None
    ev, overrides, _ = found
    uid = str(ev.get("uid") or "").strip()
    fields = _fields(ev) if uid else None
    if fields is None:
        return None
    recurrence = _rrule_text(ev)
    if recurrence is not None:
        series = Span(fields.day or date.min, fields.start, fields.end, fields.start is None, fields.time_zone)
        recurrence = tandem_rule(recurrence, series)
    if recurrence is not None and rule(recurrence) is None:
        recurrence = None
    days: set[date] = set()
    for prop in _as_list(ev.get("exdate")):
        days |= {local_day(v.dt, fields.time_zone) for v in prop.dts}
    moved = []
    if recurrence:
        for o in overrides:
            day = local_day(o.decoded("recurrence-id"), fields.time_zone)
            cancelled = str(o.get("status") or "").upper() == "CANCELLED"
            moved.append((day, None if cancelled else _fields(o, fallback=fields)))
    fields = fields._replace(recurrence=recurrence, exdays=tuple(sorted(days)) if recurrence else ())
    # Both say when the event was last revised (RFC 5545 3.8.7.2: DTSTAMP too, without METHOD);
    # some apps update only one of them: the later counts.
    stamps = [_utc(v) for v in (ev.decoded("last-modified", None), ev.decoded("dtstamp", None))
              if isinstance(v, datetime)]
    stamp = max(stamps) if stamps else None
    exdates_count = sum(len(v.dts) for v in _as_list(ev.get("exdate")))
    return Incoming(uid, fields, stamp, exdates_count + len(overrides), tuple(sorted(moved, key=lambda m: m[0])))


def _fields(ev: Any, fallback: Fields | None = None) -> Fields | None:
    """The synced fields of one VEVENT (an override's missing ones from its series, ``fallback``)."""
    start = ev.decoded("dtstart", None)
    if start is None:
        return None
    title = str(ev.get("summary") or "").strip()[:200] or (fallback.title if fallback else "(no title)")
    location = str(ev.get("location") or "").strip()[:500] or (fallback.location if fallback else None)
    note = str(ev.get("description") or "").strip()[:MAX_TEXT] or (fallback.note if fallback else None)
    attendees = tuple(sorted({a for a in map(_address, _as_list(ev.get("attendee"))) if a}))
    if isinstance(start, datetime):
        tz_name = _tz_name(ev.get("dtstart"))
        start_utc = _utc(start)
        end = ev.decoded("dtend", None)
        if isinstance(end, datetime):
            end_utc = _utc(end)
        else:
            duration = ev.decoded("duration", None)
            if isinstance(duration, timedelta):
                end_utc = start_utc + duration
            elif fallback is not None and fallback.start is not None and fallback.end is not None:
                end_utc = start_utc + (fallback.end - fallback.start)
            else:
                end_utc = start_utc + DEFAULT_LENGTH
        if end_utc <= start_utc:
            end_utc = start_utc + DEFAULT_LENGTH
        return Fields(title, None, start_utc, end_utc, tz_name, location, note, _rrule_text(ev), (), attendees)
    return Fields(title, start, None, None, None, location, note, _rrule_text(ev), (), attendees)


def _address(value: Any) -> str:
    """The lower-cased e-mail address of an ATTENDEE (``mailto:`` value); empty if it is none."""
    text = str(value or "").strip()
    if text[:7].lower() != "mailto:":
        return ""
    address = text[7:].strip().lower()
    return address if "@" in address and len(address) <= 320 else ""


def _master(text: bytes | str) -> tuple[Any, list[Any], Calendar] | None:
    """(the master VEVENT, its overridden occurrences, the calendar) of an object resource."""
    try:
        cal = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError):
        return None
    events = [c for c in cal.walk("VEVENT")]
    masters = [e for e in events if e.get("recurrence-id") is None]
    if not masters:
        return None
    return masters[0], [e for e in events if e.get("recurrence-id") is not None], cal


def _rrule_text(ev: Any) -> str | None:
    value = ev.get("rrule")
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    return value.to_ical().decode()


def _tz_name(prop: Any) -> str | None:
    tzid = prop.params.get("TZID") if prop is not None else None
    if tzid and zone(str(tzid)) is not None:
        return _zone_name(str(tzid))
    dt = getattr(prop, "dt", None)
    key = getattr(getattr(dt, "tzinfo", None), "key", None)
    return _zone_name(key) if key and zone(key) is not None else None


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


# --- the plan of one sync ----------------------------------------------------------------------------

class Step(StrEnum):
    PUSH = "push"  # write the Tandem activity to the server
    PULL = "pull"  # write the server's event to Tandem
    DELETE_REMOTE = "delete_remote"
    DELETE_LOCAL = "delete_local"
    FORGET = "forget"  # gone on both sides: drop the item
    KEEP = "keep"


def decide(*, local: Local | None, local_digest: str | None, item: Item | None, remote_changed: bool,
           remote_gone: bool, remote_stamp: datetime | None) -> Step:
    """One event's step. ``local``: the activity (None: gone or no longer the user's);
    ``item``: the event as of the last sync (None: new on one side)."""
    if item is None:
        if local is not None:
            return Step.PUSH
        return Step.PULL if not remote_gone else Step.KEEP
    local_changed = local is not None and local_digest != item.digest
    if local is None:
        if remote_gone:
            return Step.FORGET
        return Step.PULL if remote_changed else Step.DELETE_REMOTE  # an edit on the server beats the delete
    if remote_gone:
        return Step.PUSH if local_changed else Step.DELETE_LOCAL  # an edit in Tandem beats the delete
    if local_changed and remote_changed:
        theirs = remote_stamp or datetime.min.replace(tzinfo=timezone.utc)
        ours = local.changed_at or datetime.min.replace(tzinfo=timezone.utc)
        return Step.PULL if theirs > ours else Step.PUSH
    if local_changed:
        return Step.PUSH
    if remote_changed:
        return Step.PULL
    return Step.KEEP
