"""``MemoryExpertise``: the in-memory twin of ``PostgresExpertise``. Tables ``expertise_tags``
(tag id -> (workspace, Tag)) and ``member_expertise`` ((workspace, user) -> tag ids)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.expertise import Tag
from server.storage.memory.unit import MemoryDatabase


class MemoryExpertise:
    """Implements ``server.services.ports.expertise.Expertise`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._tags: dict[UUID, tuple[UUID, Tag]] = db.table("expertise_tags")
        self._members: dict[tuple[UUID, UUID], frozenset[UUID]] = db.table("member_expertise")

    async def tags(self, workspace: UUID) -> list[Tag]:
        found = [tag for ws, tag in self._tags.values() if ws == workspace]
        return sorted(found, key=lambda t: (t.name.lower(), str(t.id)))

    async def put_tag(self, workspace: UUID, tag: Tag) -> bool:
        if any(t.name.lower() == tag.name.lower() and t.id != tag.id for t in await self.tags(workspace)):
            return False
        if tag.id not in self._tags or self._tags[tag.id][0] == workspace:
            self._tags[tag.id] = (workspace, tag)
        return True

    async def remove_tag(self, workspace: UUID, tag: UUID) -> bool:
        if self._tags.get(tag, (None,))[0] != workspace:
            return False
        del self._tags[tag]
        for key, tags in list(self._members.items()):
            self._members[key] = tags - {tag}
        return True

    async def of_members(self, workspace: UUID) -> dict[UUID, frozenset[UUID]]:
        return {user: tags for (ws, user), tags in self._members.items() if ws == workspace and tags}

    async def set_member(self, workspace: UUID, user: UUID, tags: Sequence[UUID]) -> None:
        self._members[workspace, user] = frozenset(t for t in tags if self._tags.get(t, (None,))[0] == workspace)
