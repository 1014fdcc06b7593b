"""The in-memory twins of ``server.storage.service_requests`` (docs/service.md)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.service_requests import RequestFilter, RequestMessage, ServiceRequest, ServiceSettings, fits
from server.storage.memory.unit import MemoryDatabase


class MemoryServiceRequests:
    """Implements ``ServiceRequests`` (table ``service_requests``: id -> ServiceRequest)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._requests: dict[UUID, ServiceRequest] = db.table("service_requests")

    async def add(self, request: ServiceRequest) -> None:
        self._requests[request.id] = request

    async def get(self, request: UUID, *, lock: bool = False) -> ServiceRequest | None:
        return self._requests.get(request)

    async def list(self, workspace: UUID, where: RequestFilter, limit: int, offset: int) -> list[ServiceRequest]:
        found = [r for r in self._requests.values() if r.workspace_id == workspace and fits(r, where)]
        found.sort(key=lambda r: (r.due_at, r.created_at, str(r.id)))
        return found[offset:offset + limit]

    async def counts(self, workspace: UUID, where: RequestFilter) -> dict[str, int]:
        every = where._replace(status=None, everything=True)
        counts: dict[str, int] = {}
        for r in self._requests.values():
            if r.workspace_id == workspace and fits(r, every):
                counts[str(r.status)] = counts.get(str(r.status), 0) + 1
        return counts

    async def put(self, request: ServiceRequest) -> None:
        old = self._requests.get(request.id)
        if old is not None:
            self._requests[request.id] = request._replace(
                workspace_id=old.workspace_id, channel=old.channel, created_at=old.created_at,
                mailbox_id=old.mailbox_id)


    async def on_records(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                         limit: int) -> list[ServiceRequest]:
        found = [r for r in self._requests.values() if r.workspace_id == workspace
                 and (r.contact_id in contacts or (organisation is not None and r.organisation_id == organisation))]
        found.sort(key=lambda r: str(r.id))
        found.sort(key=lambda r: r.created_at, reverse=True)
        return found[:limit]


class MemoryRequestMessages:
    """Implements ``RequestMessages`` (table ``service_request_messages``: id -> RequestMessage)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._messages: dict[UUID, RequestMessage] = db.table("service_request_messages")

    async def add(self, message: RequestMessage) -> bool:
        if message.message_id is not None and any(
                m.workspace_id == message.workspace_id and m.message_id == message.message_id
                for m in self._messages.values()):
            return False
        self._messages[message.id] = message
        return True

    async def of_request(self, request: UUID) -> list[RequestMessage]:
        return sorted((m for m in self._messages.values() if m.request_id == request),
                      key=lambda m: (m.created_at, str(m.id)))

    async def request_of(self, workspace: UUID, message_ids: Sequence[str]) -> UUID | None:
        found = [m for m in self._messages.values() if m.workspace_id == workspace and m.message_id in message_ids]
        found.sort(key=lambda m: str(m.id))
        found.sort(key=lambda m: m.created_at, reverse=True)  # the newest, ties by id (as the SQL)
        return found[0].request_id if found else None


class MemoryServiceSettings:
    """Implements ``ServiceSettingsStore`` (table ``service_settings``: workspace -> ServiceSettings)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._settings: dict[UUID, ServiceSettings] = db.table("service_settings")

    async def get(self, workspace: UUID) -> ServiceSettings:
        return self._settings.get(workspace) or ServiceSettings.default()

    async def put(self, workspace: UUID, settings: ServiceSettings) -> None:
        self._settings[workspace] = ServiceSettings(dict(settings.targets), list(settings.support_mailboxes))

    async def support_workspace(self, mailbox: UUID) -> UUID | None:
        return next((w for w, s in self._settings.items() if mailbox in s.support_mailboxes), None)
