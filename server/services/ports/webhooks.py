"""Webhook subscriptions and their delivery log (issue 16 item 5)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec


class Webhook(msgspec.Struct, frozen=True):
    """One subscription: ``secret`` is the stored (encrypted) form, never the clear secret."""

    id: UUID
    workspace_id: UUID
    url: str
    events: list[str]
    secret: bytes
    enabled: bool
    failures: int  # consecutive failed attempts
    disabled_reason: str | None
    created_at: datetime


class Attempt(msgspec.Struct, frozen=True):
    """One delivery attempt as logged."""

    id: int
    webhook_id: UUID
    delivery: UUID
    event: str
    attempt: int
    at: datetime
    status: int | None
    duration_ms: int
    error: str | None
    response: str | None
    delivered: bool


class Webhooks(Protocol):
    async def insert(self, workspace: UUID, url: str, events: list[str], secret: bytes, by: UUID | None) -> Webhook:
        ...

    async def get(self, webhook: UUID) -> Webhook | None:
        ...

    async def of_workspace(self, workspace: UUID) -> list[Webhook]:
        """The workspace's subscriptions, oldest first."""
        ...

    async def update(self, webhook: UUID, *, url: str | None = None, events: list[str] | None = None,
                     enabled: bool | None = None) -> Webhook | None:
        """Change what is given; enabling resets the failure count and reason."""
        ...

    async def delete(self, webhook: UUID) -> bool:
        ...

    async def log(self, webhook: UUID, delivery: UUID, event: str, attempt: int, status: int | None,
                  duration_ms: int, error: str | None, response: str | None, delivered: bool) -> None:
        """Log one attempt and count it: a delivered one resets the failures, a failed one adds one."""
        ...

    async def disable(self, webhook: UUID, reason: str) -> None:
        ...

    async def attempts(self, webhook: UUID, limit: int) -> list[Attempt]:
        """The latest ``limit`` attempts, newest first."""
        ...


class Answer(msgspec.Struct, frozen=True):
    """A receiver's answer: its status and the first bytes of its body."""

    status: int
    snippet: str


class Receivers(Protocol):
    """The network, as deliveries see it."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """The IP addresses ``host`` resolves to (``host`` itself if it is one)."""
        ...

    async def post(self, url: str, address: str, body: bytes, headers: dict[str, str],
                   timeout: float) -> Answer:
        """POST ``body`` to ``url`` connecting to ``address`` (TLS still checks the URL's host),
        following no redirect; raises ``OSError``/``TimeoutError``-like errors when nothing answers."""
        ...


class Sealer(Protocol):
    """Encrypts secrets kept at rest (``server/sealing.py``)."""

    def seal(self, secret: bytes) -> bytes:
        ...

    def unseal(self, sealed: bytes) -> bytes:
        ...
