"""What the contact, organisation, field and segment use cases share: who may do what, and lookups.

Contacts and organisations belong to the workspace: its members see them (viewers read, members
and above write); guests, who only hold shares of single boards, and everyone else get
``NotFound`` — with the same words as for a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.access import Action, NotFound, Role, permit
from server.domain.fields import Entity, FieldDefinition, FieldType
from server.domain.references import Reference, RecordKind, references_in, require_found
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


async def require_records(tx: Tx, workspace: UUID, references: Sequence[Reference]) -> None:
    """Refuse (``UnknownReference``, 422) any reference that is not a live contact, live organisation
    or member of ``workspace`` — another workspace's records answer like records that do not exist.
    One query, however many references."""
    if not references:
        return
    ids = {kind: [r.id for r in references if r.kind is kind] for kind in RecordKind}
    found = await tx.contacts.records_in(workspace, ids[RecordKind.CONTACT], ids[RecordKind.ORGANISATION],
                                         ids[RecordKind.MEMBER])
    require_found(references, {(RecordKind(kind), id_) for kind, id_ in found})


async def check_references(tx: Tx, workspace: UUID, owner: UUID | None, organisation: UUID | None = None) -> None:
    """The owner must be a member of the workspace; the organisation a live one of it."""
    values = {"owner_id": owner, "organisation_id": organisation}
    await require_records(tx, workspace, references_in(values, RECORD_FIELDS))


RECORD_FIELDS = {"owner_id": RecordKind.MEMBER, "organisation_id": RecordKind.ORGANISATION}
