"""What hangs off contacts and organisations: their deals, activities and notes, read from the
board projection, and their timeline (``server.domain.timeline``).

Deals and activities live in board documents and notes in note documents; the projection
(``server.services.projection``, migration 0003) copies them into SQL tables within about a
second of an edit, and this reads those tables. A merged contact's
references count for the contact it was merged into: ``aliases`` are every id that now means it.
Members see every board of their workspace, so the reader of a contact may see all of them. An
organisation's deals are its own and its people's; its timeline is theirs too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

from server.domain.access import Action
from server.domain.links import LinkedActivity, LinkedDeal, LinkedNote
from server.domain.service_requests import timeline_entry as request_entry
from server.domain.timeline import TimelineEntry, email_as_seen_by, merged
from server.services.files import file_entry
from server.services.accounts import Caller
from server.services.ports.unit import Begin, Unit
from server.services.records import contact_workspace, organisation_workspace


class ContactLinks(NamedTuple):
    contact: UUID
    aliases: list[UUID]
    deals: list[LinkedDeal]
    activities: list[LinkedActivity]
    notes: list[LinkedNote]


class OrganisationLinks(NamedTuple):
    organisation: UUID
    deals: list[LinkedDeal]
    notes: list[LinkedNote]


class Links:
    """The read side of what hangs off contacts and organisations."""

    def __init__(self, begin: Begin) -> None:
        self._begin = begin

    async def of_contact(self, caller: Caller, contact: UUID) -> ContactLinks:
        async with self._begin() as tx:
            await contact_workspace(tx, caller, contact, Action.READ_CONTACTS)
            aliases = [contact, *await tx.links.merged_into(contact)]
            deals = await tx.links.deals_of(aliases)
            activities = await tx.links.activities_of(aliases)
            notes = await tx.links.notes_of("contact", aliases)
        return ContactLinks(contact, aliases, deals, activities, notes)

    async def of_organisation(self, caller: Caller, organisation: UUID) -> OrganisationLinks:
        async with self._begin() as tx:
            await organisation_workspace(tx, caller, organisation, Action.READ_CONTACTS)
            deals = await tx.links.organisation_deals(organisation)
            notes = await tx.links.notes_of("organisation", [organisation])
        return OrganisationLinks(organisation, deals, notes)

    async def contact_timeline(self, caller: Caller, contact: UUID, limit: int, offset: int) -> list[TimelineEntry]:
        """A page of what touched the contact (and the contacts merged into it), newest first."""
        async with self._begin() as tx:
            workspace = await contact_workspace(tx, caller, contact, Action.READ_CONTACTS)
            aliases = [contact, *await tx.links.merged_into(contact)]
            return await _timeline(tx, caller, workspace, aliases, None, limit, offset)

    async def organisation_timeline(self, caller: Caller, organisation: UUID, limit: int,
                                    offset: int) -> list[TimelineEntry]:
        """A page of what touched the organisation or its people, newest first."""
        async with self._begin() as tx:
            workspace = await organisation_workspace(tx, caller, organisation, Action.READ_CONTACTS)
            people = [c.id for c in await tx.organisations.contacts_of(organisation)]
            return await _timeline(tx, caller, workspace, people, organisation, limit, offset)

    async def notes_count(self, subjects: Sequence[UUID], subject_kind: str = "contact") -> dict[UUID, int]:
        """Notes about each of ``subjects`` (the caller has already been allowed to see them)."""
        if not subjects:
            return {}
        async with self._begin(autocommit=True) as tx:
            return await tx.links.notes_count(subject_kind, subjects)


async def _timeline(tx: Unit, caller: Caller, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                    limit: int, offset: int) -> list[TimelineEntry]:
    """The projection's entries and the e-mail filed under the record (issue 17), one page newest
    first; each e-mail as far as the caller may see it."""
    entries = await tx.links.timeline(workspace, contacts, organisation, offset + limit, 0)
    mails = await tx.email_messages.timeline(workspace, contacts, organisation, offset + limit)
    files = await tx.record_files.on_records(workspace, contacts, organisation, offset + limit)
    requests = await tx.service_requests.on_records(workspace, contacts, organisation, offset + limit)
    return merged(entries, [email_as_seen_by(m, caller.id) for m in mails], [file_entry(f) for f in files],
                  [request_entry(r) for r in requests], limit=limit, offset=offset)
