"""The repositories of contacts and organisations, split by capability.

``Contacts`` and ``Organisations`` keep the records; ``ContactSearch`` finds them (search words
are matched against the lexemes ``server.domain.contacts`` computes, so every adapter finds the
same records); ``Duplicates`` reads what duplicate detection compares; ``RecordLookups``
resolves names, e-mails and ids to the workspace's records (imports, references);
``RecordLinks`` reads what the board projection says hangs off them, and their timeline. A contact or organisation
of another workspace is never returned where a workspace is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.contacts import (
    Contact, Filter, Indexed, Organisation, OrganisationValues, RecordState,
)
from server.domain.duplicates import Candidate
from server.domain.links import LinkedActivity, LinkedDeal, LinkedNote
from server.domain.references import RecordKind
from server.domain.timeline import TimelineEntry


class Contacts(Protocol):
    """Contact records: written whole (values, sort key, lexemes), read by id, retired."""

    async def insert(self, workspace: UUID, indexed: Indexed, by: UUID | None) -> UUID:
        """Create a contact in ``workspace``, created by ``by``; its id."""
        ...

    async def insert_many(self, workspace: UUID, contacts: Sequence[Indexed], by: UUID | None) -> None:
        """Create many contacts at once (an import)."""
        ...

    async def update(self, contact: UUID, indexed: Indexed) -> None:
        """Replace a contact's values, sort key and lexemes."""
        ...

    async def by_ids(self, ids: Sequence[UUID]) -> list[Contact]:
        """The contacts among ``ids``, deleted and merged ones too, in no particular order."""
        ...

    async def state(self, contact: UUID) -> RecordState | None:
        """Where a contact is, and whether it lives (None: no such id)."""
        ...

    async def lock(self, ids: Sequence[UUID]) -> dict[UUID, UUID]:
        """Lock the live ones among ``ids`` until the unit ends (in id order: two merges cannot
        deadlock); live id → its workspace."""
        ...

    async def rename_label(self, workspace: UUID, old: str, new: str) -> int:
        """Rename the label ``old`` (ignoring case) to ``new`` on the workspace's contacts; how many changed."""
        ...

    async def delete(self, contact: UUID) -> bool:
        """Retire a live contact (soft: references to it still resolve); False if it was not live."""
        ...


class ContactSearch(Protocol):
    """Lists of contacts and organisations: filtered and searched, or walked for an export."""

    async def contacts(self, workspace: UUID, where: Filter, limit: int, offset: int) -> list[Contact]:
        """One page of the live contacts matching ``where`` (``q``: every fragment), in list order."""
        ...

    async def organisations(self, workspace: UUID, where: Filter, limit: int, offset: int) -> list[Organisation]:
        """One page of the live organisations matching ``where`` (its ``organisation`` ignored)."""
        ...

    async def contacts_after(self, workspace: UUID, after: tuple[str, UUID] | None, limit: int) -> list[Contact]:
        """Live contacts in list order after ``(sort_name, id)``, ``limit`` at a time."""
        ...

    async def organisations_after(self, workspace: UUID, after: tuple[str, UUID] | None,
                                  limit: int) -> list[Organisation]:
        """Live organisations in list order after ``(sort_name, id)``, ``limit`` at a time."""
        ...

    async def reindex(self, lexemes: dict[UUID, list[str]]) -> None:
        """Replace what each contact is found by (its company was renamed or deleted)."""
        ...


class Organisations(Protocol):
    """Organisation records: written whole, read by id, retired (their contacts unlinked)."""

    async def insert(self, workspace: UUID, values: OrganisationValues, by: UUID | None) -> UUID:
        """Create an organisation (sort key and lexemes from ``values``); its id."""
        ...

    async def update(self, organisation: UUID, values: OrganisationValues) -> None:
        """Replace an organisation's values, sort key and lexemes."""
        ...

    async def by_ids(self, ids: Sequence[UUID]) -> list[Organisation]:
        """The organisations among ``ids``, deleted ones too, in no particular order."""
        ...

    async def state(self, organisation: UUID) -> RecordState | None:
        """Where an organisation is, and whether it lives (None: no such id)."""
        ...

    async def lock(self, organisation: UUID) -> bool:
        """Lock a live organisation until the unit ends; False if it is not live."""
        ...

    async def contacts_of(self, organisation: UUID) -> list[Contact]:
        """Its live contacts (of its own workspace)."""
        ...

    async def delete(self, organisation: UUID) -> bool:
        """Unlink its live contacts and retire it; False if it was not live."""
        ...


class Duplicates(Protocol):
    """What duplicate detection compares (``server.domain.duplicates``), and the merge that ends one."""

    async def of_contact(self, workspace: UUID, contact: Contact) -> list[Candidate]:
        """Other live contacts sharing an e-mail, a phone or the organisation with ``contact``."""
        ...

    async def candidates(self, workspace: UUID) -> list[Candidate]:
        """Live contacts sharing an e-mail or phone with another, or in an organisation with others."""
        ...

    async def merge(self, losers: Sequence[UUID], survivor: UUID) -> None:
        """Retire ``losers`` into ``survivor``, and whatever had been merged into them too."""
        ...


class RecordLookups(Protocol):
    """The workspace's records by name, e-mail and id: what imports and references resolve."""

    async def organisations_by_name(self, workspace: UUID, names: Sequence[str]) -> dict[str, UUID]:
        """Live organisations whose name is among ``names``, case-blind: lower-cased name → id."""
        ...

    async def contacts_by_email(self, workspace: UUID, emails: Sequence[str]) -> dict[str, UUID]:
        """Live contacts having any of ``emails``: e-mail → the oldest such contact's id."""
        ...

    async def live_contacts(self, workspace: UUID, ids: Sequence[UUID]) -> set[UUID]:
        """Those of ``ids`` that are live contacts of ``workspace``."""
        ...

    async def records_in(self, workspace: UUID, contacts: Sequence[UUID], organisations: Sequence[UUID],
                         members: Sequence[UUID] = ()) -> set[tuple[RecordKind, UUID]]:
        """Which ids are live contacts, live organisations, members of ``workspace`` (one query)."""
        ...


class RecordLinks(Protocol):
    """What the board projection says hangs off contacts and organisations of their own workspace."""

    async def merged_into(self, survivor: UUID) -> list[UUID]:
        """The contacts merged into ``survivor`` (their links are its links)."""
        ...

    async def deals_of(self, contacts: Sequence[UUID]) -> list[LinkedDeal]:
        """Projected deals naming one of ``contacts``, the latest updated first."""
        ...

    async def activities_of(self, contacts: Sequence[UUID]) -> list[LinkedActivity]:
        """Projected activities naming one of ``contacts``: open first, then by due date."""
        ...

    async def notes_of(self, subject_kind: str, subjects: Sequence[UUID]) -> list[LinkedNote]:
        """Notes about one of ``subjects`` (``contact`` or ``organisation``), the newest first."""
        ...

    async def notes_count(self, subject_kind: str, subjects: Sequence[UUID]) -> dict[UUID, int]:
        """The number of notes about each of ``subjects`` that has any."""
        ...

    async def organisation_deals(self, organisation: UUID) -> list[LinkedDeal]:
        """Projected deals of ``organisation`` or naming one of its live contacts, the latest updated first."""
        ...

    async def timeline(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                       limit: int, offset: int) -> list[TimelineEntry]:
        """One page of what touched ``contacts`` or ``organisation`` in ``workspace`` (their deals, the
        activities naming them or on those deals, notes about them or those deals), newest first
        (``server.domain.timeline.newest_first``)."""
        ...
