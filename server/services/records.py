"""What the contact, organisation, field and segment use cases share: who may do what, and lookups.

Contacts and organisations belong to the workspace: its members see them (viewers read, members
and above write); guests, who only hold shares of single boards, and everyone else get
``NotFound`` — with the same words as for a record that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar
from uuid import UUID

from server.domain.access import Action, NotFound, Role, permit
from server.domain.fields import Entity, FieldDefinition
from server.domain.references import Reference, RecordKind, references_in, require_found
from server.services.accounts import Caller
from server.services.ports.unit import Unit
from server.services.workspaces import role_of


async def workspace_role(tx: Unit, caller: Caller, workspace: UUID, action: Action) -> Role:
    """The caller's role if it allows ``action``; ``NotFound`` for guests and strangers."""
    return permit(role_of(await tx.workspaces.workspace_view(workspace, caller.id)), action)


async def contact_workspace(tx: Unit, caller: Caller, contact: UUID, action: Action) -> UUID:
    """The workspace of a live contact the caller may ``action``; unknown and hidden alike 404."""
    state = await tx.contacts.state(contact)
    if state is None:
        raise NotFound("no such contact")
    await _reach(tx, caller, state.workspace_id, action, "no such contact")
    if state.deleted:
        merged = f": it was merged into {state.merged_into}" if state.merged_into else ""
        raise NotFound(f"no such contact{merged}")
    return state.workspace_id


async def organisation_workspace(tx: Unit, caller: Caller, organisation: UUID, action: Action) -> UUID:
    state = await tx.organisations.state(organisation)
    if state is None:
        raise NotFound("no such organisation")
    await _reach(tx, caller, state.workspace_id, action, "no such organisation")
    if state.deleted:
        raise NotFound("no such organisation")
    return state.workspace_id


class InWorkspace(Protocol):
    @property
    def workspace_id(self) -> UUID: ...


Found = TypeVar("Found", bound=InWorkspace)


async def in_reach(tx: Unit, caller: Caller, found: Found | None, action: Action, words: str) -> Found:
    """``found`` (a lead, a request …) if the caller may ``action`` in its workspace; a record that
    does not exist and one the caller may not see alike raise ``NotFound(words)``."""
    if found is None:
        raise NotFound(words)
    await _reach(tx, caller, found.workspace_id, action, words)
    return found


async def _reach(tx: Unit, caller: Caller, workspace: UUID, action: Action, words: str) -> None:
    try:
        await workspace_role(tx, caller, workspace, action)
    except NotFound:
        raise NotFound(words) from None  # the same words whether it exists or not


async def definitions(tx: Unit, workspace: UUID, entity: Entity) -> dict[str, FieldDefinition]:
    """The workspace's custom field definitions for ``entity``, by key."""
    return {field.key: field.definition for field in await tx.field_definitions.of_workspace(workspace, entity)}


async def members(tx: Unit, workspace: UUID) -> dict[UUID, str]:
    """The workspace's members: id → e-mail (owners of records must be members)."""
    return {member.user.id: member.user.email for member in await tx.members.all(workspace)}


async def require_records(tx: Unit, workspace: UUID, references: Sequence[Reference]) -> None:
    """Refuse (``UnknownReference``, 422) any reference that is not a live contact, live organisation
    or member of ``workspace`` — another workspace's records answer like records that do not exist.
    One query, however many references."""
    if not references:
        return
    ids = {kind: [r.id for r in references if r.kind is kind] for kind in RecordKind}
    found = await tx.lookups.records_in(workspace, ids[RecordKind.CONTACT], ids[RecordKind.ORGANISATION],
                                        ids[RecordKind.MEMBER])
    require_found(references, found)


async def check_references(tx: Unit, workspace: UUID, owner: UUID | None, organisation: UUID | None = None) -> None:
    """The owner must be a member of the workspace; the organisation a live one of it."""
    values = {"owner_id": owner, "organisation_id": organisation}
    await require_records(tx, workspace, references_in(values, RECORD_FIELDS))


RECORD_FIELDS = {"owner_id": RecordKind.MEMBER, "organisation_id": RecordKind.ORGANISATION}
