"""Custom field definitions and saved segments of a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.contacts import Filter
from server.domain.fields import CustomField, Entity, FieldDefinition
from server.domain.segments import Segment


class FieldDefinitions(Protocol):
    """The custom field definitions of workspaces."""

    async def of_workspace(self, workspace: UUID, entity: Entity | None = None) -> list[CustomField]:
        """The workspace's definitions (of ``entity`` only, if given), by entity, position, age and key."""

    async def add(self, workspace: UUID, entity: Entity, definition: FieldDefinition) -> CustomField | None:
        """Store a new definition, last of its entity's; None if ``entity`` already has a field with that key."""

    async def get(self, field: UUID) -> CustomField | None:
        """One definition, or None."""

    async def change(self, field: UUID, label: str, options: Sequence[str]) -> CustomField:
        """Relabel an existing definition and replace its options."""

    async def reorder(self, workspace: UUID, entity: Entity, fields: Sequence[UUID]) -> None:
        """Put the ``entity`` fields of ``workspace`` in the order of ``fields`` (their ids)."""

    async def remove(self, field: CustomField) -> None:
        """Delete a definition and every value stored under its key in the workspace's records."""


class SavedSegments(Protocol):
    """Named filters of workspaces; a name is unique per workspace and entity."""

    async def of_workspace(self, workspace: UUID) -> list[Segment]:
        """The workspace's segments, by entity and name."""

    async def get(self, segment: UUID) -> Segment | None:
        """One segment, or None."""

    async def add(self, workspace: UUID, entity: Entity, name: str, where: Filter, by: UUID) -> Segment | None:
        """Store a new segment; None if the name is taken for that entity."""

    async def change(self, segment: UUID, name: str, where: Filter) -> Segment | None:
        """Rename an existing segment and replace its filter; None if the name is taken."""

    async def remove(self, segment: UUID) -> None:
        """Delete a segment (nothing refers to it)."""
