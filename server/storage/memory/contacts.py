"""The in-memory twins of the contact and organisation ports (``server.services.ports.contacts``).

Records live in the ``contacts`` and ``organisations`` tables of a ``MemoryDatabase`` with the
lexemes ``server.domain.contacts`` computes, and a search matches them the way the Postgres
``tsquery`` does (``matches``: every term a prefix of some lexeme), so one contract suite holds
both. Lists sort by ``(sort_name, id)`` in code-point order, as Postgres does under the C
collation the databases use. Members are read from the ``memberships`` table the workspace
twins keep (keyed by ``(workspace, user)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from server.domain.contacts import (
    Contact, Filter, Indexed, Organisation, OrganisationValues, RecordState, matches, search_terms,
)
from server.domain.duplicates import Candidate, name_key
from server.domain.references import RecordKind
from server.storage.memory.unit import MemoryDatabase


@dataclass
class _ContactRow:
    id: UUID
    workspace_id: UUID
    indexed: Indexed
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    merged_into: UUID | None = None


@dataclass
class _OrganisationRow:
    id: UUID
    workspace_id: UUID
    values: OrganisationValues
    lexemes: list[str]
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class _Tables:
    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.contact_rows: dict[UUID, _ContactRow] = db.table("contacts")
        self.organisation_rows: dict[UUID, _OrganisationRow] = db.table("organisations")

    def alive(self, workspace: UUID) -> list[_ContactRow]:
        return [row for row in self.contact_rows.values() if row.workspace_id == workspace and row.deleted_at is None]

    def alive_organisations(self, workspace: UUID) -> list[_OrganisationRow]:
        return [row for row in self.organisation_rows.values()
                if row.workspace_id == workspace and row.deleted_at is None]

    def company(self, row: _ContactRow) -> str | None:
        """The name of the contact's live organisation of its own workspace (the SQL join)."""
        organisation = self.organisation_rows.get(row.indexed.values.organisation_id)
        if organisation is None or organisation.workspace_id != row.workspace_id or organisation.deleted_at:
            return None
        return organisation.values.name

    def contact(self, row: _ContactRow) -> Contact:
        return Contact(row.id, row.workspace_id, row.indexed.values, self.company(row), row.indexed.sort_name,
                       row.created_at, row.updated_at, row.deleted_at, row.merged_into)

    def organisation(self, row: _OrganisationRow) -> Organisation:
        count = sum(1 for c in self.alive(row.workspace_id) if c.indexed.values.organisation_id == row.id)
        return Organisation(row.id, row.workspace_id, row.values, count, row.values.sort_name(), row.created_at,
                            row.updated_at, row.deleted_at)


def _holds(where: Filter, owner: object, labels: Sequence[str], created_at: datetime,
           fields: dict[str, object]) -> bool:
    """The filters other than the search words and the organisation (``fields @> …`` is equality here:
    custom field values are scalars)."""
    return ((where.owner is None or owner == where.owner)
            and set(where.labels) <= set(labels)
            and (where.created_since is None or created_at >= where.created_since)
            and all(key in fields and fields[key] == value for key, value in where.fields.items()))


def _page(rows: Iterable, key: Callable, limit: int, offset: int) -> list:
    return sorted(rows, key=key)[offset:offset + limit]


class MemoryContacts(_Tables):
    """Implements ``Contacts``."""

    async def insert(self, workspace: UUID, indexed: Indexed, by: UUID | None) -> UUID:
        contact, now = uuid4(), self.db.now()
        self.contact_rows[contact] = _ContactRow(contact, workspace, indexed, by, now, now)
        return contact

    async def insert_many(self, workspace: UUID, contacts: Sequence[Indexed], by: UUID | None) -> None:
        for indexed in contacts:
            await self.insert(workspace, indexed, by)

    async def update(self, contact: UUID, indexed: Indexed) -> None:
        row = self.contact_rows.get(contact)
        if row is not None:
            row.indexed, row.updated_at = indexed, self.db.now()

    async def by_ids(self, ids: Sequence[UUID]) -> list[Contact]:
        return [self.contact(self.contact_rows[i]) for i in dict.fromkeys(ids) if i in self.contact_rows]

    async def state(self, contact: UUID) -> RecordState | None:
        row = self.contact_rows.get(contact)
        return RecordState(row.workspace_id, row.deleted_at is not None, row.merged_into) if row else None

    async def lock(self, ids: Sequence[UUID]) -> dict[UUID, UUID]:
        # One unit of work at a time holds the database: every row is already locked.
        return {i: row.workspace_id for i in sorted(set(ids)) if (row := self.contact_rows.get(i)) and not row.deleted_at}

    async def rename_label(self, workspace: UUID, old: str, new: str) -> int:
        changed = 0
        for row in self.contact_rows.values():
            labels = row.indexed.values.labels
            renamed = list(dict.fromkeys(new if label.casefold() == old.casefold() else label for label in labels))
            if row.workspace_id == workspace and row.deleted_at is None and renamed != list(labels):
                row.indexed = row.indexed._replace(values=row.indexed.values._replace(labels=renamed))
                row.updated_at, changed = self.db.now(), changed + 1
        return changed

    async def delete(self, contact: UUID) -> bool:
        row = self.contact_rows.get(contact)
        if row is None or row.deleted_at is not None:
            return False
        row.deleted_at = row.updated_at = self.db.now()
        return True


class MemoryContactSearch(_Tables):
    """Implements ``ContactSearch``."""

    async def contacts(self, workspace: UUID, where: Filter, limit: int, offset: int) -> list[Contact]:
        terms = search_terms(where.q)
        found = [row for row in self.alive(workspace)
                 if matches(terms, row.indexed.lexemes)
                 and (where.organisation is None or row.indexed.values.organisation_id == where.organisation)
                 and _holds(where, row.indexed.values.owner_id, row.indexed.values.labels, row.created_at,
                            row.indexed.values.fields)]
        return [self.contact(row) for row in _page(found, lambda r: (r.indexed.sort_name, r.id), limit, offset)]

    async def organisations(self, workspace: UUID, where: Filter, limit: int, offset: int) -> list[Organisation]:
        terms = search_terms(where.q)
        found = [row for row in self.alive_organisations(workspace)
                 if matches(terms, row.lexemes)
                 and _holds(where, row.values.owner_id, row.values.labels, row.created_at, row.values.fields)]
        ordered = _page(found, lambda r: (r.values.sort_name(), r.id), limit, offset)
        return [self.organisation(row) for row in ordered]

    async def contacts_after(self, workspace: UUID, after: tuple[str, UUID] | None, limit: int) -> list[Contact]:
        later = [row for row in self.alive(workspace) if after is None or (row.indexed.sort_name, row.id) > after]
        return [self.contact(row) for row in _page(later, lambda r: (r.indexed.sort_name, r.id), limit, 0)]

    async def organisations_after(self, workspace: UUID, after: tuple[str, UUID] | None,
                                  limit: int) -> list[Organisation]:
        later = [row for row in self.alive_organisations(workspace)
                 if after is None or (row.values.sort_name(), row.id) > after]
        return [self.organisation(row) for row in _page(later, lambda r: (r.values.sort_name(), r.id), limit, 0)]

    async def reindex(self, lexemes: dict[UUID, list[str]]) -> None:
        for contact, words in lexemes.items():
            if (row := self.contact_rows.get(contact)) is not None:
                row.indexed = row.indexed._replace(lexemes=list(words))


class MemoryOrganisations(_Tables):
    """Implements ``Organisations``."""

    async def insert(self, workspace: UUID, values: OrganisationValues, by: UUID | None) -> UUID:
        organisation, now = uuid4(), self.db.now()
        self.organisation_rows[organisation] = _OrganisationRow(organisation, workspace, values, values.lexemes(), by,
                                                            now, now)
        return organisation

    async def update(self, organisation: UUID, values: OrganisationValues) -> None:
        if (row := self.organisation_rows.get(organisation)) is not None:
            row.values, row.lexemes, row.updated_at = values, values.lexemes(), self.db.now()

    async def by_ids(self, ids: Sequence[UUID]) -> list[Organisation]:
        return [self.organisation(self.organisation_rows[i]) for i in dict.fromkeys(ids) if i in self.organisation_rows]

    async def state(self, organisation: UUID) -> RecordState | None:
        row = self.organisation_rows.get(organisation)
        return RecordState(row.workspace_id, row.deleted_at is not None) if row else None

    async def lock(self, organisation: UUID) -> bool:
        row = self.organisation_rows.get(organisation)
        return row is not None and row.deleted_at is None

    async def contacts_of(self, organisation: UUID) -> list[Contact]:
        row = self.organisation_rows.get(organisation)
        if row is None:
            return []
        return [self.contact(c) for c in self.alive(row.workspace_id)
                if c.indexed.values.organisation_id == organisation]

    async def delete(self, organisation: UUID) -> bool:
        row = self.organisation_rows.get(organisation)
        if row is None:
            return False
        now = self.db.now()
        for contact in self.alive(row.workspace_id):
            if contact.indexed.values.organisation_id == organisation:
                values = contact.indexed.values._replace(organisation_id=None)
                contact.indexed, contact.updated_at = contact.indexed._replace(values=values), now
        if row.deleted_at is not None:
            return False
        row.deleted_at = row.updated_at = now
        return True


def _candidate(row: _ContactRow) -> Candidate:
    values = row.indexed.values
    return Candidate(row.id, values.organisation_id, name_key(values.first_name, values.last_name),
                     tuple(values.emails), tuple(values.phone_digits))


class MemoryDuplicates(_Tables):
    """Implements ``Duplicates``."""

    async def of_contact(self, workspace: UUID, contact: Contact) -> list[Candidate]:
        values = contact.values
        emails, phones = set(values.emails), set(values.phone_digits)
        return [_candidate(row) for row in self.alive(workspace) if row.id != contact.id and (
            emails & set(row.indexed.values.emails) or phones & set(row.indexed.values.phone_digits)
            or (values.organisation_id is not None and row.indexed.values.organisation_id == values.organisation_id))]

    async def candidates(self, workspace: UUID) -> list[Candidate]:
        live = self.alive(workspace)

        def shared(keys: Callable[[_ContactRow], Iterable[object]]) -> set[object]:
            seen: dict[object, int] = {}
            for row in live:
                for key in keys(row):
                    seen[key] = seen.get(key, 0) + 1
            return {key for key, count in seen.items() if count > 1}

        emails = shared(lambda r: r.indexed.values.emails)
        phones = shared(lambda r: r.indexed.values.phone_digits)
        crowded = shared(lambda r: [r.indexed.values.organisation_id] if r.indexed.values.organisation_id else [])
        return [_candidate(row) for row in live
                if emails & set(row.indexed.values.emails) or phones & set(row.indexed.values.phone_digits)
                or row.indexed.values.organisation_id in crowded]

    async def merge(self, losers: Sequence[UUID], survivor: UUID) -> None:
        now, retired = self.db.now(), set(losers)
        for row in self.contact_rows.values():
            if row.id in retired:
                row.deleted_at, row.updated_at, row.merged_into = now, now, survivor
            elif row.merged_into in retired:
                row.merged_into = survivor


class MemoryRecordLookups(_Tables):
    """Implements ``RecordLookups``."""

    async def organisations_by_name(self, workspace: UUID, names: Sequence[str]) -> dict[str, UUID]:
        wanted = {name.lower() for name in names}
        return {row.values.name.lower(): row.id for row in self.alive_organisations(workspace)
                if row.values.name.lower() in wanted}

    async def contacts_by_email(self, workspace: UUID, emails: Sequence[str]) -> dict[str, UUID]:
        wanted, found = set(emails), {}
        for row in sorted(self.alive(workspace), key=lambda r: (r.created_at, r.id)):
            for email in row.indexed.values.emails:
                if email in wanted:
                    found.setdefault(email, row.id)
        return found

    async def live_contacts(self, workspace: UUID, ids: Sequence[UUID]) -> set[UUID]:
        wanted = set(ids)
        return {row.id for row in self.alive(workspace) if row.id in wanted}

    async def records_in(self, workspace: UUID, contacts: Sequence[UUID], organisations: Sequence[UUID],
                         members: Sequence[UUID] = ()) -> set[tuple[RecordKind, UUID]]:
        memberships = self.db.table("memberships")
        return ({(RecordKind.CONTACT, row.id) for row in self.alive(workspace) if row.id in contacts}
                | {(RecordKind.ORGANISATION, row.id) for row in self.alive_organisations(workspace)
                   if row.id in organisations}
                | {(RecordKind.MEMBER, user) for user in members if (workspace, user) in memberships})
