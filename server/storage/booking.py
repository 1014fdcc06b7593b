"""``PostgresBookingLinks`` through one connection (issue 18 item 6)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from server.domain.booking import Booking, BookingSettings, Busy, CONFIRMED
from server.storage.queries import queries

SQL = queries("booking")


def settings_of(row: asyncpg.Record | None) -> BookingSettings | None:
    if row is None:
        return None
    hours = tuple(tuple((start, end) for start, end in day) for day in json.loads(row["hours"]))
    return BookingSettings(row["user_id"], row["workspace_id"], row["board_id"], row["slug"], row["enabled"],
                           row["time_zone"], tuple(row["durations"]), row["buffer_before"], row["buffer_after"],
                           row["min_notice"], row["window_days"], hours, row["team_id"], row["approval"], row["id"],
                           row["title"])


def booking_of(row: asyncpg.Record) -> Booking:
    return Booking(row["id"], row["host_id"], row["starts_at"], row["ends_at"], row["held_from"], row["held_until"],
                   row["guest_name"], row["guest_email"], row["note"], row["link_user"], row["status"],
                   row["activity_id"], row["link_id"], row["guest_locale"])


class PostgresBookingLinks:
    """Implements ``server.services.ports.booking.BookingLinks``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_user(self, user: UUID) -> BookingSettings | None:
        return settings_of(await self._conn.fetchrow(SQL["of_user"], user))

    async def links_of(self, user: UUID) -> list[BookingSettings]:
        return [settings_of(row) for row in await self._conn.fetch(SQL["links_of"], user)]

    async def by_id(self, link: UUID) -> BookingSettings | None:
        return settings_of(await self._conn.fetchrow(SQL["by_id"], link))

    async def remove(self, link: UUID, user: UUID) -> bool:
        return await self._conn.fetchval(SQL["remove"], link, user) is not None

    async def by_slug(self, slug: str, *, lock: bool = False) -> BookingSettings | None:
        return settings_of(await self._conn.fetchrow(SQL["by_slug_locked" if lock else "by_slug"], slug))

    async def put(self, s: BookingSettings) -> bool:
        try:
            async with self._conn.transaction():  # a savepoint: a unique violation answers False, the rest stands
                return await self._conn.fetchval(
                    SQL["put"], s.user, s.workspace, s.board, s.slug, s.enabled, s.time_zone, list(s.durations),
                    s.buffer_before, s.buffer_after, s.min_notice, s.window_days,
                    json.dumps([[list(span) for span in day] for day in s.hours]), s.team, s.approval, s.id,
                    s.title) is not None
        except asyncpg.UniqueViolationError:  # the slug taken at the same moment, or a second personal link
            return False

    async def busy(self, user: UUID, start: datetime, end: datetime, settled: datetime,
                   without: UUID | None = None) -> list[Busy]:
        return [(row[0], row[1]) for row in await self._conn.fetch(SQL["busy"], user, start, end, settled, without)]

    async def hold(self, b: Booking, settled: datetime, guest_key: bytes | None = None) -> bool:
        await self._conn.execute(SQL["drop_stale"], b.host, b.start, settled)
        done = await self._conn.execute(SQL["hold"], b.id, b.host, b.start, b.end, b.held_from, b.held_until,
                                        b.guest_name, b.guest_email, b.note, b.link_user or b.host,
                                        b.status or CONFIRMED, guest_key, b.link_id, b.guest_locale)
        return done == "INSERT 0 1"

    async def lock_hosts(self, users: Sequence[UUID]) -> None:
        for user in sorted(set(users), key=str):
            await self._conn.execute(SQL["lock_host"], user)

    async def members(self, team: UUID, workspace: UUID) -> list[UUID]:
        return [row[0] for row in await self._conn.fetch(SQL["members"], team, workspace)]

    async def tally(self, link: UUID) -> dict[UUID, tuple[int, datetime | None]]:
        return {row["host_id"]: (row["n"], row["latest"]) for row in await self._conn.fetch(SQL["tally"], link)}

    async def get(self, booking: UUID) -> tuple[Booking, bytes | None] | None:
        row = await self._conn.fetchrow(SQL["get"], booking)
        return (booking_of(row), row["guest_key"]) if row else None

    async def requests(self, host: UUID) -> list[Booking]:
        return [booking_of(row) for row in await self._conn.fetch(SQL["requests"], host)]

    async def confirm(self, booking: UUID) -> bool:
        return await self._conn.fetchval(SQL["confirm"], booking) is not None

    async def drop(self, booking: UUID) -> bool:
        return await self._conn.fetchval(SQL["drop"], booking) is not None

    async def move(self, b: Booking, settled: datetime) -> bool:
        await self._conn.execute(SQL["drop_stale"], b.host, b.start, settled)
        try:
            async with self._conn.transaction():  # a savepoint: a start taken answers False
                return await self._conn.fetchval(SQL["move"], b.id, b.start, b.end, b.held_from,
                                                 b.held_until) is not None
        except asyncpg.UniqueViolationError:
            return False

    async def booked(self, booking: UUID, activity: UUID, contact: UUID | None) -> None:
        await self._conn.execute(SQL["booked"], booking, activity, contact)
