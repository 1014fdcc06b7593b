"""Contacts: create, read, update, soft-delete, list with search and filters, duplicates and merge.

Every write commits first and then notes the change in the workspace document
(``server.services.feed``), so a client that refetches on the notice reads the committed row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from server.domain.access import Action, NotFound
from server.domain.accounts import InvalidInput
from server.domain.contacts import Contact, ContactValues, Filter, Indexed
from server.domain.duplicates import Candidate, duplicate_pairs, merge_values, name_key
from server.domain.edits import apply_contact
from server.domain.fields import Entity
from server.services.accounts import Caller
from server.services.feed import ChangeFeed
from server.services.file_removal import forget_contacts
from server.services.filters import resolve_filter
from server.services.permissions import check_delete
from server.services.ports.unit import Begin, Unit
from server.services.automation_events import enqueue_record_created
from server.services.webhooks import changed_values, contact_data, emit
from server.services.records import check_references, contact_workspace, definitions, workspace_role

MAX_MERGE = 10
MAX_DUPLICATE_PAIRS = 500


def contact_key(contact: UUID) -> str:
    return f"contact:{contact}"


class Contacts:
    """The contact use cases."""

    def __init__(self, begin: Begin, feed: ChangeFeed) -> None:
        self._begin, self._feed = begin, feed

    async def create(self, caller: Caller, workspace: UUID, changes: Mapping[str, Any]) -> Contact:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            values = apply_contact(None, {"owner_id": caller.id, **changes},
                                   await definitions(tx, workspace, Entity.CONTACT))
            contact = await tx.contacts.insert(workspace, await _indexed(tx, workspace, values), caller.id)
            created = await _one(tx, contact)
            await emit(tx, workspace, "contact.created", contact_data(created))
            await enqueue_record_created(tx, workspace, "contact", contact_data(created))  # issue 16
        await self._feed.changed(workspace, [contact_key(contact)])
        return created

    async def get(self, caller: Caller, contact: UUID) -> Contact:
        async with self._begin() as tx:
            await contact_workspace(tx, caller, contact, Action.READ_CONTACTS)
            return await _one(tx, contact)

    async def update(self, caller: Caller, contact: UUID, changes: Mapping[str, Any]) -> Contact:
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.EDIT_CONTACTS)
            if not await tx.contacts.lock([contact]):
                raise NotFound("no such contact")  # deleted or merged a moment ago
            current = (await _one(tx, contact)).values
            values = apply_contact(current, changes, await definitions(tx, workspace, Entity.CONTACT))
            await tx.contacts.update(contact, await _indexed(tx, workspace, values))
            updated = await _one(tx, contact)
            if changes := changed_values(current, updated.values):
                await emit(tx, workspace, "contact.updated", {**contact_data(updated), "changes": changes})
        await self._feed.changed(workspace, [contact_key(contact)])
        return updated

    async def delete(self, caller: Caller, contact: UUID, address: str) -> None:
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.EDIT_CONTACTS)
            gone = await _one(tx, contact)
            owner = gone.values.owner_id
            await check_delete(tx, caller, workspace, owner, "contacts")  # the level an admin set
            await emit(tx, workspace, "contact.deleted", contact_data(gone))
            await tx.contacts.delete(contact)
            await forget_contacts(tx, workspace, [contact, *await tx.links.merged_into(contact)])  # docs/files.md
            await tx.audit.record("contact.deleted", actor=caller.id, workspace=workspace, address=address,
                                  contact=contact)
        await self._feed.changed(workspace, [contact_key(contact)])

    async def list(self, caller: Caller, workspace: UUID, where: Filter, segment: UUID | None,
                   limit: int, offset: int) -> list[Contact]:
        """One page of the workspace's contacts matching ``where`` (and ``segment``'s filter)."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            where = await resolve_filter(tx, workspace, Entity.CONTACT, where, segment)
            return await tx.contact_search.contacts(workspace, where, limit, offset)

    async def duplicates_of(self, caller: Caller, contact: UUID) -> list[tuple[Contact, str]]:
        """Live contacts that look like the same person as ``contact``, with the reason."""
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.READ_CONTACTS)
            record = await _one(tx, contact)
            others = await tx.duplicates.of_contact(workspace, record)
            pairs = duplicate_pairs([_candidate(record), *others])
            reasons = {b if a == contact else a: reason for a, b, reason in pairs if contact in (a, b)}
            found = await tx.contacts.by_ids(list(reasons))
        return [(other, reasons[other.id]) for other in sorted(found, key=lambda c: str(c.id))]

    async def duplicates(self, caller: Caller, workspace: UUID) -> list[tuple[UUID, UUID, str]]:
        """Likely duplicate pairs across the workspace (at most ``MAX_DUPLICATE_PAIRS``)."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            candidates = await tx.duplicates.candidates(workspace)
        # Seconds of CPU at 100,000 contacts: off the event loop, so sockets keep flowing.
        return await asyncio.to_thread(_report, candidates)

    async def merge(self, caller: Caller, survivor: UUID, others: Sequence[UUID], address: str) -> Contact:
        """Fold ``others`` into ``survivor`` in one transaction: values combined (``merge_values``),
        the others retired with ``merged_into``, an audit event, and the deals and activities that
        named the others name the survivor (their links are rows: ``EntryLinks.repoint``). Notes
        keep their subject id and are found through ``merged_into`` (``Links``)."""
        others = list(dict.fromkeys(others))
        if not others or survivor in others or len(others) > MAX_MERGE:
            raise InvalidInput(f"expected 1 to {MAX_MERGE} other contacts to merge into {survivor}, "
                               f"not including it; got {len(others)}")
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, survivor, Action.EDIT_CONTACTS)
            locked = await tx.contacts.lock([survivor, *others])
            missing = [o for o in (survivor, *others) if locked.get(o) != workspace]
            if missing:
                raise NotFound(f"no such contact: {missing[0]}")
            records = {c.id: c.values for c in await tx.contacts.by_ids([survivor, *others])}
            merged = merge_values(records[survivor], [records[o] for o in others])
            await tx.contacts.update(survivor, await _indexed(tx, workspace, merged))
            await tx.duplicates.merge(others, survivor)
            await tx.audit.record("contact.merged", actor=caller.id, workspace=workspace, address=address,
                                  contact=survivor, merged=others)
            await tx.entry_links.repoint(others, survivor)
            kept = await _one(tx, survivor)
            if changes := changed_values(records[survivor], kept.values):
                await emit(tx, workspace, "contact.updated", {**contact_data(kept), "changes": changes})
            for other in await tx.contacts.by_ids(others):  # merged away: gone, as receivers see it
                await emit(tx, workspace, "contact.deleted", {**contact_data(other), "merged_into": survivor})
        await self._feed.changed(workspace, [contact_key(c) for c in (survivor, *others)])
        return kept


async def _one(tx: Unit, contact: UUID) -> Contact:
    """A contact the caller was allowed to reach in this unit (so it exists)."""
    return (await tx.contacts.by_ids([contact]))[0]


async def _indexed(tx: Unit, workspace: UUID, values: ContactValues) -> Indexed:
    """``values`` with what lists and search need: the sort key and the lexemes (with the company)."""
    await check_references(tx, workspace, values.owner_id, values.organisation_id)
    company = None
    if values.organisation_id is not None:
        company = (await tx.organisations.by_ids([values.organisation_id]))[0].values.name
    return Indexed(values, values.sort_name(), values.lexemes(company))


def _report(candidates: Sequence[Candidate]) -> list[tuple[UUID, UUID, str]]:
    pairs = duplicate_pairs(candidates)
    return sorted(pairs, key=lambda p: (p[2], str(p[0]), str(p[1])))[:MAX_DUPLICATE_PAIRS]


def _candidate(contact: Contact) -> Candidate:
    values = contact.values
    return Candidate(contact.id, values.organisation_id, name_key(values.first_name, values.last_name),
                     tuple(values.emails), tuple(values.phone_digits))
