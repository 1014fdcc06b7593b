"""Expertise (docs/expertise.md): a workspace's list of expertise tags and each member's tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.expertise import Tag


class Expertise(Protocol):
    async def tags(self, workspace: UUID) -> list[Tag]:
        """The workspace's tags, by name (case-insensitive)."""
        ...

    async def put_tag(self, workspace: UUID, tag: Tag) -> bool:
        """Add or rename ``tag``; False if another tag of the workspace has that name (any case)."""
        ...

    async def remove_tag(self, workspace: UUID, tag: UUID) -> bool:
        """Remove the tag from the list and from every member; False if there was none."""
        ...

    async def of_members(self, workspace: UUID) -> dict[UUID, frozenset[UUID]]:
        """Each member's tags (members without any are absent)."""
        ...

    async def set_member(self, workspace: UUID, user: UUID, tags: Sequence[UUID]) -> None:
        """Replace ``user``'s tags in the workspace with ``tags`` (tags of the workspace)."""
        ...
