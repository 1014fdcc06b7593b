"""Booking links and the bookings they hold (issue 18 item 6, docs/booking.md)."""

from __future__ import annotations

from datetime import datetime
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.booking import Booking, BookingSettings, Busy


class BookingLinks(Protocol):
    async def of_user(self, user: UUID) -> BookingSettings | None:
        """``user``'s personal booking link (not a team link), if they made one."""
        ...

    async def links_of(self, user: UUID) -> list[BookingSettings]:
        """All of ``user``'s links: the personal one first, then team links by title."""
        ...

    async def by_id(self, link: UUID) -> BookingSettings | None:
        """One link by its id."""
        ...

    async def remove(self, link: UUID, user: UUID) -> bool:
        """Delete ``user``'s link (its bookings stay, without it); False if they have none with that id."""
        ...

    async def by_slug(self, slug: str, *, lock: bool = False) -> BookingSettings | None:
        """The link at ``slug``; ``lock`` holds its row until the transaction ends (one booking at a time)."""
        ...

    async def put(self, settings: BookingSettings) -> bool:
        """Make or change the link with ``settings.id``; False if another link has its slug, the id is
        another user's link, or it would be the user's second personal link."""
        ...

    async def busy(self, user: UUID, start: datetime, end: datetime, settled: datetime,
                   without: UUID | None = None) -> list[Busy]:
        """Times ``user`` is taken from ``start`` to ``end``, ordered by start: their timed activities
        (not all-day), and bookings held (with buffers) — those made before ``settled`` only while
        the meeting they made is still at their time (moved or deleted, it frees the hold), unless
        they wait for approval. ``without``: a booking (and its meeting) not to count."""
        ...

    async def hold(self, booking: Booking, settled: datetime, guest_key: bytes | None = None) -> bool:
        """Record ``booking`` (first dropping a hold at its start that no longer holds, see ``busy``);
        False if a booking of its host still starts then."""
        ...

    async def booked(self, booking: UUID, activity: UUID, contact: UUID | None) -> None:
        """The activity (and contact) a booking made."""
        ...

    async def lock_hosts(self, users: Sequence[UUID]) -> None:
        """Hold these hosts' booking decisions until the transaction ends (taken in a fixed order)."""
        ...

    async def members(self, team: UUID, workspace: UUID) -> list[UUID]:
        """The members of ``workspace``'s team still in the workspace (a team link's hosts); none if it
        is not that workspace's team."""
        ...

    async def tally(self, link: UUID) -> dict[UUID, tuple[int, datetime | None]]:
        """Per host: how many bookings ``link`` gave them, and when the latest was made."""
        ...

    async def get(self, booking: UUID) -> tuple[Booking, bytes | None] | None:
        """A booking and the hash of its guest's manage secret."""
        ...

    async def requests(self, host: UUID) -> list[Booking]:
        """``host``'s bookings waiting for approval, soonest first."""
        ...

    async def confirm(self, booking: UUID) -> bool:
        """A requested booking confirmed (it holds by itself a while again, see ``busy``); False if not requested."""
        ...

    async def drop(self, booking: UUID) -> bool:
        """A booking declined or cancelled: its hold is gone; False if it was gone already."""
        ...

    async def move(self, booking: Booking, settled: datetime) -> bool:
        """Move a booking to ``booking``'s times (first dropping a stale hold there); False if its host
        has another booking starting then."""
        ...
