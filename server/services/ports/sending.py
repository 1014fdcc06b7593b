"""Sending e-mail (issue 17 items 1-3): the relay a message leaves through (the system's, or a
connected mailbox's SMTP server), and the workspace's templates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

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


class TrackingEvent(msgspec.Struct, frozen=True):
    """One open of a tracked message's pixel, or one click through one of its links."""

    kind: str  # open | click
    url: str | None
    proxy: bool  # a privacy proxy's fetch, not a person's open
    user_agent: str
    at: datetime


class EmailTracking(Protocol):
    async def track(self, email: UUID, workspace: UUID) -> None:
        """Mark a stored message as tracked (its pixel and links count)."""
        ...

    async def record(self, email: UUID, kind: str, url: str | None, proxy: bool, user_agent: str) -> bool:
        """Count an open or a click; False (nothing written) when the message is not tracked."""
        ...

    async def events(self, email: UUID) -> list[TrackingEvent] | None:
        """A tracked message's events, oldest first; None when it is not tracked."""
        ...
