"""The Postgres adapters of the contact and organisation ports (``server.services.ports.contacts``):
``PostgresContacts``, ``PostgresContactSearch``, ``PostgresOrganisations``, ``PostgresDuplicates``,
``PostgresRecordLookups``, each through one connection (and its transaction, if any).

Records come back as domain values (``Contact``, ``Organisation``) with ``address`` and ``fields``
decoded from JSON. Filtered lists run with ``plan_cache_mode = force_custom_plan``
(transaction-local): their optional filters are ``$n IS NULL OR …`` and a generic plan could not
use the GIN indexes behind them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from server.domain.contacts import (
    Contact, ContactValues, Filter, Indexed, Organisation, OrganisationValues, RecordState, search_query,
)
from server.domain.duplicates import Candidate, name_key
from server.domain.references import RecordKind
from server.storage.queries import queries

SQL = queries("contacts")
LINKS = queries("links")
NO_ID = UUID(int=0)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    for key in ("address", "fields", "filter"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return row


def _rows(records: Sequence[asyncpg.Record]) -> list[dict[str, Any]]:
    return [_row(record) for record in records]


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _contact_args(values: ContactValues) -> tuple:
    return (values.first_name, values.last_name, values.emails, values.phones, values.phone_digits,
            values.organisation_id, values.job_title, values.owner_id, values.labels, _json(values.address),
            _json(values.fields))


def _organisation_args(values: OrganisationValues) -> tuple:
    return (values.name, values.website, values.emails, values.phones, values.phone_digits, values.owner_id,
            values.labels, _json(values.address), _json(values.fields))


def _indexed_args(indexed: Indexed) -> tuple:
    return (*_contact_args(indexed.values), indexed.sort_name, indexed.lexemes)


def _decoded(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _contact(row: asyncpg.Record) -> Contact:
    values = ContactValues(
        row["first_name"], row["last_name"], row["emails"], row["phones"], row["phone_digits"],
        row["organisation_id"], row["job_title"], row["owner_id"], row["labels"], _decoded(row["address"]),
        _decoded(row["fields"]))
    return Contact(row["id"], row["workspace_id"], values, row["organisation_name"], row["sort_name"],
                   row["created_at"], row["updated_at"], row["deleted_at"], row["merged_into"])


def _organisation(row: asyncpg.Record) -> Organisation:
    values = OrganisationValues(
        row["name"], row["website"], row["emails"], row["phones"], row["phone_digits"], row["owner_id"],
        row["labels"], _decoded(row["address"]), _decoded(row["fields"]))
    return Organisation(row["id"], row["workspace_id"], values, row["contacts_count"], row["sort_name"],
                        row["created_at"], row["updated_at"], row["deleted_at"])


def _candidate(row: asyncpg.Record) -> Candidate:
    return Candidate(row["id"], row["organisation_id"], name_key(row["first_name"], row["last_name"]),
                     tuple(row["emails"]), tuple(row["phone_digits"]))


class PostgresContacts:
    """Implements ``Contacts`` (``deals_of_board`` waits here for the board reads' port)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    # --- contacts -------------------------------------------------------------------------------

    async def insert(self, workspace: UUID, indexed: Indexed, by: UUID | None) -> UUID:
        return await self._conn.fetchval(SQL["insert_contact"], workspace, *_indexed_args(indexed), by)

    async def insert_many(self, workspace: UUID, contacts: Sequence[Indexed], by: UUID | None) -> None:
        await self._conn.executemany(SQL["insert_contact"], [
            (workspace, *_indexed_args(indexed), by) for indexed in contacts])

    async def update(self, contact: UUID, indexed: Indexed) -> None:
        await self._conn.execute(SQL["update_contact"], contact, *_indexed_args(indexed))

    async def by_ids(self, ids: Sequence[UUID]) -> list[Contact]:
        return [_contact(row) for row in await self._conn.fetch(SQL["contacts_by_id"], list(ids))]

    async def state(self, contact: UUID) -> RecordState | None:
        row = await self._conn.fetchrow(SQL["contact_workspace"], contact)
        return RecordState(row["workspace_id"], row["deleted_at"] is not None, row["merged_into"]) if row else None

    async def lock(self, ids: Sequence[UUID]) -> dict[UUID, UUID]:
        return {row["id"]: row["workspace_id"] for row in await self._conn.fetch(SQL["lock_contacts"], list(ids))}

    async def rename_label(self, workspace: UUID, old: str, new: str) -> int:
        return int((await self._conn.execute(SQL["rename_label"], workspace, old, new)).split()[-1])

    async def delete(self, contact: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete_contact"], contact) is not None

    # --- what hangs off records (the board projection's tables, migration 0003) -------------------

    async def deals_of_board(self, board: UUID) -> list[dict[str, Any]]:
        """The projected deals of a board with stage names, owner e-mails, contacts' first e-mails."""
        return _rows(await self._conn.fetch(LINKS["deals_of_board"], board))


class PostgresContactSearch:
    """Implements ``ContactSearch``: the search words become a ``tsquery`` over the lexemes."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def contacts(self, workspace: UUID, where: Filter, limit: int, offset: int) -> list[Contact]:
        await self._conn.execute(SQL["custom_plans"])
        tsquery = search_query(where.q)
        statement = SQL["search_contacts"] if tsquery else SQL["list_contacts"]
        rows = await self._conn.fetch(
            statement, workspace, tsquery, where.owner, list(where.labels) or None, where.organisation,
            where.created_since, _json(where.fields) if where.fields else None, limit, offset)
        return [_contact(row) for row in rows]

    async def organisations(self, workspace: UUID, where: Filter, limit: int, offset: int) -> list[Organisation]:
        await self._conn.execute(SQL["custom_plans"])
        tsquery = search_query(where.q)
        statement = SQL["search_organisations"] if tsquery else SQL["list_organisations"]
        rows = await self._conn.fetch(
            statement, workspace, tsquery, where.owner, list(where.labels) or None,
            where.created_since, _json(where.fields) if where.fields else None, limit, offset)
        return [_organisation(row) for row in rows]

    async def contacts_after(self, workspace: UUID, after: tuple[str, UUID] | None, limit: int) -> list[Contact]:
        rows = await self._conn.fetch(SQL["contacts_page"], workspace, *(after or ("", NO_ID)), limit)
        return [_contact(row) for row in rows]

    async def organisations_after(self, workspace: UUID, after: tuple[str, UUID] | None,
                                  limit: int) -> list[Organisation]:
        rows = await self._conn.fetch(SQL["organisations_page"], workspace, *(after or ("", NO_ID)), limit)
        return [_organisation(row) for row in rows]

    async def reindex(self, lexemes: dict[UUID, list[str]]) -> None:
        await self._conn.execute(SQL["set_contact_search"], list(lexemes),
                                 [" ".join(words) for words in lexemes.values()])


class PostgresOrganisations:
    """Implements ``Organisations``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def insert(self, workspace: UUID, values: OrganisationValues, by: UUID | None) -> UUID:
        return await self._conn.fetchval(SQL["insert_organisation"], workspace, *_organisation_args(values),
                                         values.sort_name(), values.lexemes(), by)

    async def update(self, organisation: UUID, values: OrganisationValues) -> None:
        await self._conn.execute(SQL["update_organisation"], organisation, *_organisation_args(values),
                                 values.sort_name(), values.lexemes())

    async def by_ids(self, ids: Sequence[UUID]) -> list[Organisation]:
        return [_organisation(row) for row in await self._conn.fetch(SQL["organisations_by_id"], list(ids))]

    async def state(self, organisation: UUID) -> RecordState | None:
        row = await self._conn.fetchrow(SQL["organisation_workspace"], organisation)
        return RecordState(row["workspace_id"], row["deleted_at"] is not None) if row else None

    async def lock(self, organisation: UUID) -> bool:
        return await self._conn.fetchrow(SQL["lock_organisation"], organisation) is not None

    async def contacts_of(self, organisation: UUID) -> list[Contact]:
        return [_contact(row) for row in await self._conn.fetch(SQL["contacts_of_organisation"], organisation)]

    async def delete(self, organisation: UUID) -> bool:
        await self._conn.execute(SQL["unlink_organisation"], organisation)
        return await self._conn.fetchval(SQL["delete_organisation"], organisation) is not None


class PostgresDuplicates:
    """Implements ``Duplicates``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_contact(self, workspace: UUID, contact: Contact) -> list[Candidate]:
        values = contact.values
        rows = await self._conn.fetch(SQL["duplicates_of"], workspace, contact.id, values.emails,
                                      values.phone_digits, values.organisation_id)
        return [_candidate(row) for row in rows]

    async def candidates(self, workspace: UUID) -> list[Candidate]:
        return [_candidate(row) for row in await self._conn.fetch(SQL["duplicate_candidates"], workspace)]

    async def merge(self, losers: Sequence[UUID], survivor: UUID) -> None:
        await self._conn.execute(SQL["merge_contacts"], list(losers), survivor)
        await self._conn.execute(SQL["repoint_merged"], list(losers), survivor)


class PostgresRecordLookups:
    """Implements ``RecordLookups``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def organisations_by_name(self, workspace: UUID, names: Sequence[str]) -> dict[str, UUID]:
        rows = await self._conn.fetch(SQL["organisations_by_name"], workspace, [n.lower() for n in names])
        return {row["name"].lower(): row["id"] for row in rows}

    async def contacts_by_email(self, workspace: UUID, emails: Sequence[str]) -> dict[str, UUID]:
        wanted, found = set(emails), {}
        for row in await self._conn.fetch(SQL["contacts_by_email"], workspace, list(wanted)):
            for email in row["emails"]:
                if email in wanted:
                    found.setdefault(email, row["id"])
        return found

    async def live_contacts(self, workspace: UUID, ids: Sequence[UUID]) -> set[UUID]:
        return {row["id"] for row in await self._conn.fetch(SQL["live_contact_ids"], workspace, list(ids))}

    async def records_in(self, workspace: UUID, contacts: Sequence[UUID], organisations: Sequence[UUID],
                         members: Sequence[UUID] = ()) -> set[tuple[RecordKind, UUID]]:
        rows = await self._conn.fetch(SQL["records_in_workspace"], workspace, list(contacts), list(organisations),
                                      list(members))
        return {(RecordKind(row["kind"]), row["id"]) for row in rows}
