"""What the contact, organisation, field and segment use cases share: who may do what, and lookups.

Contacts and organisations belong to the workspace: its members see them (viewers read, members
and above write); guests, who only hold shares of single boards, and everyone else get
``NotFound`` — with the same words as for a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.access import Action, NotFound, Role, permit
from server.domain.accounts import InvalidInput
from server.domain.fields import Entity, FieldDefinition, FieldType
from server.services.accounts import Caller
from server.services.workspaces import role_of

if TYPE_CHECKING:
    from server.storage.unit import Tx


async def workspace_role(tx: Tx, caller: Caller, workspace: UUID, action: Action) -> Role:
    """The caller's role if it allows ``action``; ``NotFound`` for guests and strangers."""
    return permit(role_of(await tx.workspaces.workspace_view(workspace, caller.id)), action)


async def contact_workspace(tx: Tx, caller: Caller, contact: UUID, action: Action) -> UUID:
    """The workspace of a live contact the caller may ``action``; unknown and hidden alike 404."""
    row = await tx.contacts.contact_workspace(contact)
    if row is None:
        raise NotFound("no such contact")
    await _reach(tx, caller, row["workspace_id"], action, "no such contact")
    if row["deleted_at"] is not None:
        merged = f": it was merged into {row['merged_into']}" if row["merged_into"] else ""
        raise NotFound(f"no such contact{merged}")
    return row["workspace_id"]


async def organisation_workspace(tx: Tx, caller: Caller, organisation: UUID, action: Action) -> UUID:
    row = await tx.contacts.organisation_workspace(organisation)
    if row is None:
        raise NotFound("no such organisation")
    await _reach(tx, caller, row["workspace_id"], action, "no such organisation")
    if row["deleted_at"] is not None:
        raise NotFound("no such organisation")
    return row["workspace_id"]


async def _reach(tx: Tx, caller: Caller, workspace: UUID, action: Action, words: str) -> None:
    try:
        await workspace_role(tx, caller, workspace, action)
    except NotFound:
        raise NotFound(words) from None  # the same words whether it exists or not


async def definitions(tx: Tx, workspace: UUID, entity: Entity) -> dict[str, FieldDefinition]:
    rows = await tx.contacts.custom_fields(workspace, entity)
    return {row["key"]: to_definition(row) for row in rows}


def to_definition(row: Mapping[str, Any]) -> FieldDefinition:
    return FieldDefinition(row["key"], row["label"], FieldType(row["type"]), tuple(row["options"]))


async def check_references(tx: Tx, workspace: UUID, owner: UUID | None, organisation: UUID | None = None) -> None:
    """The owner must be a member of the workspace; the organisation a live one of it."""
    if owner is not None and owner not in await tx.contacts.members(workspace):
        raise InvalidInput(f"expected the owner to be a member of this workspace; {owner} is not")
    if organisation is not None:
        row = await tx.contacts.organisation_workspace(organisation)
        if row is None or row["workspace_id"] != workspace or row["deleted_at"] is not None:
            raise InvalidInput(f"expected an organisation of this workspace; there is none with id {organisation}")
