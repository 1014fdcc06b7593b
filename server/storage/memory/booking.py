"""The in-memory twin of ``server.storage.booking`` (issue 18 item 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from server.domain.booking import Booking, BookingSettings, Busy
from server.domain.projection import ActivityRecord, Table
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase

_DEFAULT = timedelta(minutes=30)


class MemoryBookingLinks:
    """Implements ``BookingLinks`` (tables ``booking_links``: user -> settings; ``bookings``: id -> booking)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._links: dict[UUID, BookingSettings] = db.table("booking_links")
        # id -> (booking, its activity, its contact, when it was made)
        self._bookings: dict[UUID, tuple[Booking, UUID | None, UUID | None, datetime]] = db.table("bookings")

    async def of_user(self, user: UUID) -> BookingSettings | None:
        return self._links.get(user)

    async def by_slug(self, slug: str, *, lock: bool = False) -> BookingSettings | None:
        return next((s for s in self._links.values() if s.slug == slug), None)  # the db lock serialises

    async def put(self, settings: BookingSettings) -> bool:
        if any(s.slug == settings.slug and s.user != settings.user for s in self._links.values()):
            return False
        self._links[settings.user] = settings
        return True

    async def busy(self, user: UUID, start: datetime, end: datetime, settled: datetime) -> list[Busy]:
        found = [(b.held_from, b.held_until) for b, activity, _, made in self._bookings.values()
                 if b.host == user and b.held_from < end and b.held_until > start
                 and self._holds(b, activity, made, settled)]
        boards = self._db.table("boards")
        for board_id, rows in projected(self._db, Table.ACTIVITIES).items():
            board = boards.get(board_id)
            if board is None or board.archived_at is not None:
                continue
            for _, a in rows.values():
                if not isinstance(a, ActivityRecord) or a.assignee != user or a.all_day or a.starts_at is None:
                    continue
                a_end = a.ends_at or a.starts_at + _DEFAULT
                if a.starts_at < end and a_end > start:
                    found.append((a.starts_at, a_end))
        return sorted(found)

    async def hold(self, booking: Booking, settled: datetime) -> bool:
        for key, (b, activity, _, made) in list(self._bookings.items()):
            if b.host == booking.host and b.start == booking.start:
                if self._holds(b, activity, made, settled):
                    return False
                del self._bookings[key]
        self._bookings[booking.id] = (booking, None, None, self._db.now())
        return True

    async def booked(self, booking: UUID, activity: UUID, contact: UUID | None) -> None:
        b, _, _, made = self._bookings[booking]
        self._bookings[booking] = (b, activity, contact, made)

    def _holds(self, booking: Booking, activity: UUID | None, made: datetime, settled: datetime) -> bool:
        """Made after ``settled``, or its meeting still at its start (see the port)."""
        if made >= settled:
            return True
        return any(isinstance(a, ActivityRecord) and a.id == activity and a.starts_at == booking.start
                   and a.assignee == booking.host
                   for rows in projected(self._db, Table.ACTIVITIES).values() for _, a in rows.values())
