"""In-memory twins of ``FieldDefinitions`` and ``SavedSegments`` (tables ``custom_fields``, ``segments``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from uuid import UUID, uuid4

import msgspec

from server.domain.contacts import Filter
from server.domain.fields import CustomField, Entity, FieldDefinition
from server.domain.segments import Segment, filter_from_json, filter_to_json
from server.storage.memory.unit import MemoryDatabase



def _stored(where: Filter) -> Filter:
    """``where`` as it reads back from JSON storage (what Postgres gives)."""
    return filter_from_json(json.loads(json.dumps(filter_to_json(where))))


def _strip_contact_values(db: MemoryDatabase, workspace: UUID, key: str) -> None:
    """Drop ``key`` from the custom values of the workspace's contacts (rows of the contact twins)."""
    for row in db.table("contacts").values():
        if row.workspace_id == workspace and key in row.indexed.values.fields:
            fields = {k: v for k, v in row.indexed.values.fields.items() if k != key}
            row.indexed = row.indexed._replace(values=row.indexed.values._replace(fields=fields))


def _strip_organisation_values(db: MemoryDatabase, workspace: UUID, key: str) -> None:
    for row in db.table("organisations").values():
        if row.workspace_id == workspace and key in row.values.fields:
            row.values = row.values._replace(fields={k: v for k, v in row.values.fields.items() if k != key})


# Where each entity's records keep their values (deal values live in board documents).
VALUE_STRIPPERS: dict[Entity, Callable[[MemoryDatabase, UUID, str], None]] = {
    Entity.CONTACT: _strip_contact_values, Entity.ORGANISATION: _strip_organisation_values}


class MemoryFieldDefinitions:
    """Implements ``server.services.ports.custom_fields.FieldDefinitions`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._fields: dict[UUID, CustomField] = db.table("custom_fields")
        self._db = db

    async def of_workspace(self, workspace: UUID, entity: Entity | None = None) -> list[CustomField]:
        found = [f for f in self._fields.values() if f.workspace_id == workspace and entity in (None, f.entity)]
        return sorted(found, key=lambda f: (f.entity, f.position, f.created_at, f.key))

    async def add(self, workspace: UUID, entity: Entity, definition: FieldDefinition) -> CustomField | None:
        if any(f.workspace_id == workspace and f.entity == entity and f.key == definition.key
               for f in self._fields.values()):
            return None
        last = max((f.position + 1 for f in self._fields.values()
                    if f.workspace_id == workspace and f.entity == entity), default=0)
        field = CustomField(uuid4(), workspace, entity, definition.key, definition.label, definition.type,
                            tuple(definition.options), self._db.now(), last)
        self._fields[field.id] = field
        return field

    async def get(self, field: UUID) -> CustomField | None:
        return self._fields.get(field)

    async def change(self, field: UUID, label: str, options: Sequence[str]) -> CustomField:
        changed = msgspec.structs.replace(self._fields[field], label=label, options=tuple(options))
        self._fields[field] = changed
        return changed

    async def reorder(self, workspace: UUID, entity: Entity, fields: Sequence[UUID]) -> None:
        for position, field in enumerate(fields, start=1):
            found = self._fields.get(field)
            if found is not None and found.workspace_id == workspace and found.entity == entity:
                self._fields[field] = msgspec.structs.replace(found, position=position)

    async def remove(self, field: CustomField) -> None:
        self._fields.pop(field.id, None)
        strip = VALUE_STRIPPERS.get(field.entity)
        if strip is not None:
            strip(self._db, field.workspace_id, field.key)


class MemorySavedSegments:
    """Implements ``server.services.ports.custom_fields.SavedSegments`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._segments: dict[UUID, Segment] = db.table("segments")
        self._now = db.now

    async def of_workspace(self, workspace: UUID) -> list[Segment]:
        return sorted((s for s in self._segments.values() if s.workspace_id == workspace),
                      key=lambda s: (s.entity, s.name))

    async def get(self, segment: UUID) -> Segment | None:
        return self._segments.get(segment)

    async def add(self, workspace: UUID, entity: Entity, name: str, where: Filter, by: UUID) -> Segment | None:
        if self._taken(workspace, entity, name, None):
            return None
        now = self._now()
        segment = Segment(uuid4(), workspace, entity, name, _stored(where), by, now, now)
        self._segments[segment.id] = segment
        return segment

    async def change(self, segment: UUID, name: str, where: Filter) -> Segment | None:
        current = self._segments[segment]
        if self._taken(current.workspace_id, current.entity, name, segment):
            return None
        changed = msgspec.structs.replace(current, name=name, filter=_stored(where), updated_at=self._now())
        self._segments[segment] = changed
        return changed

    async def remove(self, segment: UUID) -> None:
        self._segments.pop(segment, None)

    def _taken(self, workspace: UUID, entity: Entity, name: str, other_than: UUID | None) -> bool:
        return any(s.workspace_id == workspace and s.entity == entity and s.name == name and s.id != other_than
                   for s in self._segments.values())
