"""Organisations: create, read, update, soft-delete and list with search and filters.

A contact is found by its company's name, so renaming an organisation re-indexes its contacts,
and deleting one unlinks them — in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from server.domain.access import Action
from server.domain.contacts import Filter, Organisation
from server.domain.edits import apply_organisation
from server.domain.fields import Entity
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.file_removal import forget_organisation
from server.services.filters import resolve_filter
from server.services.permissions import check_delete
from server.services.ports.unit import Begin, Unit
from server.services.automation_events import enqueue_record_created
from server.services.webhooks import changed_values, contact_data, emit
from server.services.records import check_references, definitions, organisation_workspace, workspace_role


def organisation_key(organisation: UUID) -> str:
    return f"organisation:{organisation}"


class Organisations:
    """The organisation use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def create(self, caller: Caller, workspace: UUID, changes: Mapping[str, Any]) -> Organisation:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            values = apply_organisation(None, {"owner_id": caller.id, **changes},
                                        await definitions(tx, workspace, Entity.ORGANISATION))
            await check_references(tx, workspace, values.owner_id)
            organisation = await tx.organisations.insert(workspace, values, caller.id)
            created = await _one(tx, organisation)
            await emit(tx, workspace, "organisation.created", contact_data(created))
            await enqueue_record_created(tx, workspace, "organisation", contact_data(created))  # issue 16
        await self._feed.changed(workspace, [organisation_key(organisation)])
        return created

    async def get(self, caller: Caller, organisation: UUID) -> Organisation:
        async with self._begin() as tx:
            await organisation_workspace(tx, caller, organisation, Action.READ_CONTACTS)
            return await _one(tx, organisation)

    async def update(self, caller: Caller, organisation: UUID, changes: Mapping[str, Any]) -> Organisation:
        async with self._begin() as tx:
            workspace = await organisation_workspace(tx, caller, organisation, Action.EDIT_CONTACTS)
            await tx.organisations.lock(organisation)
            current = (await _one(tx, organisation)).values
            values = apply_organisation(current, changes, await definitions(tx, workspace, Entity.ORGANISATION))
            await check_references(tx, workspace, values.owner_id)
            await tx.organisations.update(organisation, values)
            keys = [organisation_key(organisation)]
            if values.name != current.name:
                keys += await _reindex_contacts(tx, organisation, values.name)
            updated = await _one(tx, organisation)
            if changes := changed_values(current, updated.values):
                await emit(tx, workspace, "organisation.updated", {**contact_data(updated), "changes": changes})
        await self._feed.changed(workspace, keys)
        return updated

    async def delete(self, caller: Caller, organisation: UUID, address: str) -> None:
        async with self._begin() as tx:
            workspace = await organisation_workspace(tx, caller, organisation, Action.EDIT_CONTACTS)
            gone = await _one(tx, organisation)
            owner = gone.values.owner_id
            await check_delete(tx, caller, workspace, owner, "organisations")  # the level an admin set
            await emit(tx, workspace, "organisation.deleted", contact_data(gone))
            keys = [organisation_key(organisation), *await _reindex_contacts(tx, organisation, None)]
            await tx.organisations.delete(organisation)
            await forget_organisation(tx, workspace, organisation)  # its files (docs/files.md)
            await tx.audit.record("organisation.deleted", actor=caller.id, workspace=workspace, address=address,
                                  organisation=organisation)
        await self._feed.changed(workspace, keys)

    async def list(self, caller: Caller, workspace: UUID, where: Filter, segment: UUID | None,
                   limit: int, offset: int) -> list[Organisation]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            where = await resolve_filter(tx, workspace, Entity.ORGANISATION, where, segment)
            return await tx.contact_search.organisations(workspace, where, limit, offset)


async def _one(tx: Unit, organisation: UUID) -> Organisation:
    """An organisation the caller was allowed to reach in this unit (so it exists)."""
    return (await tx.organisations.by_ids([organisation]))[0]


async def _reindex_contacts(tx: Unit, organisation: UUID, company: str | None) -> list[str]:
    """Re-index the organisation's contacts under ``company`` (None: no company); their keys."""
    contacts = await tx.organisations.contacts_of(organisation)
    await tx.contact_search.reindex({contact.id: contact.values.lexemes(company) for contact in contacts})
    return [f"contact:{contact.id}" for contact in contacts]
