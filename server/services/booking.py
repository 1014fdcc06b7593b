"""Booking links (issue 18 item 6, docs/booking.md): a host's settings, the public page's free slots,
and a guest's booking.

A booking is decided in one transaction that locks the host's ``booking_links`` row: it checks the
slot is still offered (against the host's timed activities and the bookings already held) and
inserts the booking, so of two guests picking one slot the second waits for the first and then
finds it taken (``Conflict``, HTTP 409). Only then, as the host, the meeting activity is written to
the chosen board (no deal: an activity may live on a board without a card) with the guest's contact
— found by e-mail in the host's workspace, or made — and both get a confirmation with an .ics
through the system mail (``Outbox``; without a relay nothing leaves, and the answer says so).

The public side says nothing about the host but their display name and zone; every public call is
counted per address first (``Throttle``), and bad input is ``InvalidBooking`` naming the field.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from server.domain.access import NotFound, require_write
from server.domain.accounts import Conflict
from server.domain.booking import MAX_SLOTS_DAYS, Booking, BookingSettings, InvalidBooking, check_settings, \
    invitation, is_free, slots
from server.domain.calendar import zone
from server.domain.throttle import Rule, Scope, key
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.contacts import Contacts
from server.services.crm import Crm
from server.services.mail import Mail, Outbox
from server.services.sequences import stop_for_meeting
from server.services.ports.unit import Begin
from server.services.throttle import Throttle

RULES = {Scope.BOOKING_ADDRESS: Rule(free=5, first_delay=60, longest=3600),
         Scope.BOOKING_SLOTS_ADDRESS: Rule(free=120, first_delay=1, longest=60)}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
# A booking holds its time by itself this long (its meeting is written and projected meanwhile); after
# that only while its meeting is still there: a meeting moved or deleted frees the booked time.
SETTLE = timedelta(minutes=10)
TAKEN = "this time was just booked by someone else: pick another time"


class Host(NamedTuple):
    """What the public page may know of a host."""

    name: str
    time_zone: str
    durations: tuple[int, ...]


class Booked(NamedTuple):
    booking: Booking
    activity: UUID
    contact: UUID
    time_zone: str  # the host's
    mailed: bool  # whether the confirmations leave the server (a relay is configured)


def _moment(field: str, raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise InvalidBooking(f"{field}: expected an ISO 8601 date-time with an offset, got {str(raw)[:40]!r}") from None
    if moment.tzinfo is None:
        raise InvalidBooking(f"{field}: expected a date-time with an offset (Z or +01:00), got {raw[:40]!r}")
    return moment.astimezone(timezone.utc)


def _text(field: str, raw: Any, longest: int, *, required: bool) -> str | None:
    value = raw.strip() if isinstance(raw, str) else None
    if not value:
        if required:
            raise InvalidBooking(f"{field}: expected some text")
        return None
    if len(value) > longest:
        raise InvalidBooking(f"{field}: expected at most {longest} characters, got {len(value)}")
    return value


def _duration(link: BookingSettings, raw: Any) -> int:
    try:
        minutes = int(raw)
    except (TypeError, ValueError):
        minutes = -1
    if isinstance(raw, bool) or minutes not in link.durations:
        raise InvalidBooking(f"duration: expected one of {', '.join(map(str, link.durations))} minutes, "
                             f"got {str(raw)[:10]!r}")
    return minutes


class BookingService:
    """Settings for the signed-in host; slots and bookings for anyone with the link."""

    def __init__(self, begin: Begin, boards: Boards, crm: Crm, contacts: Contacts, outbox: Outbox,
                 rules: dict[Scope, Rule] | None = None) -> None:
        self._begin, self._boards, self._crm, self._contacts, self._outbox = begin, boards, crm, contacts, outbox
        self._throttle = Throttle(begin, rules or RULES)

    @property
    def delivers(self) -> bool:
        return self._outbox.delivers

    # --- the host ---------------------------------------------------------------------------------

    async def settings(self, caller: Caller) -> BookingSettings | None:
        async with self._begin() as tx:
            return await tx.booking_links.of_user(caller.id)

    async def save(self, caller: Caller, board: UUID, raw: dict[str, Any]) -> BookingSettings:
        """Make or change the caller's link; meetings go to ``board``, where they must be able to edit."""
        view = await self._boards.get(caller, board)
        require_write(view.access)
        settings = check_settings(caller.id, view.board.workspace_id, board, raw)
        async with self._begin() as tx:
            if not await tx.booking_links.put(settings):
                raise Conflict(f"slug: {settings.slug!r} is taken; pick another")
        return settings

    # --- the public page --------------------------------------------------------------------------

    async def host(self, slug: str, address: str) -> Host:
        await self._throttle.attempt((Scope.BOOKING_SLOTS_ADDRESS, key(address)), refused="too many requests")
        link, name = await self._link(slug)
        return Host(name, link.time_zone, link.durations)

    async def free(self, slug: str, first: str, last: str, duration: Any, address: str,
                   now: datetime | None = None) -> tuple[int, list[datetime]]:
        """The meeting length, and the free slot starts from ``first`` to ``last`` (ISO date-times) of ``duration`` minutes."""
        await self._throttle.attempt((Scope.BOOKING_SLOTS_ADDRESS, key(address)), refused="too many requests")
        start, end = _moment("from", first), _moment("to", last)
        if not start < end <= start + timedelta(days=MAX_SLOTS_DAYS):
            raise InvalidBooking(f"to: expected a moment after from, at most {MAX_SLOTS_DAYS} days later")
        async with self._begin() as tx:
            link = await tx.booking_links.by_slug(slug)
            if link is None or not link.enabled:
                raise NotFound("no such booking page")
            length = _duration(link, duration)
            now = now or datetime.now(timezone.utc)
            busy = await tx.booking_links.busy(link.user, start - timedelta(days=1), end + timedelta(days=1),
                                               now - SETTLE)
        return length, slots(link, busy, start, end, length, now)

    async def book(self, slug: str, raw: dict[str, Any], address: str, now: datetime | None = None) -> Booked:
        await self._throttle.attempt((Scope.BOOKING_ADDRESS, key(address)), refused="too many bookings from here")
        start = _moment("start", raw.get("start"))
        name = _text("name", raw.get("name"), 200, required=True)
        email = _text("email", raw.get("email"), 254, required=True)
        if not _EMAIL.match(email or ""):
            raise InvalidBooking(f"email: expected an e-mail address, got {str(email)[:60]!r}")
        note = _text("note", raw.get("note"), 2000, required=False)
        now = now or datetime.now(timezone.utc)
        async with self._begin() as tx:
            link = await tx.booking_links.by_slug(slug, lock=True)  # one booking per host at a time
            if link is None or not link.enabled:
                raise NotFound("no such booking page")
            length = _duration(link, raw.get("duration"))
            end = start + timedelta(minutes=length)
            busy = await tx.booking_links.busy(link.user, start - timedelta(days=1), end + timedelta(days=1),
                                               now - SETTLE)
            if not is_free(link, busy, start, length, now):
                raise Conflict(TAKEN)
            booking = Booking(uuid4(), link.user, start, end, start - timedelta(minutes=link.buffer_before),
                              end + timedelta(minutes=link.buffer_after), name or "", email.lower(), note)
            if not await tx.booking_links.hold(booking, now - SETTLE):
                raise Conflict(TAKEN)
            host = await tx.users.by_id(link.user)
        if host is None:
            raise NotFound("no such booking page")
        return await self._meet(link, booking, Caller(host.id, host.email, host.name, b"", now + timedelta(minutes=5),
                                                      host.locale))

    async def _meet(self, link: BookingSettings, booking: Booking, host: Caller) -> Booked:
        """The held booking as the host's meeting activity, its contact, and both confirmations."""
        contact = await self._contact(link, booking, host)
        title = f"{booking.guest_name} · {host.name}"
        values = {"type": "meeting", "title": title, "assignee": host.id, "due": booking.start, "end": booking.end,
                  "allDay": False, "timeZone": link.time_zone, "contact": contact}
        activity = await self._crm.create_activity(host, link.board,
                                                   {**values, "note": booking.note} if booking.note else values)
        ics = invitation(booking, host.name, host.email, title, datetime.now(timezone.utc)).decode()
        when = booking.start.astimezone(zone(link.time_zone)).strftime("%Y-%m-%d %H:%M")
        async with self._begin() as tx:
            await tx.booking_links.booked(booking.id, activity.id, contact)
            await stop_for_meeting(tx, link.workspace, contact)  # a sequence to this contact has done its job
            mailed = await self._outbox.post(tx, Mail(booking.guest_email, f"Booked: {title}, {when} ({link.time_zone})",
                                                      _body(booking, host.name, link.time_zone), ics))
            await self._outbox.post(tx, Mail(host.email, f"New booking: {title}, {when} ({link.time_zone})",
                                             _body(booking, host.name, link.time_zone), ics))
        return Booked(booking, activity.id, contact, link.time_zone, mailed)

    async def _contact(self, link: BookingSettings, booking: Booking, host: Caller) -> UUID:
        async with self._begin() as tx:
            found = await tx.lookups.contacts_by_email(link.workspace, [booking.guest_email])
        if booking.guest_email in found:
            return found[booking.guest_email]
        first, _, last = booking.guest_name.partition(" ")
        made = await self._contacts.create(host, link.workspace, {
            "first_name": first[:100], "last_name": last[:100] or None, "emails": [booking.guest_email]})
        return made.id

    async def _link(self, slug: str) -> tuple[BookingSettings, str]:
        async with self._begin() as tx:
            link = await tx.booking_links.by_slug(slug)
            host = await tx.users.by_id(link.user) if link is not None else None
        if link is None or not link.enabled or host is None:
            raise NotFound("no such booking page")
        return link, host.name


def _body(booking: Booking, host: str, time_zone: str) -> str:
    start = booking.start.astimezone(zone(time_zone))
    lines = [f"{booking.guest_name} and {host} meet on {start:%A, %d %B %Y at %H:%M} ({time_zone}), "
             f"for {int((booking.end - booking.start).total_seconds() // 60)} minutes.",
             "The attached invite.ics adds it to a calendar."]
    if booking.note:
        lines += ["", booking.note]
    return "\n".join(lines)
