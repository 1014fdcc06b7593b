"""Customer-service requests, their conversations and the workspace's service settings (docs/service.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.service_requests import RequestFilter, RequestMessage, ServiceRequest, ServiceSettings


class ServiceRequests(Protocol):
    async def add(self, request: ServiceRequest) -> None:
        """Store a new request."""
        ...

    async def get(self, request: UUID, *, lock: bool = False) -> ServiceRequest | None:
        """One request; ``lock`` holds its row until the transaction ends (one change at a time)."""
        ...

    async def list(self, workspace: UUID, where: RequestFilter, limit: int, offset: int) -> list[ServiceRequest]:
        """``workspace``'s requests that ``where`` selects, the soonest due first."""
        ...

    async def counts(self, workspace: UUID, where: RequestFilter) -> dict[str, int]:
        """How many requests per status ``where`` selects, its own status aside (absent: none)."""
        ...

    async def put(self, request: ServiceRequest) -> None:
        """Replace a stored request's subject, customer, status, priority, assignee, deal and times."""
        ...

    async def on_records(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                         limit: int) -> list[ServiceRequest]:
        """The requests of ``contacts`` or of ``organisation`` (a timeline), the newest first."""
        ...


class RequestMessages(Protocol):
    async def add(self, message: RequestMessage) -> bool:
        """Append to a request's conversation; False (nothing added) if its Message-ID is known in the workspace."""
        ...

    async def of_request(self, request: UUID) -> list[RequestMessage]:
        """A request's conversation, oldest first."""
        ...

    async def request_of(self, workspace: UUID, message_ids: Sequence[str]) -> UUID | None:
        """The request holding any of ``message_ids`` (the newest such message's), or None."""
        ...


class ServiceSettingsStore(Protocol):
    async def get(self, workspace: UUID) -> ServiceSettings:
        """The workspace's targets and support mailboxes (the defaults until set)."""
        ...

    async def put(self, workspace: UUID, settings: ServiceSettings) -> None:
        """Replace them."""
        ...

    async def support_workspace(self, mailbox: UUID) -> UUID | None:
        """The workspace that marked ``mailbox`` a support mailbox, or None."""
        ...
