"""The in-memory twin of ``server.storage.email_templates``."""

from __future__ import annotations

import uuid
from uuid import UUID

import msgspec

from server.domain.email_templates import Template, TemplateDraft
from server.services.ports.sending import TrackingEvent
from server.storage.memory.unit import MemoryDatabase


class MemoryEmailTemplates:
    """Implements ``EmailTemplates`` (tables ``email_templates``: id -> Template;
    ``email_templates_seeded``: a set of workspace ids)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    @property
    def _rows(self) -> dict[UUID, Template]:
        return self._db.table("email_templates")

    def _taken(self, workspace: UUID, draft: TemplateDraft, other_than: UUID | None = None) -> bool:
        return any(t.workspace_id == workspace and t.name == draft.name and t.locale == draft.locale
                   and t.id != other_than for t in self._rows.values())

    async def all(self, workspace: UUID) -> list[Template]:
        return sorted((t for t in self._rows.values() if t.workspace_id == workspace),
                      key=lambda t: (t.name.lower(), t.locale, str(t.id)))

    async def get(self, workspace: UUID, template: UUID) -> Template | None:
        found = self._rows.get(template)
        return found if found is not None and found.workspace_id == workspace else None

    async def add(self, workspace: UUID, draft: TemplateDraft, author: UUID | None) -> Template | None:
        if self._taken(workspace, draft):
            return None
        now = self._db.now()
        made = Template(uuid.uuid4(), workspace, draft.name, draft.locale, draft.subject, draft.body, now, now)
        self._rows[made.id] = made
        return made

    async def update(self, workspace: UUID, template: UUID, draft: TemplateDraft) -> Template | None:
        found = await self.get(workspace, template)
        if found is None or self._taken(workspace, draft, other_than=template):
            return None
        changed = msgspec.structs.replace(found, name=draft.name, locale=draft.locale, subject=draft.subject,
                                          body=draft.body, updated_at=self._db.now())
        self._rows[template] = changed
        return changed

    async def remove(self, workspace: UUID, template: UUID) -> bool:
        if await self.get(workspace, template) is None:
            return False
        del self._rows[template]
        return True

    async def first_seeding(self, workspace: UUID) -> bool:
        seeded: set[UUID] = self._db.table("email_templates_seeded", set)
        if workspace in seeded:
            return False
        seeded.add(workspace)
        return True


class MemoryEmailTracking:
    """Implements ``EmailTracking`` (tables ``email_tracking``: id -> workspace; ``email_events``:
    id -> list of TrackingEvent)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    @property
    def _events(self) -> dict[UUID, list[TrackingEvent]]:
        return self._db.table("email_events")

    async def track(self, email: UUID, workspace: UUID) -> None:
        self._db.table("email_tracking").setdefault(email, workspace)
        self._events.setdefault(email, [])

    async def record(self, email: UUID, kind: str, url: str | None, proxy: bool, user_agent: str) -> bool:
        if email not in self._events:
            return False
        self._events[email].append(TrackingEvent(kind, url, proxy, user_agent, self._db.now()))
        return True

    async def events(self, email: UUID) -> list[TrackingEvent] | None:
        found = self._events.get(email)
        return None if found is None else list(found)
