"""Booking links and the bookings they hold (issue 18 item 6, docs/booking.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from server.domain.booking import Booking, BookingSettings, Busy


class BookingLinks(Protocol):
    async def of_user(self, user: UUID) -> BookingSettings | None:
        """``user``'s booking link, if they made one."""
        ...

    async def by_slug(self, slug: str, *, lock: bool = False) -> BookingSettings | None:
        """The link at ``slug``; ``lock`` holds its row until the transaction ends (one booking at a time)."""
        ...

    async def put(self, settings: BookingSettings) -> bool:
        """Make or replace the user's link; False if another user has its slug."""
        ...

    async def busy(self, user: UUID, start: datetime, end: datetime, settled: datetime) -> list[Busy]:
        """Times ``user`` is taken from ``start`` to ``end``, ordered by start: their timed activities
        (not all-day), and bookings held (with buffers) — those made before ``settled`` only while
        the meeting they made is still at their time (moved or deleted, it frees the hold)."""
        ...

    async def hold(self, booking: Booking, settled: datetime) -> bool:
        """Record ``booking`` (first dropping a hold at its start that no longer holds, see ``busy``);
        False if a booking of its host still starts then."""
        ...

    async def booked(self, booking: UUID, activity: UUID, contact: UUID | None) -> None:
        """The activity (and contact) a booking made."""
        ...
