"""``PostgresBookingLinks`` through one connection (issue 18 item 6)."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg

from server.domain.booking import Booking, BookingSettings, Busy
from server.storage.queries import queries

SQL = queries("booking")


def settings_of(row: asyncpg.Record | None) -> BookingSettings | None:
    if row is None:
        return None
    hours = tuple(tuple((start, end) for start, end in day) for day in json.loads(row["hours"]))
    return BookingSettings(row["user_id"], row["workspace_id"], row["board_id"], row["slug"], row["enabled"],
                           row["time_zone"], tuple(row["durations"]), row["buffer_before"], row["buffer_after"],
                           row["min_notice"], row["window_days"], hours)


class PostgresBookingLinks:
    """Implements ``server.services.ports.booking.BookingLinks``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_user(self, user: UUID) -> BookingSettings | None:
        return settings_of(await self._conn.fetchrow(SQL["of_user"], user))

    async def by_slug(self, slug: str, *, lock: bool = False) -> BookingSettings | None:
        return settings_of(await self._conn.fetchrow(SQL["by_slug_locked" if lock else "by_slug"], slug))

    async def put(self, s: BookingSettings) -> bool:
        try:
            return await self._conn.fetchval(
                SQL["put"], s.user, s.workspace, s.board, s.slug, s.enabled, s.time_zone, list(s.durations),
                s.buffer_before, s.buffer_after, s.min_notice, s.window_days,
                json.dumps([[list(span) for span in day] for day in s.hours])) is not None
        except asyncpg.UniqueViolationError:  # another user took the slug at the same moment
            return False

    async def busy(self, user: UUID, start: datetime, end: datetime, settled: datetime) -> list[Busy]:
        return [(row[0], row[1]) for row in await self._conn.fetch(SQL["busy"], user, start, end, settled)]

    async def hold(self, b: Booking, settled: datetime) -> bool:
        await self._conn.execute(SQL["drop_stale"], b.host, b.start, settled)
        done = await self._conn.execute(SQL["hold"], b.id, b.host, b.start, b.end, b.held_from, b.held_until,
                                        b.guest_name, b.guest_email, b.note)
        return done == "INSERT 0 1"

    async def booked(self, booking: UUID, activity: UUID, contact: UUID | None) -> None:
        await self._conn.execute(SQL["booked"], booking, activity, contact)
