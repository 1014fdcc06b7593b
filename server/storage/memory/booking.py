"""The in-memory twin of ``server.storage.booking`` (issue 18 item 6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from server.domain.booking import REQUESTED, Booking, BookingSettings, Busy, CONFIRMED
from server.domain.projection import ActivityRecord, Table
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase

_DEFAULT = timedelta(minutes=30)


class MemoryBookingLinks:
    """Implements ``BookingLinks`` (tables ``booking_links``: link id -> settings; ``bookings``: id -> booking)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._links: dict[UUID, BookingSettings] = db.table("booking_links")
        # id -> (booking, its activity, its contact, when it was made)
        self._bookings: dict[UUID, tuple[Booking, UUID | None, UUID | None, datetime]] = db.table("bookings")
        self._keys: dict[UUID, bytes | None] = db.table("booking_keys")  # id -> the guest secret's hash

    async def of_user(self, user: UUID) -> BookingSettings | None:
        return next((s for s in self._links.values() if s.user == user and s.team is None), None)

    async def links_of(self, user: UUID) -> list[BookingSettings]:
        return sorted((s for s in self._links.values() if s.user == user),
                      key=lambda s: (s.team is not None, s.title.lower(), s.slug))

    async def by_id(self, link: UUID) -> BookingSettings | None:
        return self._links.get(link)

    async def remove(self, link: UUID, user: UUID) -> bool:
        found = self._links.get(link)
        if found is None or found.user != user:
            return False
        del self._links[link]
        for key, (b, activity, contact, made) in list(self._bookings.items()):
            if b.link_id == link:
                self._bookings[key] = (b._replace(link_id=None), activity, contact, made)
        return True

    async def by_slug(self, slug: str, *, lock: bool = False) -> BookingSettings | None:
        return next((s for s in self._links.values() if s.slug == slug), None)  # the db lock serialises

    async def put(self, settings: BookingSettings) -> bool:
        mine = self._links.get(settings.id)
        if any(s.slug == settings.slug and s.id != settings.id for s in self._links.values()) \
                or (mine is not None and mine.user != settings.user):
            return False
        if settings.team is None and any(s.user == settings.user and s.team is None and s.id != settings.id
                                         for s in self._links.values()):
            return False  # one personal link per user
        self._links[settings.id] = settings
        return True

    async def busy(self, user: UUID, start: datetime, end: datetime, settled: datetime,
                   without: UUID | None = None) -> list[Busy]:
        found = [(b.held_from, b.held_until) for b, activity, _, made in self._bookings.values()
                 if b.host == user and b.held_from < end and b.held_until > start and b.id != without
                 and self._holds(b, activity, made, settled)]
        skipped = self._bookings[without][1] if without in self._bookings else None
        boards = self._db.table("boards")
        for board_id, rows in projected(self._db, Table.ACTIVITIES).items():
            board = boards.get(board_id)
            if board is None or board.archived_at is not None:
                continue
            for _, a in rows.values():
                if not isinstance(a, ActivityRecord) or a.assignee != user or a.all_day or a.starts_at is None \
                        or (skipped is not None and a.id == skipped):
                    continue
                a_end = a.ends_at or a.starts_at + _DEFAULT
                if a.starts_at < end and a_end > start:
                    found.append((a.starts_at, a_end))
        return sorted(found)

    async def hold(self, booking: Booking, settled: datetime, guest_key: bytes | None = None) -> bool:
        if not self._clear(booking, settled):
            return False
        self._bookings[booking.id] = (booking._replace(link_user=booking.link_user or booking.host,
                                                       status=booking.status or CONFIRMED, activity=None),
                                      None, None, self._db.now())
        self._keys[booking.id] = guest_key
        return True

    def _clear(self, booking: Booking, settled: datetime) -> bool:
        """Drop stale holds at ``booking``'s start (not itself); False if one still holds."""
        for key, (b, activity, _, made) in list(self._bookings.items()):
            if key != booking.id and b.host == booking.host and b.start == booking.start:
                if self._holds(b, activity, made, settled):
                    return False
                del self._bookings[key]
        return True

    async def lock_hosts(self, users: Sequence[UUID]) -> None:
        return None  # the in-memory database runs one transaction at a time

    async def members(self, team: UUID, workspace: UUID) -> list[UUID]:
        found = self._db.table("teams").get(team)
        if found is None or found.workspace_id != workspace:
            return []
        return [m for m in found.members if (workspace, m) in self._db.table("memberships")]  # still in it

    async def tally(self, link: UUID) -> dict[UUID, tuple[int, datetime | None]]:
        out: dict[UUID, tuple[int, datetime | None]] = {}
        for b, _, _, made in self._bookings.values():
            if b.link_id == link:
                n, latest = out.get(b.host, (0, None))
                out[b.host] = (n + 1, max(latest, made) if latest else made)
        return out

    async def get(self, booking: UUID) -> tuple[Booking, bytes | None] | None:
        found = self._bookings.get(booking)
        return (found[0]._replace(activity=found[1]), self._keys.get(booking)) if found else None

    async def requests(self, host: UUID) -> list[Booking]:
        return sorted((b._replace(activity=activity) for b, activity, _, _ in self._bookings.values()
                       if b.host == host and b.status == REQUESTED), key=lambda b: b.start)

    async def confirm(self, booking: UUID) -> bool:
        found = self._bookings.get(booking)
        if found is None or found[0].status != REQUESTED:
            return False
        self._bookings[booking] = (found[0]._replace(status=CONFIRMED), found[1], found[2], self._db.now())
        return True

    async def drop(self, booking: UUID) -> bool:
        self._keys.pop(booking, None)
        return self._bookings.pop(booking, None) is not None

    async def move(self, booking: Booking, settled: datetime) -> bool:
        found = self._bookings.get(booking.id)
        if found is None or not self._clear(booking, settled):
            return False
        old = found[0]
        self._bookings[booking.id] = (old._replace(start=booking.start, end=booking.end, held_from=booking.held_from,
                                                   held_until=booking.held_until), found[1], found[2], self._db.now())
        return True

    async def booked(self, booking: UUID, activity: UUID, contact: UUID | None) -> None:
        b, _, _, made = self._bookings[booking]
        self._bookings[booking] = (b, activity, contact, made)

    def _holds(self, booking: Booking, activity: UUID | None, made: datetime, settled: datetime) -> bool:
        """Made after ``settled``, or its meeting still at its start (see the port)."""
        if made >= settled or booking.status == REQUESTED:
            return True
        return any(isinstance(a, ActivityRecord) and a.id == activity and a.starts_at == booking.start
                   and a.assignee == booking.host
                   for rows in projected(self._db, Table.ACTIVITIES).values() for _, a in rows.values())
