"""``PostgresServiceRequests``, ``PostgresRequestMessages`` and ``PostgresServiceSettings`` through one
connection (docs/service.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.service_requests import (
    Channel, MessageKind, Priority, RequestFilter, RequestMessage, RequestStatus, ServiceRequest, ServiceSettings,
)
from server.storage.queries import queries

SQL = queries("service_requests")


def request_of(row: asyncpg.Record) -> ServiceRequest:
    return ServiceRequest(
        row["id"], row["workspace_id"], row["subject"], row["contact_id"], row["organisation_id"],
        Channel(row["channel"]), RequestStatus(row["status"]), Priority(row["priority"]), row["assignee_id"],
        row["created_at"], row["due_at"], row["updated_at"], row["board_id"], row["deal_id"], row["mailbox_id"],
        row["first_response_at"], row["solved_at"])


def message_of(row: asyncpg.Record) -> RequestMessage:
    return RequestMessage(row["id"], row["request_id"], row["workspace_id"], MessageKind(row["kind"]),
                          row["author_id"], row["sender"], row["body"], row["created_at"], row["message_id"])


def _where(where: RequestFilter) -> tuple:
    return (where.assignee, where.unassigned, where.priority and str(where.priority), where.overdue_at,
            where.contact, where.organisation)


class PostgresServiceRequests:
    """Implements ``server.services.ports.service_requests.ServiceRequests``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, request: ServiceRequest) -> None:
        r = request
        await self._conn.execute(SQL["add"], r.id, r.workspace_id, r.subject, r.contact_id, r.organisation_id,
                                 str(r.channel), str(r.status), str(r.priority), r.assignee_id, r.created_at,
                                 r.due_at, r.updated_at, r.board_id, r.deal_id, r.mailbox_id, r.first_response_at,
                                 r.solved_at)

    async def get(self, request: UUID, *, lock: bool = False) -> ServiceRequest | None:
        row = await self._conn.fetchrow(SQL["get_locked" if lock else "get"], request)
        return request_of(row) if row else None

    async def list(self, workspace: UUID, where: RequestFilter, limit: int, offset: int) -> list[ServiceRequest]:
        status = where.status and str(where.status)
        rows = await self._conn.fetch(SQL["list"], workspace, status, where.everything, *_where(where), limit, offset)
        return [request_of(row) for row in rows]

    async def counts(self, workspace: UUID, where: RequestFilter) -> dict[str, int]:
        return {row["status"]: row["n"] for row in await self._conn.fetch(SQL["counts"], workspace, *_where(where))}

    async def put(self, request: ServiceRequest) -> None:
        r = request
        await self._conn.execute(SQL["put"], r.id, r.subject, r.contact_id, r.organisation_id, str(r.status),
                                 str(r.priority), r.assignee_id, r.due_at, r.updated_at, r.board_id, r.deal_id,
                                 r.first_response_at, r.solved_at)


    async def on_records(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                         limit: int) -> list[ServiceRequest]:
        rows = await self._conn.fetch(SQL["on_records"], workspace, list(contacts), organisation, limit)
        return [request_of(row) for row in rows]


class PostgresRequestMessages:
    """Implements ``server.services.ports.service_requests.RequestMessages``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, message: RequestMessage) -> bool:
        m = message
        added = await self._conn.fetchval(SQL["add_message"], m.id, m.request_id, m.workspace_id, str(m.kind),
                                          m.author_id, m.sender, m.body, m.created_at, m.message_id)
        return added is not None

    async def of_request(self, request: UUID) -> list[RequestMessage]:
        return [message_of(row) for row in await self._conn.fetch(SQL["messages_of"], request)]

    async def request_of(self, workspace: UUID, message_ids: Sequence[str]) -> UUID | None:
        if not message_ids:
            return None
        return await self._conn.fetchval(SQL["request_of"], workspace, list(message_ids))


class PostgresServiceSettings:
    """Implements ``server.services.ports.service_requests.ServiceSettingsStore``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, workspace: UUID) -> ServiceSettings:
        row = await self._conn.fetchrow(SQL["settings"], workspace)
        if row is None:
            return ServiceSettings.default()
        targets = {Priority(k): int(v) for k, v in json.loads(row["targets"]).items()}
        return ServiceSettings(targets, list(row["support_mailboxes"]))

    async def put(self, workspace: UUID, settings: ServiceSettings) -> None:
        targets = json.dumps({str(k): v for k, v in settings.targets.items()})
        await self._conn.execute(SQL["put_settings"], workspace, targets, list(settings.support_mailboxes))

    async def support_workspace(self, mailbox: UUID) -> UUID | None:
        return await self._conn.fetchval(SQL["support_workspace"], mailbox)
