"""``PostgresFieldDefinitions``: custom field definitions, through one connection."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.fields import CustomField, Entity, FieldDefinition, FieldType
from server.storage.queries import queries

SQL = queries("custom_fields")
# Where each entity's records keep their values (deal values live in board documents).
_STRIP = {Entity.CONTACT: "strip_contact_values", Entity.ORGANISATION: "strip_organisation_values"}


def _field(record: asyncpg.Record) -> CustomField:
    return CustomField(record["id"], record["workspace_id"], Entity(record["entity"]), record["key"],
                       record["label"], FieldType(record["type"]), tuple(record["options"]), record["created_at"],
                       record["position"])


class PostgresFieldDefinitions:
    """Implements ``server.services.ports.custom_fields.FieldDefinitions``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_workspace(self, workspace: UUID, entity: Entity | None = None) -> list[CustomField]:
        return [_field(r) for r in await self._conn.fetch(SQL["custom_fields"], workspace, entity)]

    async def add(self, workspace: UUID, entity: Entity, definition: FieldDefinition) -> CustomField | None:
        record = await self._conn.fetchrow(SQL["insert_field"], workspace, entity, definition.key, definition.label,
                                           definition.type, list(definition.options))
        return _field(record) if record else None

    async def get(self, field: UUID) -> CustomField | None:
        record = await self._conn.fetchrow(SQL["field_by_id"], field)
        return _field(record) if record else None

    async def change(self, field: UUID, label: str, options: Sequence[str]) -> CustomField:
        return _field(await self._conn.fetchrow(SQL["update_field"], field, label, list(options)))

    async def reorder(self, workspace: UUID, entity: Entity, fields: Sequence[UUID]) -> None:
        await self._conn.execute(SQL["reorder_fields"], workspace, entity, list(fields))

    async def remove(self, field: CustomField) -> None:
        await self._conn.execute(SQL["delete_field"], field.id)
        if field.entity in _STRIP:
            await self._conn.execute(SQL[_STRIP[field.entity]], field.workspace_id, field.key)
