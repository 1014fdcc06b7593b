"""``PostgresNotificationSettings``, ``PostgresDealFollows`` and ``PostgresNoteMentions``, through one connection."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

import asyncpg

from server.domain.notification_settings import DEFAULT, DigestState, NotificationPrefs
from server.storage.queries import queries

SQL = queries("notification_settings")


def _prefs(r: asyncpg.Record) -> NotificationPrefs:
    return NotificationPrefs(json.loads(r["channels"]), r["digest"], r["digest_hour"], r["time_zone"])


class PostgresNotificationSettings:
    """Implements ``server.services.ports.notification_settings.NotificationSettings``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, user: UUID) -> NotificationPrefs:
        found = await self._conn.fetchrow(SQL["settings_of_user"], user)
        return DEFAULT if found is None else _prefs(found)

    async def put(self, user: UUID, prefs: NotificationPrefs) -> None:
        await self._conn.execute(SQL["put_settings"], user, json.dumps(prefs.channels), prefs.digest,
                                 prefs.digest_hour, prefs.time_zone)

    async def digesting(self) -> list[tuple[UUID, NotificationPrefs, DigestState]]:
        return [(r["user_id"], _prefs(r), DigestState(r["last_period"], r["last_digest_at"]))
                for r in await self._conn.fetch(SQL["digesting"])]

    async def mark_digested(self, user: UUID, period: str, at: datetime) -> bool:
        return (await self._conn.execute(SQL["mark_digested"], user, period, at)).endswith(" 1")


class PostgresDealFollows:
    """Implements ``server.services.ports.notification_settings.DealFollows``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def set(self, board: UUID, card: UUID, user: UUID, follows: bool) -> None:
        await self._conn.execute(SQL["set_follow"], board, card, user, follows)

    async def choices(self, board: UUID, card: UUID) -> dict[UUID, bool]:
        return {r["user_id"]: r["follows"] for r in await self._conn.fetch(SQL["follow_choices"], board, card)}


class PostgresNoteMentions:
    """Implements ``server.services.ports.notification_settings.NoteMentions``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def seen(self, document: str) -> set[UUID]:
        return {r["user_id"] for r in await self._conn.fetch(SQL["seen_mentions"], document)}

    async def add(self, document: str, users: set[UUID]) -> None:
        if users:
            await self._conn.execute(SQL["add_mentions"], document, sorted(users))
