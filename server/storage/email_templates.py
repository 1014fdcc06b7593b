"""Postgres adapter of ``server.services.ports.sending.EmailTemplates`` (SQL in ``sql/email_templates.sql``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from server.domain.email_templates import Template, TemplateDraft
from server.services.ports.sending import TrackingEvent
from server.storage.queries import queries

SQL = queries("email_templates")


def _template(row: asyncpg.Record) -> Template:
    return Template(**dict(row))


class PostgresEmailTemplates:
    """Implements ``EmailTemplates`` (table ``email_templates``)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def all(self, workspace: UUID) -> list[Template]:
        return [_template(r) for r in await self._conn.fetch(SQL["all"], workspace)]

    async def get(self, workspace: UUID, template: UUID) -> Template | None:
        row = await self._conn.fetchrow(SQL["get"], workspace, template)
        return None if row is None else _template(row)

    async def add(self, workspace: UUID, draft: TemplateDraft, author: UUID | None) -> Template | None:
        row = await self._conn.fetchrow(SQL["add"], workspace, draft.name, draft.locale, draft.subject, draft.body,
                                        author)
        return None if row is None else _template(row)

    async def update(self, workspace: UUID, template: UUID, draft: TemplateDraft) -> Template | None:
        row = await self._conn.fetchrow(SQL["update"], workspace, template, draft.name, draft.locale, draft.subject,
                                        draft.body)
        return None if row is None else _template(row)

    async def remove(self, workspace: UUID, template: UUID) -> bool:
        return await self._conn.fetchval(SQL["remove"], workspace, template) is not None

    async def first_seeding(self, workspace: UUID) -> bool:
        return await self._conn.fetchval(SQL["first_seeding"], workspace) is not None


class PostgresEmailTracking:
    """Implements ``EmailTracking`` (tables ``email_tracking``, ``email_events``; SQL beside the templates')."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def track(self, email: UUID, workspace: UUID) -> None:
        await self._conn.execute(SQL["track"], email, workspace)

    async def record(self, email: UUID, kind: str, url: str | None, proxy: bool, user_agent: str) -> bool:
        return await self._conn.fetchval(SQL["record_event"], email, kind, url, proxy, user_agent) is not None

    async def events(self, email: UUID) -> list[TrackingEvent] | None:
        if await self._conn.fetchval(SQL["is_tracked"], email) is None:
            return None
        return [TrackingEvent(**dict(r)) for r in await self._conn.fetch(SQL["events"], email)]
