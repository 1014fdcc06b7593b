"""``PostgresContacts``: contacts, organisations, custom fields and segments, through one connection.

Rows come back as dicts with ``address`` and ``fields`` decoded from JSON. Filtered lists run
with ``plan_cache_mode = force_custom_plan`` (transaction-local): their optional filters are
``$n IS NULL OR …`` and a generic plan could not use the GIN indexes behind them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from server.domain.contacts import ContactValues, Filter, OrganisationValues
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


class PostgresContacts:
    """Contact and organisation rows, through one connection (and its transaction, if any)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    # --- custom fields --------------------------------------------------------------------------

    async def custom_fields(self, workspace: UUID, entity: str | None = None) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(SQL["custom_fields"], workspace, entity))

    async def insert_field(self, workspace: UUID, entity: str, key: str, label: str, type_: str,
                           options: Sequence[str]) -> dict[str, Any] | None:
        """The new definition, or None if the key is taken for that entity."""
        row = await self._conn.fetchrow(SQL["insert_field"], workspace, entity, key, label, type_, list(options))
        return _row(row) if row else None

    async def field_by_id(self, field: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(SQL["field_by_id"], field)
        return _row(row) if row else None

    async def update_field(self, field: UUID, label: str, options: Sequence[str]) -> dict[str, Any]:
        return _row(await self._conn.fetchrow(SQL["update_field"], field, label, list(options)))

    async def delete_field(self, workspace: UUID, field: UUID, entity: str, key: str) -> None:
        """Delete a definition and every value stored under its key."""
        await self._conn.execute(SQL["delete_field"], field)
        strip = {"contact": "strip_contact_values", "organisation": "strip_organisation_values"}.get(entity)
        if strip:
            await self._conn.execute(SQL[strip], workspace, key)

    # --- contacts -------------------------------------------------------------------------------

    async def insert_contact(self, workspace: UUID, values: ContactValues, sort_name: str,
                             lexemes: list[str], by: UUID | None) -> UUID:
        return await self._conn.fetchval(SQL["insert_contact"], workspace, *_contact_args(values), sort_name,
                                         lexemes, by)

    async def insert_contacts(self, workspace: UUID, rows: Sequence[tuple[ContactValues, str, list[str]]],
                              by: UUID | None) -> None:
        await self._conn.executemany(SQL["insert_contact"], [
            (workspace, *_contact_args(values), sort_name, lexemes, by) for values, sort_name, lexemes in rows])

    async def update_contact(self, contact: UUID, values: ContactValues, sort_name: str, lexemes: list[str]) -> None:
        await self._conn.execute(SQL["update_contact"], contact, *_contact_args(values), sort_name, lexemes)

    async def contacts_by_id(self, ids: Sequence[UUID]) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(SQL["contacts_by_id"], list(ids)))

    async def contact_workspace(self, contact: UUID) -> asyncpg.Record | None:
        """``(workspace_id, deleted_at, merged_into)`` of any contact, deleted or not."""
        return await self._conn.fetchrow(SQL["contact_workspace"], contact)

    async def lock_contacts(self, ids: Sequence[UUID]) -> list[asyncpg.Record]:
        """Lock the live ones among ``ids`` (in id order, so two merges cannot deadlock)."""
        return await self._conn.fetch(SQL["lock_contacts"], list(ids))

    async def delete_contact(self, contact: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete_contact"], contact) is not None

    async def merge_contacts(self, losers: Sequence[UUID], survivor: UUID) -> None:
        """Retire ``losers`` into ``survivor``, and whatever had been merged into them too."""
        await self._conn.execute(SQL["merge_contacts"], list(losers), survivor)
        await self._conn.execute(SQL["repoint_merged"], list(losers), survivor)

    async def merged_ids(self, survivor: UUID) -> list[UUID]:
        return [row["id"] for row in await self._conn.fetch(SQL["merged_ids"], survivor)]

    async def search_contacts(self, workspace: UUID, where: Filter, tsquery: str | None, limit: int,
                              offset: int) -> list[dict[str, Any]]:
        await self._conn.execute(SQL["custom_plans"])
        statement = SQL["search_contacts"] if tsquery else SQL["list_contacts"]
        return _rows(await self._conn.fetch(
            statement, workspace, tsquery, where.owner, list(where.labels) or None, where.organisation,
            where.created_since, _json(where.fields) if where.fields else None, limit, offset))

    async def contacts_page(self, workspace: UUID, after: tuple[str, UUID] | None, limit: int) -> list[dict[str, Any]]:
        """Every live contact, ``limit`` at a time after ``(sort_name, id)``, in list order (for export)."""
        return _rows(await self._conn.fetch(SQL["contacts_page"], workspace, *(after or ("", NO_ID)), limit))

    async def contacts_of_organisation(self, organisation: UUID) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["contacts_of_organisation"], organisation)

    async def unlink_organisation(self, organisation: UUID) -> None:
        await self._conn.execute(SQL["unlink_organisation"], organisation)

    async def set_contact_search(self, ids: Sequence[UUID], lexemes: Sequence[list[str]]) -> None:
        await self._conn.execute(SQL["set_contact_search"], list(ids), [" ".join(words) for words in lexemes])

    async def duplicates_of(self, workspace: UUID, contact: UUID, emails: list[str], phones: list[str],
                            organisation: UUID | None) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["duplicates_of"], workspace, contact, emails, phones, organisation)

    async def duplicate_candidates(self, workspace: UUID) -> list[asyncpg.Record]:
        """Contacts sharing an e-mail or phone with another, or in an organisation with others."""
        return await self._conn.fetch(SQL["duplicate_candidates"], workspace)

    # --- organisations --------------------------------------------------------------------------

    async def insert_organisation(self, workspace: UUID, values: OrganisationValues, by: UUID | None) -> UUID:
        return await self._conn.fetchval(SQL["insert_organisation"], workspace, *_organisation_args(values),
                                         values.sort_name(), values.lexemes(), by)

    async def update_organisation(self, organisation: UUID, values: OrganisationValues) -> None:
        await self._conn.execute(SQL["update_organisation"], organisation, *_organisation_args(values),
                                 values.sort_name(), values.lexemes())

    async def organisations_by_id(self, ids: Sequence[UUID]) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(SQL["organisations_by_id"], list(ids)))

    async def organisation_workspace(self, organisation: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["organisation_workspace"], organisation)

    async def lock_organisation(self, organisation: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["lock_organisation"], organisation)

    async def delete_organisation(self, organisation: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete_organisation"], organisation) is not None

    async def organisations_by_name(self, workspace: UUID, names: Sequence[str]) -> dict[str, UUID]:
        """Live organisations whose lower-cased name is among ``names``: lower-cased name → id."""
        rows = await self._conn.fetch(SQL["organisations_by_name"], workspace, [n.lower() for n in names])
        return {row["name"].lower(): row["id"] for row in rows}

    async def search_organisations(self, workspace: UUID, where: Filter, tsquery: str | None, limit: int,
                                   offset: int) -> list[dict[str, Any]]:
        await self._conn.execute(SQL["custom_plans"])
        statement = SQL["search_organisations"] if tsquery else SQL["list_organisations"]
        return _rows(await self._conn.fetch(
            statement, workspace, tsquery, where.owner, list(where.labels) or None,
            where.created_since, _json(where.fields) if where.fields else None, limit, offset))

    async def organisations_page(self, workspace: UUID, after: tuple[str, UUID] | None,
                                 limit: int) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(SQL["organisations_page"], workspace, *(after or ("", NO_ID)), limit))

    async def contacts_by_email(self, workspace: UUID, emails: Sequence[str]) -> dict[str, UUID]:
        """Live contacts having any of ``emails``: e-mail → the oldest such contact's id."""
        found: dict[str, UUID] = {}
        for row in await self._conn.fetch(SQL["contacts_by_email"], workspace, list(emails)):
            for email in row["emails"]:
                found.setdefault(email, row["id"])
        return found

    async def live_contact_ids(self, workspace: UUID, ids: Sequence[UUID]) -> set[UUID]:
        return {row["id"] for row in await self._conn.fetch(SQL["live_contact_ids"], workspace, list(ids))}

    async def records_in(self, workspace: UUID, contacts: Sequence[UUID], organisations: Sequence[UUID],
                         members: Sequence[UUID] = ()) -> set[tuple[str, UUID]]:
        """``(kind, id)`` of those ids that are live contacts, live organisations or members of ``workspace``."""
        rows = await self._conn.fetch(SQL["records_in_workspace"], workspace, list(contacts), list(organisations),
                                      list(members))
        return {(row["kind"], row["id"]) for row in rows}

    async def members(self, workspace: UUID) -> dict[UUID, str]:
        """The workspace's members: id → e-mail (owners of records must be members)."""
        return {row["id"]: row["email"] for row in await self._conn.fetch(SQL["member_ids"], workspace)}

    # --- segments -------------------------------------------------------------------------------

    async def segments(self, workspace: UUID) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(SQL["segments"], workspace))

    async def segment_by_id(self, segment: UUID) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(SQL["segment_by_id"], segment)
        return _row(row) if row else None

    async def insert_segment(self, workspace: UUID, entity: str, name: str, filter_: dict[str, Any],
                             by: UUID) -> UUID | None:
        return await self._conn.fetchval(SQL["insert_segment"], workspace, entity, name, _json(filter_), by)

    async def update_segment(self, segment: UUID, name: str, filter_: dict[str, Any]) -> bool:
        """False if another segment of the workspace has that name."""
        try:
            async with self._conn.transaction():  # a savepoint: the caller's transaction survives
                await self._conn.execute(SQL["update_segment"], segment, name, _json(filter_))
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def delete_segment(self, segment: UUID) -> None:
        await self._conn.execute(SQL["delete_segment"], segment)

    # --- what hangs off records (the board projection's tables, migration 0003) -------------------

    async def deals_of(self, contacts: Sequence[UUID]) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(LINKS["deals_of"], list(contacts)))

    async def activities_of(self, contacts: Sequence[UUID]) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(LINKS["activities_of"], list(contacts)))

    async def notes_of(self, subject_kind: str, subjects: Sequence[UUID]) -> list[dict[str, Any]]:
        return _rows(await self._conn.fetch(LINKS["notes_of"], subject_kind, list(subjects)))

    async def notes_count(self, subject_kind: str, subjects: Sequence[UUID]) -> dict[UUID, int]:
        rows = await self._conn.fetch(LINKS["notes_count"], subject_kind, list(subjects))
        return {row["subject_id"]: row["notes"] for row in rows}

    async def deals_of_board(self, board: UUID) -> list[dict[str, Any]]:
        """The projected deals of a board with stage names, owner e-mails, contacts' first e-mails."""
        return _rows(await self._conn.fetch(LINKS["deals_of_board"], board))
