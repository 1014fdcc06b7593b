"""Contacts: create, read, update, soft-delete, list with search and filters, duplicates and merge.

Every write commits first and then notes the change in the workspace document
(``server.services.feed``), so a client that refetches on the notice reads the committed row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import InvalidInput
from server.domain.contacts import ContactValues, Filter, search_query
from server.domain.duplicates import Candidate, duplicate_pairs, merge_values, name_key
from server.domain.edits import apply_contact, contact_from_row
from server.domain.fields import Entity
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.filters import resolve_filter
from server.services.permissions import check_delete
from server.services.records import check_references, contact_workspace, definitions, workspace_role

if TYPE_CHECKING:
    from server.services.references import ContactReferences
    from server.storage.unit import Begin, Tx

MAX_MERGE = 10
MAX_DUPLICATE_PAIRS = 500


def contact_key(contact: UUID) -> str:
    return f"contact:{contact}"


class Contacts:
    """The contact use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed, references: ContactReferences | None = None) -> None:
        self._begin, self._feed, self._references = begin, feed, references

    async def create(self, caller: Caller, workspace: UUID, changes: Mapping[str, Any]) -> dict[str, Any]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            values = apply_contact(None, {"owner_id": caller.id, **changes},
                                   await definitions(tx, workspace, Entity.CONTACT))
            contact = await tx.contacts.insert_contact(workspace, *await _indexed(tx, workspace, values), caller.id)
            row = (await tx.contacts.contacts_by_id([contact]))[0]
        await self._feed.changed(workspace, [contact_key(contact)])
        return row

    async def get(self, caller: Caller, contact: UUID) -> dict[str, Any]:
        async with self._begin() as tx:
            await contact_workspace(tx, caller, contact, Action.READ_CONTACTS)
            return (await tx.contacts.contacts_by_id([contact]))[0]

    async def update(self, caller: Caller, contact: UUID, changes: Mapping[str, Any]) -> dict[str, Any]:
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.EDIT_CONTACTS)
            if not await tx.contacts.lock_contacts([contact]):
                raise NotFound("no such contact")  # deleted or merged a moment ago
            current = contact_from_row((await tx.contacts.contacts_by_id([contact]))[0])
            values = apply_contact(current, changes, await definitions(tx, workspace, Entity.CONTACT))
            await tx.contacts.update_contact(contact, *await _indexed(tx, workspace, values))
            row = (await tx.contacts.contacts_by_id([contact]))[0]
        await self._feed.changed(workspace, [contact_key(contact)])
        return row

    async def delete(self, caller: Caller, contact: UUID, address: str) -> None:
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.EDIT_CONTACTS)
            owner = (await tx.contacts.contacts_by_id([contact]))[0]["owner_id"]
            await check_delete(tx, caller, workspace, owner, "contacts")  # the level an admin set
            await tx.contacts.delete_contact(contact)
            await tx.accounts.audit("contact.deleted", actor=caller.id, workspace=workspace, address=address,
                                    contact=contact)
        await self._feed.changed(workspace, [contact_key(contact)])

    async def list(self, caller: Caller, workspace: UUID, where: Filter, segment: UUID | None,
                   limit: int, offset: int) -> list[dict[str, Any]]:
        """One page of the workspace's contacts matching ``where`` (and ``segment``'s filter)."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            where = await resolve_filter(tx, workspace, Entity.CONTACT, where, segment)
            return await tx.contacts.search_contacts(workspace, where, search_query(where.q), limit, offset)

    async def duplicates_of(self, caller: Caller, contact: UUID) -> list[tuple[dict[str, Any], str]]:
        """Live contacts that look like the same person as ``contact``, with the reason."""
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.READ_CONTACTS)
            row = (await tx.contacts.contacts_by_id([contact]))[0]
            others = await tx.contacts.duplicates_of(workspace, contact, row["emails"], row["phone_digits"],
                                                     row["organisation_id"])
            pairs = duplicate_pairs([_candidate(row), *map(_candidate, others)])
            reasons = {b if a == contact else a: reason for a, b, reason in pairs if contact in (a, b)}
            found = await tx.contacts.contacts_by_id(list(reasons))
        return [(other, reasons[other["id"]]) for other in sorted(found, key=lambda r: str(r["id"]))]

    async def duplicates(self, caller: Caller, workspace: UUID) -> list[tuple[UUID, UUID, str]]:
        """Likely duplicate pairs across the workspace (at most ``MAX_DUPLICATE_PAIRS``)."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            candidates = await tx.contacts.duplicate_candidates(workspace)
        # Seconds of CPU at 100,000 contacts: off the event loop, so sockets keep flowing.
        return await asyncio.to_thread(_report, candidates)

    async def merge(self, caller: Caller, survivor: UUID, others: Sequence[UUID], address: str) -> dict[str, Any]:
        """Fold ``others`` into ``survivor`` in one transaction: values combined (``merge_values``),
        the others retired with ``merged_into``, an audit event. Links follow the merge at once
        (``Links`` reads the references of merged contacts too); then the deals and activities in
        board documents that named the others are pointed at the survivor (``ContactReferences``)."""
        others = list(dict.fromkeys(others))
        if not others or survivor in others or len(others) > MAX_MERGE:
            raise InvalidInput(f"expected 1 to {MAX_MERGE} other contacts to merge into {survivor}, "
                               f"not including it; got {len(others)}")
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, survivor, Action.EDIT_CONTACTS)
            locked = {row["id"]: row["workspace_id"] for row in await tx.contacts.lock_contacts([survivor, *others])}
            missing = [o for o in (survivor, *others) if locked.get(o) != workspace]
            if missing:
                raise NotFound(f"no such contact: {missing[0]}")
            rows = {row["id"]: row for row in await tx.contacts.contacts_by_id([survivor, *others])}
            merged = merge_values(contact_from_row(rows[survivor]), [contact_from_row(rows[o]) for o in others])
            await tx.contacts.update_contact(survivor, *await _indexed(tx, workspace, merged))
            await tx.contacts.merge_contacts(others, survivor)
            await tx.accounts.audit("contact.merged", actor=caller.id, workspace=workspace, address=address,
                                    contact=survivor, merged=others)
            row = (await tx.contacts.contacts_by_id([survivor]))[0]
        await self._feed.changed(workspace, [contact_key(c) for c in (survivor, *others)])
        if self._references is not None:
            await self._references.repoint(caller.id, others, survivor)
        return row


async def _indexed(tx: Tx, workspace: UUID, values: ContactValues) -> tuple[ContactValues, str, list[str]]:
    """``values`` with what lists and search need: the sort key and the lexemes (with the company)."""
    await check_references(tx, workspace, values.owner_id, values.organisation_id)
    company = None
    if values.organisation_id is not None:
        company = (await tx.contacts.organisations_by_id([values.organisation_id]))[0]["name"]
    return values, values.sort_name(), values.lexemes(company)


def _report(candidates: Sequence[Mapping[str, Any]]) -> list[tuple[UUID, UUID, str]]:
    pairs = duplicate_pairs([_candidate(row) for row in candidates])
    return sorted(pairs, key=lambda p: (p[2], str(p[0]), str(p[1])))[:MAX_DUPLICATE_PAIRS]


def _candidate(row: Mapping[str, Any]) -> Candidate:
    return Candidate(row["id"], row["organisation_id"], name_key(row["first_name"], row["last_name"]),
                     tuple(row["emails"]), tuple(row["phone_digits"]))
