"""``PostgresExpertise``: tables ``expertise_tags`` and ``member_expertise`` (migration 0052)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.expertise import Tag
from server.storage.queries import queries

SQL = queries("expertise")


class PostgresExpertise:
    """Implements ``server.services.ports.expertise.Expertise``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def tags(self, workspace: UUID) -> list[Tag]:
        return [Tag(row[0], row[1]) for row in await self._conn.fetch(SQL["tags"], workspace)]

    async def put_tag(self, workspace: UUID, tag: Tag) -> bool:
        if await self._conn.fetchval(SQL["name_taken"], workspace, tag.name, tag.id):
            return False
        try:
            await self._conn.execute(SQL["put_tag"], tag.id, workspace, tag.name)
        except asyncpg.UniqueViolationError:  # the same name added at the same moment
            return False
        return True

    async def remove_tag(self, workspace: UUID, tag: UUID) -> bool:
        return await self._conn.execute(SQL["remove_tag"], workspace, tag) != "DELETE 0"

    async def of_members(self, workspace: UUID) -> dict[UUID, frozenset[UUID]]:
        return {row[0]: frozenset(row[1]) for row in await self._conn.fetch(SQL["of_members"], workspace)}

    async def set_member(self, workspace: UUID, user: UUID, tags: Sequence[UUID]) -> None:
        await self._conn.execute(SQL["clear_member"], workspace, user)
        await self._conn.execute(SQL["add_member_tags"], workspace, user, list(tags))
