"""What hangs off a contact: its deals, activities and notes, read from the board projection.

Deals and activities live in board documents and notes in note documents; the projection
(``server.services.projection``, migration 0003) copies them into SQL tables within about a
second of an edit, and this reads those tables. A merged contact's
references count for the contact it was merged into: ``aliases`` are every id that now means it.
Members see every board of their workspace, so the reader of a contact may see all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

from server.domain.access import Action
from server.domain.links import LinkedActivity, LinkedDeal, LinkedNote
from server.services.accounts import Caller
from server.services.ports.unit import Begin
from server.services.records import contact_workspace


class ContactLinks(NamedTuple):
    contact: UUID
    aliases: list[UUID]
    deals: list[LinkedDeal]
    activities: list[LinkedActivity]
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

    async def notes_count(self, subjects: Sequence[UUID], subject_kind: str = "contact") -> dict[UUID, int]:
        """Notes about each of ``subjects`` (the caller has already been allowed to see them)."""
        if not subjects:
            return {}
        async with self._begin(autocommit=True) as tx:
            return await tx.links.notes_count(subject_kind, subjects)
