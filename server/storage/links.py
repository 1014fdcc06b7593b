"""``PostgresRecordLinks``: what hangs off contacts and organisations, read from the board
projection's tables (migration 0003) through one connection. See ``sql/links.sql``: every join
also requires the record's own workspace, so another workspace's board never links to it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.links import LinkedActivity, LinkedDeal, LinkedNote
from server.domain.timeline import EntryKind, TimelineEntry
from server.storage.queries import queries

SQL = queries("links")


class PostgresRecordLinks:
    """Implements ``RecordLinks``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def merged_into(self, survivor: UUID) -> list[UUID]:
        return [row["id"] for row in await self._conn.fetch(SQL["merged_ids"], survivor)]

    async def deals_of(self, contacts: Sequence[UUID]) -> list[LinkedDeal]:
        return [LinkedDeal(*row) for row in await self._conn.fetch(SQL["deals_of"], list(contacts))]

    async def activities_of(self, contacts: Sequence[UUID]) -> list[LinkedActivity]:
        return [LinkedActivity(*row) for row in await self._conn.fetch(SQL["activities_of"], list(contacts))]

    async def notes_of(self, subject_kind: str, subjects: Sequence[UUID]) -> list[LinkedNote]:
        rows = await self._conn.fetch(SQL["notes_of"], subject_kind, list(subjects))
        return [LinkedNote(*row) for row in rows]

    async def notes_count(self, subject_kind: str, subjects: Sequence[UUID]) -> dict[UUID, int]:
        rows = await self._conn.fetch(SQL["notes_count"], subject_kind, list(subjects))
        return {row["subject_id"]: row["notes"] for row in rows}

    async def organisation_deals(self, organisation: UUID) -> list[LinkedDeal]:
        return [LinkedDeal(*row) for row in await self._conn.fetch(SQL["organisation_deals"], organisation)]

    async def timeline(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                       limit: int, offset: int) -> list[TimelineEntry]:
        rows = await self._conn.fetch(SQL["timeline"], workspace, list(contacts), organisation, limit, offset)
        return [TimelineEntry(EntryKind(row["kind"]), *tuple(row)[1:]) for row in rows]
