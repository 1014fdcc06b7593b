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

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from server.domain.access import Forbidden, NotFound, require_write
from server.domain.accounts import LOCALES, Conflict, spoken_locale
from server.domain.booking import CONFIRMED, MAX_SLOTS_DAYS, REQUESTED, Booking, BookingSettings, InvalidBooking, \
    as_member, check_settings, invitation, is_free, pick_host, slots
from server.domain.calendar import zone
from server.domain.notifications import NewNotification
from server.domain.throttle import Rule, Scope, key
from server.services.accounts import Caller
from server.services.boards import Boards
from server.services.contacts import Contacts
from server.services.crm import Crm
from server.services.booking_mail import booking_mail, public
from server.services.mail import Outbox
from server.services.notify import deliver
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
    title: str = ""


class Booked(NamedTuple):
    booking: Booking
    activity: UUID | None  # None while it waits for the host's approval
    contact: UUID | None
    time_zone: str  # the host's
    mailed: bool  # whether the confirmations leave the server (a relay is configured)
    token: str = ""  # the guest's manage link's secret part: ``<booking id>.<secret>``
    host_name: str = ""


class Managed(NamedTuple):
    """What a guest's manage link shows: their booking, its host's name, zone and the link's lengths."""

    booking: Booking
    host_name: str
    time_zone: str
    durations: tuple[int, ...]
    slug: str


def _hash(secret: str) -> bytes:
    return hashlib.sha256(b"tandem booking guest\0" + secret.encode()).digest()


def _parse_token(token: str) -> tuple[UUID, str] | None:
    ident, _, secret = (token or "").partition(".")
    try:
        return UUID(ident), secret
    except ValueError:
        return None


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
                 rules: dict[Scope, Rule] | None = None, public_url: str = "") -> None:
        self._begin, self._boards, self._crm, self._contacts, self._outbox = begin, boards, crm, contacts, outbox
        self._public_url = public_url.rstrip("/")
        self._throttle = Throttle(begin, rules or RULES)

    @property
    def delivers(self) -> bool:
        return self._outbox.delivers

    # --- the host ---------------------------------------------------------------------------------

    async def settings(self, caller: Caller) -> BookingSettings | None:
        """The caller's personal link."""
        async with self._begin() as tx:
            return await tx.booking_links.of_user(caller.id)

    async def links(self, caller: Caller) -> list[BookingSettings]:
        """All the caller's links: the personal one first, then team links by title."""
        async with self._begin() as tx:
            return await tx.booking_links.links_of(caller.id)

    async def save(self, caller: Caller, board: UUID, raw: dict[str, Any]) -> BookingSettings:
        """Make or change the caller's personal link; meetings go to ``board``, where they must be able to edit."""
        if raw.get("team") is not None:
            raise InvalidBooking("team: expected null here; a team link is made with POST /api/me/booking/links")
        async with self._begin() as tx:
            personal = await tx.booking_links.of_user(caller.id)
        return await self._store(caller, board, raw, personal.id if personal else None)

    async def create_link(self, caller: Caller, board: UUID, raw: dict[str, Any]) -> BookingSettings:
        """A new link: personal (``team`` null; one per user) or round robin over a team."""
        return await self._store(caller, board, raw, None)

    async def update_link(self, caller: Caller, link: UUID, board: UUID, raw: dict[str, Any]) -> BookingSettings:
        async with self._begin() as tx:
            found = await tx.booking_links.by_id(link)
        if found is None or found.user != caller.id:
            raise NotFound("no such booking link of yours")
        return await self._store(caller, board, raw, link)

    async def delete_link(self, caller: Caller, link: UUID) -> None:
        """Delete one of the caller's links; the bookings it made stay (their meetings too)."""
        async with self._begin() as tx:
            if not await tx.booking_links.remove(link, caller.id):
                raise NotFound("no such booking link of yours")

    async def _store(self, caller: Caller, board: UUID, raw: dict[str, Any], link: UUID | None) -> BookingSettings:
        view = await self._boards.get(caller, board)
        require_write(view.access)
        settings = check_settings(caller.id, view.board.workspace_id, board, raw, link)
        async with self._begin() as tx:
            if settings.team is not None and not await tx.booking_links.members(settings.team, settings.workspace):
                raise NotFound("team: no such team with members in this board's workspace")
            personal = await tx.booking_links.of_user(caller.id) if settings.team is None else None
            if personal is not None and personal.id != settings.id:
                raise Conflict("team: you have a personal link already; edit it, or pick a team for this one")
            if not await tx.booking_links.put(settings):
                raise Conflict(f"slug: {settings.slug!r} is taken; pick another")
        return settings

    # --- the public page --------------------------------------------------------------------------

    async def host(self, slug: str, address: str) -> Host:
        await self._throttle.attempt((Scope.BOOKING_SLOTS_ADDRESS, key(address)), refused="too many requests")
        link, name = await self._link(slug)
        return Host(name, link.time_zone, link.durations, link.title)

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
            found: set[datetime] = set()
            for host, offer in (await self._hosts(tx, link)).items():  # a team link: the union of its members' free times
                busy = await tx.booking_links.busy(host, start - timedelta(days=1), end + timedelta(days=1),
                                                   now - SETTLE)
                found.update(slots(offer, busy, start, end, length, now))
        return length, sorted(found)

    @staticmethod
    async def _hosts(tx: Any, link: BookingSettings) -> dict[UUID, BookingSettings]:
        """Who a link books, each with the link as they offer it (a team member: in their own hours)."""
        if link.team is None:
            return {link.user: link}
        members = await tx.booking_links.members(link.team, link.workspace)
        return {m: as_member(link, await tx.booking_links.of_user(m)) for m in members}

    @staticmethod
    async def _link_of(tx: Any, booking: Booking) -> BookingSettings | None:
        """The link a booking was made on, as its host offers it (its host's personal link if that
        link was deleted since)."""
        link = await tx.booking_links.by_id(booking.link_id) if booking.link_id else None
        own = await tx.booking_links.of_user(booking.host)
        return as_member(link, own) if link is not None and link.team is not None else (link or own)

    async def book(self, slug: str, raw: dict[str, Any], address: str, now: datetime | None = None) -> Booked:
        await self._throttle.attempt((Scope.BOOKING_ADDRESS, key(address)), refused="too many bookings from here")
        start = _moment("start", raw.get("start"))
        name = _text("name", raw.get("name"), 200, required=True)
        email = _text("email", raw.get("email"), 254, required=True)
        if not _EMAIL.match(email or ""):
            raise InvalidBooking(f"email: expected an e-mail address, got {str(email)[:60]!r}")
        note = _text("note", raw.get("note"), 2000, required=False)
        locale = _guest_locale(raw)
        now = now or datetime.now(timezone.utc)
        async with self._begin() as tx:
            link = await tx.booking_links.by_slug(slug, lock=True)  # one booking per host at a time
            if link is None or not link.enabled:
                raise NotFound("no such booking page")
            length = _duration(link, raw.get("duration"))
            end = start + timedelta(minutes=length)
            hosts = await self._hosts(tx, link)
            await tx.booking_links.lock_hosts(list(hosts))  # their own links and other team links book them too
            free = []
            for host_id, offer in hosts.items():
                busy = await tx.booking_links.busy(host_id, start - timedelta(days=1), end + timedelta(days=1),
                                                   now - SETTLE)
                if is_free(offer, busy, start, length, now):
                    free.append(host_id)
            chosen = pick_host(free, await tx.booking_links.tally(link.id) if len(free) > 1 else {})
            if chosen is None:
                raise Conflict(TAKEN)
            link = hosts[chosen]  # from here on, the link as the chosen member offers it (their zone)
            booking = Booking(uuid4(), chosen, start, end, start - timedelta(minutes=link.buffer_before),
                              end + timedelta(minutes=link.buffer_after), name or "", email.lower(), note,
                              link.user, REQUESTED if link.approval else CONFIRMED, link_id=link.id,
                              guest_locale=locale)
            secret = secrets.token_urlsafe(24)
            if not await tx.booking_links.hold(booking, now - SETTLE, _hash(secret)):
                raise Conflict(TAKEN)
            host = await tx.users.by_id(chosen)
            if booking.status == REQUESTED and host is not None:
                mailed = await self._request_mails(tx, link, booking, host, f"{booking.id}.{secret}")
                await _ring(tx, link, booking)
        if host is None:
            raise NotFound("no such booking page")
        token = f"{booking.id}.{secret}"
        if booking.status == REQUESTED:
            return Booked(booking, None, None, link.time_zone, mailed, token, host.name)
        made = await self._meet(link, booking, token)
        return made._replace(token=token)

    async def _as(self, user: UUID) -> Caller:
        async with self._begin() as tx:
            found = await tx.users.by_id(user)
        if found is None:
            raise NotFound("no such booking page")
        return Caller(found.id, found.email, found.name, b"", datetime.now(timezone.utc) + timedelta(minutes=5),
                      found.locale)

    def _manage_url(self, token: str) -> str | None:
        return f"{self._public_url}/booking/{token}" if self._public_url and token else None

    async def _request_mails(self, tx: Any, link: BookingSettings, booking: Booking, host: Any, token: str) -> bool:
        mailed = await self._outbox.post(tx, booking_mail(
            "booking_requested_guest", booking.guest_email, booking.guest_locale, booking, host.name, link.time_zone,
            self._manage_url(token)))
        await self._outbox.post(tx, booking_mail(
            "booking_requested_host", host.email, host.locale, booking, host.name, link.time_zone,
            self._outbox.link(f"/w/{link.workspace}/settings/booking?request={booking.id}")))
        return mailed

    async def _meet(self, link: BookingSettings, booking: Booking, token: str = "") -> Booked:
        """The held booking as its host's meeting activity (written by the link's owner, who may edit
        the board), its contact, and both confirmations."""
        owner, host = await self._as(link.user), await self._as(booking.host)
        contact = await self._contact(link, booking, owner)
        title = f"{booking.guest_name} · {host.name}"
        values = {"type": "meeting", "title": title, "assignee": host.id, "due": booking.start, "end": booking.end,
                  "allDay": False, "timeZone": link.time_zone, "contact": contact}
        activity = await self._crm.create_activity(owner, link.board,
                                                   {**values, "note": booking.note} if booking.note else values)
        ics = invitation(booking, host.name, host.email, title, datetime.now(timezone.utc)).decode()
        async with self._begin() as tx:
            await tx.booking_links.booked(booking.id, activity.id, contact)
            await stop_for_meeting(tx, link.workspace, contact)  # a sequence to this contact has done its job
            mailed = await self._outbox.post(tx, booking_mail(
                "booking_confirmed_guest", booking.guest_email, booking.guest_locale, booking, host.name,
                link.time_zone, self._manage_url(token), ics))
            await self._outbox.post(tx, booking_mail(
                "booking_confirmed_host", host.email, host.locale, booking, host.name, link.time_zone,
                self._outbox.link(f"/w/{link.workspace}/calendar"), ics))
        return Booked(booking._replace(activity=activity.id), activity.id, contact, link.time_zone, mailed, token,
                      host.name)

    # --- approval (the host) ------------------------------------------------------------------------

    async def requests(self, caller: Caller) -> list[Booking]:
        """The caller's bookings waiting for their approval, soonest first."""
        async with self._begin() as tx:
            return await tx.booking_links.requests(caller.id)

    async def decide(self, caller: Caller, booking: UUID, confirm: bool) -> Booking:
        """Confirm (the meeting is made, the guest mailed with the .ics) or decline (the time is freed,
        the guest told) a requested booking of the caller's; 404 if there is none."""
        async with self._begin() as tx:
            found = await tx.booking_links.get(booking)
            if found is None or found[0].host != caller.id or found[0].status != REQUESTED:
                raise NotFound("no such booking request")
            b = found[0]
            link = await self._link_of(tx, b)
            if link is None:
                raise NotFound("no such booking request")
            await tx.notifications.mark_read(caller.id, b.id)  # its bell entry is answered
            if confirm:
                await tx.booking_links.confirm(b.id)
            else:
                await tx.booking_links.drop(b.id)
                await self._outbox.post(tx, booking_mail(
                    "booking_declined_guest", b.guest_email, b.guest_locale, b, caller.name, link.time_zone,
                    public(self._public_url, f"/book/{link.slug}")))
                return b
        made = await self._meet(link, b._replace(status=CONFIRMED))
        return made.booking

    # --- the guest's manage link ----------------------------------------------------------------------

    async def _managed(self, tx: Any, token: str, *, lock: bool = False) -> tuple[Booking, BookingSettings]:
        parsed = _parse_token(token)
        found = await tx.booking_links.get(parsed[0]) if parsed else None
        if parsed is None or found is None or found[1] is None \
                or not hmac.compare_digest(found[1], _hash(parsed[1])):
            raise NotFound("no such booking")  # a forged or stale link looks like no booking at all
        link = await self._link_of(tx, found[0])
        if link is None:
            raise NotFound("no such booking")
        if lock:
            await tx.booking_links.by_slug(link.slug, lock=True)
            await tx.booking_links.lock_hosts([found[0].host])
        return found[0], link

    async def manage(self, token: str, address: str) -> Managed:
        await self._throttle.attempt((Scope.BOOKING_SLOTS_ADDRESS, key(address)), refused="too many requests")
        async with self._begin() as tx:
            booking, link = await self._managed(tx, token)
            host = await tx.users.by_id(booking.host)
        return Managed(booking, host.name if host else "", link.time_zone, link.durations, link.slug)

    async def manage_slots(self, token: str, first: str, last: str, address: str,
                           now: datetime | None = None) -> tuple[int, list[datetime]]:
        """Its length, and where the booking could move: its host's free starts (its own time counts as free)."""
        await self._throttle.attempt((Scope.BOOKING_SLOTS_ADDRESS, key(address)), refused="too many requests")
        start, end = _moment("from", first), _moment("to", last)
        if not start < end <= start + timedelta(days=MAX_SLOTS_DAYS):
            raise InvalidBooking(f"to: expected a moment after from, at most {MAX_SLOTS_DAYS} days later")
        now = now or datetime.now(timezone.utc)
        async with self._begin() as tx:
            booking, link = await self._managed(tx, token)
            busy = await tx.booking_links.busy(booking.host, start - timedelta(days=1), end + timedelta(days=1),
                                               now - SETTLE, booking.id)
        return _length(booking), slots(link, busy, start, end, _length(booking), now)

    async def cancel(self, token: str, address: str) -> None:
        """The guest calls it off: the booking and its meeting are gone, the host is told."""
        await self._throttle.attempt((Scope.BOOKING_ADDRESS, key(address)), refused="too many bookings from here")
        async with self._begin() as tx:
            booking, link = await self._managed(tx, token, lock=True)
            await tx.booking_links.drop(booking.id)
            await tx.notifications.mark_read(booking.host, booking.id)  # a request's bell entry: nothing to answer
            host = await tx.users.by_id(booking.host)
            if host is not None:
                await self._outbox.post(tx, booking_mail(
                    "booking_cancelled_host", host.email, host.locale, booking, host.name, link.time_zone,
                    self._outbox.link(f"/w/{link.workspace}/calendar")))
        if booking.activity is not None:
            try:
                await self._crm.delete_activity(await self._as(link.user), link.board, booking.activity)
            except (NotFound, Forbidden):
                pass  # the board or the owner's access is gone: the host was mailed, the time is free

    async def reschedule(self, token: str, raw: dict[str, Any], address: str, now: datetime | None = None) -> Booked:
        """Move the booking to another of its host's free starts (same length); 409 if that is taken."""
        await self._throttle.attempt((Scope.BOOKING_ADDRESS, key(address)), refused="too many bookings from here")
        start = _moment("start", raw.get("start"))
        now = now or datetime.now(timezone.utc)
        async with self._begin() as tx:
            booking, link = await self._managed(tx, token, lock=True)
            length = _length(booking)
            end = start + timedelta(minutes=length)
            busy = await tx.booking_links.busy(booking.host, start - timedelta(days=1), end + timedelta(days=1),
                                               now - SETTLE, booking.id)
            if not is_free(link, busy, start, length, now):
                raise Conflict(TAKEN)
            moved = booking._replace(start=start, end=end, held_from=start - timedelta(minutes=link.buffer_before),
                                     held_until=end + timedelta(minutes=link.buffer_after))
            if not await tx.booking_links.move(moved, now - SETTLE):
                raise Conflict(TAKEN)
            host = await tx.users.by_id(booking.host)
        if moved.activity is not None:
            try:
                await self._crm.update_activity(await self._as(link.user), link.board, moved.activity,
                                                {"due": start, "end": end})
            except (NotFound, Forbidden):
                pass  # the host deleted the meeting (or lost the board): the booking holds by itself a while
        host_name = host.name if host else ""
        title = f"{moved.guest_name} · {host_name}"
        ics = invitation(moved, host_name, host.email if host else "", title, datetime.now(timezone.utc)).decode()
        ics = ics if moved.status == CONFIRMED else None
        async with self._begin() as tx:
            mailed = await self._outbox.post(tx, booking_mail(
                "booking_moved_guest", moved.guest_email, moved.guest_locale, moved, host_name, link.time_zone,
                self._manage_url(token), ics))
            if host is not None:
                await self._outbox.post(tx, booking_mail(
                    "booking_moved_host", host.email, host.locale, moved, host_name, link.time_zone,
                    self._outbox.link(f"/w/{link.workspace}/calendar"), ics))
        return Booked(moved, moved.activity, None, link.time_zone, mailed, token, host_name)

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


async def _ring(tx: Any, link: BookingSettings, booking: Booking) -> None:
    """The host's bell entry for a request (its id is the booking's: the bell confirms or declines it)."""
    when = booking.start.astimezone(zone(link.time_zone)).strftime("%Y-%m-%d %H:%M")
    await deliver(tx, NewNotification(booking.id, booking.host, link.workspace,
                                      f"{booking.guest_name}, {when} ({link.time_zone})", kind="booking_request"))


def _guest_locale(raw: dict[str, Any]) -> str:
    """The language the booking page was shown in (``locale``), else the browser's, else English."""
    chosen = raw.get("locale")
    if chosen is not None and chosen not in LOCALES:
        raise InvalidBooking(f"locale: expected 'en' or 'de' (the language the page was shown in), "
                             f"got {str(chosen)[:20]!r}")
    return spoken_locale(chosen, raw.get("accept_language"))


def _length(booking: Booking) -> int:
    return int((booking.end - booking.start).total_seconds() // 60)
