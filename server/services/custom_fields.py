"""Custom field definitions of a workspace: admins define them, every member reads them.

A definition's key and type are fixed once made (delete and define again to change them; a
deleted field's values are removed from every record). Changing a select field's options
does not rewrite stored values; a value no longer among the options is refused on its next write.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict, InvalidInput
from server.domain.fields import CustomField, Entity, FieldType, check_definition
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.ports.unit import Begin, Unit
from server.services.records import workspace_role

FIELDS_KEY = "customFields"


class CustomFields:
    """The custom field use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def list(self, caller: Caller, workspace: UUID, entity: Entity | None) -> list[CustomField]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.field_definitions.of_workspace(workspace, entity)

    async def create(self, caller: Caller, workspace: UUID, entity: Entity, key: str, label: str,
                     type_: FieldType, options: Sequence[str], address: str) -> CustomField:
        definition = check_definition(key, label, type_, options)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_FIELDS)
            field = await tx.field_definitions.add(workspace, entity, definition)
            if field is None:
                raise Conflict(f"the {entity} field {key!r} exists already: choose another key")
            await tx.audit.record("custom_field.created", actor=caller.id, workspace=workspace, address=address,
                                  entity=entity, key=key, type=type_)
        await self._feed.changed(workspace, [FIELDS_KEY])
        return field

    async def update(self, caller: Caller, field: UUID, label: str | None, options: Sequence[str] | None,
                     address: str) -> CustomField:
        async with self._begin() as tx:
            current = await self._reach(tx, caller, field)
            definition = check_definition(current.key, label if label is not None else current.label,
                                          current.type, options if options is not None else current.options)
            updated = await tx.field_definitions.change(field, definition.label, definition.options)
            await tx.audit.record("custom_field.changed", actor=caller.id, workspace=current.workspace_id,
                                  address=address, entity=current.entity, key=current.key)
        await self._feed.changed(current.workspace_id, [FIELDS_KEY])
        return updated

    async def reorder(self, caller: Caller, workspace: UUID, entity: Entity, fields: Sequence[UUID],
                      address: str) -> list[CustomField]:
        """Show the entity's fields in the order of ``fields``: every one of its fields, each once."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_FIELDS)
            current = await tx.field_definitions.of_workspace(workspace, entity)
            if len(set(fields)) != len(fields) or set(fields) != {f.id for f in current}:
                raise InvalidInput(f"expected every {entity} field of this workspace once "
                                   f"({len(current)} ids), got {len(fields)} ids")
            await tx.field_definitions.reorder(workspace, entity, fields)
            await tx.audit.record("custom_field.reordered", actor=caller.id, workspace=workspace, address=address,
                                  entity=entity)
            ordered = await tx.field_definitions.of_workspace(workspace, entity)
        await self._feed.changed(workspace, [FIELDS_KEY])
        return ordered

    async def delete(self, caller: Caller, field: UUID, address: str) -> None:
        async with self._begin() as tx:
            current = await self._reach(tx, caller, field)
            await tx.field_definitions.remove(current)
            await tx.audit.record("custom_field.deleted", actor=caller.id, workspace=current.workspace_id,
                                  address=address, entity=current.entity, key=current.key)
        records = [f"{current.entity}:*"] if current.entity in (Entity.CONTACT, Entity.ORGANISATION) else []
        await self._feed.changed(current.workspace_id, [FIELDS_KEY, *records])

    async def _reach(self, tx: Unit, caller: Caller, field: UUID) -> CustomField:
        found = await tx.field_definitions.get(field)
        if found is None:
            raise NotFound("no such custom field")
        try:
            await workspace_role(tx, caller, found.workspace_id, Action.MANAGE_FIELDS)
        except NotFound:
            raise NotFound("no such custom field") from None
        return found
