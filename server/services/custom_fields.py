"""Custom field definitions of a workspace: admins define them, every member reads them.

A definition's key and type are fixed once made (delete and define again to change them; a
deleted field's values are removed from every record). Changing a select field's options
does not rewrite stored values; a value no longer among the options is refused on its next write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import Conflict
from server.domain.fields import Entity, FieldType, check_definition
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.records import workspace_role

if TYPE_CHECKING:
    from server.storage.unit import Begin, Tx

FIELDS_KEY = "customFields"


class CustomFields:
    """The custom field use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def list(self, caller: Caller, workspace: UUID, entity: Entity | None) -> list[dict[str, Any]]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            return await tx.contacts.custom_fields(workspace, entity)

    async def create(self, caller: Caller, workspace: UUID, entity: Entity, key: str, label: str,
                     type_: FieldType, options: Sequence[str], address: str) -> dict[str, Any]:
        definition = check_definition(key, label, type_, options)
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_FIELDS)
            row = await tx.contacts.insert_field(workspace, entity, definition.key, definition.label,
                                                 definition.type, definition.options)
            if row is None:
                raise Conflict(f"the {entity} field {key!r} exists already: choose another key")
            await tx.accounts.audit("custom_field.created", actor=caller.id, workspace=workspace, address=address,
                                    entity=entity, key=key, type=type_)
        await self._feed.changed(workspace, [FIELDS_KEY])
        return row

    async def update(self, caller: Caller, field: UUID, label: str | None, options: Sequence[str] | None,
                     address: str) -> dict[str, Any]:
        async with self._begin() as tx:
            row = await self._reach(tx, caller, field)
            definition = check_definition(row["key"], label if label is not None else row["label"],
                                          FieldType(row["type"]), options if options is not None else row["options"])
            updated = await tx.contacts.update_field(field, definition.label, definition.options)
            await tx.accounts.audit("custom_field.changed", actor=caller.id, workspace=row["workspace_id"],
                                    address=address, entity=row["entity"], key=row["key"])
        await self._feed.changed(row["workspace_id"], [FIELDS_KEY])
        return updated

    async def delete(self, caller: Caller, field: UUID, address: str) -> None:
        async with self._begin() as tx:
            row = await self._reach(tx, caller, field)
            await tx.contacts.delete_field(row["workspace_id"], field, row["entity"], row["key"])
            await tx.accounts.audit("custom_field.deleted", actor=caller.id, workspace=row["workspace_id"],
                                    address=address, entity=row["entity"], key=row["key"])
        records = [f"{row['entity']}:*"] if row["entity"] in (Entity.CONTACT, Entity.ORGANISATION) else []
        await self._feed.changed(row["workspace_id"], [FIELDS_KEY, *records])

    async def _reach(self, tx: Tx, caller: Caller, field: UUID) -> dict[str, Any]:
        row = await tx.contacts.field_by_id(field)
        if row is None:
            raise NotFound("no such custom field")
        try:
            await workspace_role(tx, caller, row["workspace_id"], Action.MANAGE_FIELDS)
        except NotFound:
            raise NotFound("no such custom field") from None
        return row
