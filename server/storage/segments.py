"""``PostgresSavedSegments``: saved segments, their filter stored as JSON (``domain.segments``)."""

from __future__ import annotations

import json
from uuid import UUID

import asyncpg

from server.domain.contacts import Filter
from server.domain.fields import Entity
from server.domain.segments import Segment, filter_from_json, filter_to_json
from server.storage.queries import queries

SQL = queries("segments")


def _segment(record: asyncpg.Record) -> Segment:
    return Segment(record["id"], record["workspace_id"], Entity(record["entity"]), record["name"],
                   filter_from_json(json.loads(record["filter"])), record["created_by"], record["created_at"],
                   record["updated_at"])


def _json(where: Filter) -> str:
    return json.dumps(filter_to_json(where), separators=(",", ":"))


class PostgresSavedSegments:
    """Implements ``server.services.ports.custom_fields.SavedSegments``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_workspace(self, workspace: UUID) -> list[Segment]:
        return [_segment(r) for r in await self._conn.fetch(SQL["segments"], workspace)]

    async def get(self, segment: UUID) -> Segment | None:
        record = await self._conn.fetchrow(SQL["segment_by_id"], segment)
        return _segment(record) if record else None

    async def add(self, workspace: UUID, entity: Entity, name: str, where: Filter, by: UUID) -> Segment | None:
        record = await self._conn.fetchrow(SQL["insert_segment"], workspace, entity, name, _json(where), by)
        return _segment(record) if record else None

    async def change(self, segment: UUID, name: str, where: Filter) -> Segment | None:
        try:
            async with self._conn.transaction():  # a savepoint: the caller's transaction survives
                record = await self._conn.fetchrow(SQL["update_segment"], segment, name, _json(where))
        except asyncpg.UniqueViolationError:
            return None
        return _segment(record)

    async def remove(self, segment: UUID) -> None:
        await self._conn.execute(SQL["delete_segment"], segment)
