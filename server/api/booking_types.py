"""Bodies of the booking API (issue 18 item 6, docs/booking.md)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class BookingSettings(msgspec.Struct, kw_only=True):
    """One booking link. ``hours``: 7 lists (Monday first) of ``["09:00", "17:00"]`` in ``time_zone``;
    minutes for durations, buffers and notice; meetings go to ``board`` (no deal). On a team link each
    member is offered in their own personal link's hours and zone (these, for a member without one)."""

    id: UUID | None = None  # the link's id (answers carry it; a request's is ignored: the path names the link)
    title: str = ""  # shown on the public page (at most 120 characters)
    board: UUID
    slug: str
    enabled: bool = True
    time_zone: str
    durations: list[int]
    buffer_before: int = 0
    buffer_after: int = 0
    min_notice: int = 240
    window_days: int = 30
    hours: list[list[list[str]]]
    team: UUID | None = None  # round robin over this team's members (the union of their free times)
    approval: bool = False  # bookings wait for the host to confirm or decline them


class BookingLink(msgspec.Struct, kw_only=True):
    """Your link (``settings`` None until made) and whether confirmations leave the server."""

    settings: BookingSettings | None
    mail_configured: bool
    links: list[BookingSettings] = []  # all your links: the personal one first, then team links by title


class BookingLinks(msgspec.Struct, kw_only=True):
    """All your links (the personal one first, then team links by title)."""

    links: list[BookingSettings]
    mail_configured: bool


class BookingPage(msgspec.Struct, kw_only=True):
    """All the public page learns of its host."""

    host_name: str
    time_zone: str
    durations: list[int]
    title: str = ""  # the link's title, if it has one


class BookingSlots(msgspec.Struct, kw_only=True):
    duration: int
    slots: list[datetime]


class NewBooking(msgspec.Struct, kw_only=True):
    start: str
    duration: int
    name: str
    email: str
    note: str | None = None
    locale: str | None = None  # the language the page was shown in ('en', 'de'): the guest's mails speak it


class BookingMade(msgspec.Struct, kw_only=True):
    start: datetime
    end: datetime
    time_zone: str
    mailed: bool  # whether a confirmation e-mail goes out (only with a mail relay configured)
    status: str = "confirmed"  # or "requested": the host confirms or declines it
    host_name: str = ""  # who meets the guest (on a team link: the member it went to)
    manage: str = ""  # the guest's secret for /booking/<manage>: cancel or reschedule


class BookingRequest(msgspec.Struct, kw_only=True):
    """A booking waiting for your approval."""

    id: UUID
    start: datetime
    end: datetime
    guest_name: str
    guest_email: str
    note: str | None


class ManagedBooking(msgspec.Struct, kw_only=True):
    """A guest's own booking, as their manage link shows it."""

    start: datetime
    end: datetime
    status: str
    host_name: str
    time_zone: str
    duration: int
    slug: str


class Reschedule(msgspec.Struct, kw_only=True):
    start: str
