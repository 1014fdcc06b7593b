"""Organisations: create, read, update, soft-delete and list with search and filters.

A contact is found by its company's name, so renaming an organisation re-indexes its contacts,
and deleting one unlinks them — in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.access import Action
from server.domain.contacts import Filter, contact_lexemes, search_query
from server.domain.edits import apply_organisation, organisation_from_row
from server.domain.fields import Entity
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.filters import resolve_filter
from server.services.permissions import check_delete
from server.services.records import check_references, definitions, organisation_workspace, workspace_role

if TYPE_CHECKING:
    from server.storage.unit import Begin, Tx


def organisation_key(organisation: UUID) -> str:
    return f"organisation:{organisation}"


class Organisations:
    """The organisation use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def create(self, caller: Caller, workspace: UUID, changes: Mapping[str, Any]) -> dict[str, Any]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            values = apply_organisation(None, {"owner_id": caller.id, **changes},
                                        await definitions(tx, workspace, Entity.ORGANISATION))
            await check_references(tx, workspace, values.owner_id)
            organisation = await tx.contacts.insert_organisation(workspace, values, caller.id)
            row = (await tx.contacts.organisations_by_id([organisation]))[0]
        await self._feed.changed(workspace, [organisation_key(organisation)])
        return row

    async def get(self, caller: Caller, organisation: UUID) -> dict[str, Any]:
        async with self._begin() as tx:
            await organisation_workspace(tx, caller, organisation, Action.READ_CONTACTS)
            return (await tx.contacts.organisations_by_id([organisation]))[0]

    async def update(self, caller: Caller, organisation: UUID, changes: Mapping[str, Any]) -> dict[str, Any]:
        async with self._begin() as tx:
            workspace = await organisation_workspace(tx, caller, organisation, Action.EDIT_CONTACTS)
            await tx.contacts.lock_organisation(organisation)
            current = organisation_from_row((await tx.contacts.organisations_by_id([organisation]))[0])
            values = apply_organisation(current, changes, await definitions(tx, workspace, Entity.ORGANISATION))
            await check_references(tx, workspace, values.owner_id)
            await tx.contacts.update_organisation(organisation, values)
            keys = [organisation_key(organisation)]
            if values.name != current.name:
                keys += await _reindex_contacts(tx, organisation, values.name)
            row = (await tx.contacts.organisations_by_id([organisation]))[0]
        await self._feed.changed(workspace, keys)
        return row

    async def delete(self, caller: Caller, organisation: UUID, address: str) -> None:
        async with self._begin() as tx:
            workspace = await organisation_workspace(tx, caller, organisation, Action.EDIT_CONTACTS)
            owner = (await tx.contacts.organisations_by_id([organisation]))[0]["owner_id"]
            await check_delete(tx, caller, workspace, owner, "organisations")  # the level an admin set
            keys = [organisation_key(organisation), *await _reindex_contacts(tx, organisation, None)]
            await tx.contacts.unlink_organisation(organisation)
            await tx.contacts.delete_organisation(organisation)
            await tx.accounts.audit("organisation.deleted", actor=caller.id, workspace=workspace, address=address,
                                    organisation=organisation)
        await self._feed.changed(workspace, keys)

    async def list(self, caller: Caller, workspace: UUID, where: Filter, segment: UUID | None,
                   limit: int, offset: int) -> list[dict[str, Any]]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            where = await resolve_filter(tx, workspace, Entity.ORGANISATION, where, segment)
            return await tx.contacts.search_organisations(workspace, where, search_query(where.q), limit, offset)


async def _reindex_contacts(tx: Tx, organisation: UUID, company: str | None) -> list[str]:
    """Re-index the organisation's contacts under ``company`` (None: no company); their keys."""
    rows = await tx.contacts.contacts_of_organisation(organisation)
    await tx.contacts.set_contact_search(
        [row["id"] for row in rows],
        [contact_lexemes(r["first_name"], r["last_name"], r["job_title"], company, r["emails"], r["phone_digits"])
         for r in rows])
    return [f"contact:{row['id']}" for row in rows]
