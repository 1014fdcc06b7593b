"""``PostgresLeads`` and ``PostgresLeadForms`` through one connection (docs/leads.md)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.leads import Lead, LeadFilter, LeadForm, LeadSource, LeadStatus
from server.storage.queries import queries

SQL = queries("leads")


def lead_of(row: asyncpg.Record) -> Lead:
    return Lead(row["id"], row["workspace_id"], row["title"], row["person_name"], row["email"], row["phone"],
                row["organisation_name"], row["value"], row["currency"], LeadSource(row["source"]), row["owner_id"],
                list(row["labels"]), row["note"], LeadStatus(row["status"]), row["created_at"], row["form_id"],
                LeadStatus(row["restore_to"]) if row["restore_to"] else None, row["contact_id"],
                row["organisation_id"], row["board_id"], row["deal_id"], row["converted_at"])


def form_of(row: asyncpg.Record) -> LeadForm:
    return LeadForm(row["id"], row["workspace_id"], row["name"], list(row["fields"]), row["owner_id"],
                    row["redirect_url"], bytes(row["key"]), row["created_at"], row["language"])


def _where(where: LeadFilter) -> tuple:
    return (where.owner, where.source and str(where.source), where.text or None, where.contact, where.deal,
            where.min_score)


class PostgresLeads:
    """Implements ``server.services.ports.leads.Leads``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, lead: Lead) -> None:
        await self._conn.execute(SQL["add"], *lead[:9], str(lead.source), lead.owner_id, lead.labels, lead.note,
                                 str(lead.status), lead.created_at, lead.form_id,
                                 lead.restore_to and str(lead.restore_to), *lead[17:])

    async def get(self, lead: UUID, *, lock: bool = False) -> Lead | None:
        row = await self._conn.fetchrow(SQL["get_locked" if lock else "get"], lead)
        return lead_of(row) if row else None

    async def list(self, workspace: UUID, where: LeadFilter, limit: int, offset: int) -> list[Lead]:
        status = where.status and str(where.status)
        rows = await self._conn.fetch(SQL["list"], workspace, status, *_where(where), where.by_score, limit, offset)
        return [lead_of(row) for row in rows]

    async def counts(self, workspace: UUID, where: LeadFilter) -> dict[str, int]:
        return {row["status"]: row["n"] for row in await self._conn.fetch(SQL["counts"], workspace, *_where(where))}

    async def put(self, lead: Lead) -> None:
        await self._conn.execute(SQL["put"], lead.id, *lead[2:9], lead.owner_id, lead.labels, lead.note,
                                 str(lead.status), lead.restore_to and str(lead.restore_to), *lead[17:])

    async def archive(self, workspace: UUID, leads: Sequence[UUID], archived: bool) -> list[UUID]:
        rows = await self._conn.fetch(SQL["archive" if archived else "restore"], workspace, list(leads))
        return [row["id"] for row in rows]

    async def delete(self, lead: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete"], lead) is not None


class PostgresLeadForms:
    """Implements ``server.services.ports.leads.LeadForms``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, form: LeadForm) -> None:
        await self._conn.execute(SQL["add_form"], *form)

    async def get(self, form: UUID) -> LeadForm | None:
        row = await self._conn.fetchrow(SQL["get_form"], form)
        return form_of(row) if row else None

    async def of_workspace(self, workspace: UUID) -> list[LeadForm]:
        return [form_of(row) for row in await self._conn.fetch(SQL["forms_of"], workspace)]

    async def put(self, form: LeadForm) -> None:
        await self._conn.execute(SQL["put_form"], form.id, form.name, form.fields, form.owner_id, form.redirect_url,
                                 form.language)

    async def delete(self, form: UUID) -> bool:
        return await self._conn.fetchval(SQL["delete_form"], form) is not None
