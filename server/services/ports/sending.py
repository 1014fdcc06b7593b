"""Sending e-mail (issue 17 items 1-3): the relay a message leaves through (the system's, or a
connected mailbox's SMTP server), and the workspace's templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.email_templates import Template, TemplateDraft
from server.domain.sending import Envelope


class MailRelay(Protocol):
    async def deliver(self, envelope: Envelope) -> None:
        """Send ``envelope`` to every recipient, or raise (the job is retried)."""
        ...


class MailRelays(Protocol):
    def connect(self, host: str, port: int, tls: str, username: str, password: str) -> MailRelay:
        """The relay of one SMTP server (a connected mailbox's): ``tls`` is tls, starttls or none."""
        ...


class EmailTemplates(Protocol):
    async def all(self, workspace: UUID) -> Sequence[Template]:
        """The workspace's templates, by name."""
        ...

    async def get(self, workspace: UUID, template: UUID) -> Template | None:
        """One template of the workspace, or None."""
        ...

    async def add(self, workspace: UUID, draft: TemplateDraft, author: UUID | None) -> Template | None:
        """A new template; None when the workspace has one by that name and locale already."""
        ...

    async def update(self, workspace: UUID, template: UUID, draft: TemplateDraft) -> Template | None:
        """Change a template; None when it is not the workspace's, or when the name and locale are taken."""
        ...

    async def remove(self, workspace: UUID, template: UUID) -> bool:
        """Delete a template; whether it was there."""
        ...

    async def first_seeding(self, workspace: UUID) -> bool:
        """Mark the workspace's default templates as seeded; True only the first time (then seed them)."""
        ...
