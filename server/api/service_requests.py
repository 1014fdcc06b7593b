"""Customer-service requests over HTTP (docs/service.md): the queue with filters and counts, one request
with its conversation, new requests, changes (status, priority, assignee, customer, deal), replies and
internal notes, and Settings › Service (response targets, support mailboxes)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.api import service_request_types as types
from server.api.auth import CallerDep
from server.domain.service_requests import InvalidRequest, Priority, RequestFilter, RequestMessage, RequestStatus, \
    ServiceRequest, ServiceSettings
from server.services.service_requests import Conversation, ServiceRequestsService

ServiceRequestsDep = NamedDependency[ServiceRequestsService]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=100_000)]


def _request(request: ServiceRequest, names: dict[UUID, str], now: datetime) -> types.ServiceRequest:
    r = request
    return types.ServiceRequest(
        id=r.id, workspace_id=r.workspace_id, subject=r.subject, contact=r.contact_id,
        contact_name=names.get(r.contact_id) if r.contact_id else None, organisation=r.organisation_id,
        channel=r.channel.value, status=r.status.value, priority=r.priority.value,  # type: ignore[arg-type]
        assignee=r.assignee_id, created_at=r.created_at, due_at=r.due_at, overdue=r.overdue(now),
        first_response_at=r.first_response_at, solved_at=r.solved_at, updated_at=r.updated_at, board=r.board_id,
        deal=r.deal_id, mailbox=r.mailbox_id)


def _message(message: RequestMessage) -> types.RequestMessage:
    return types.RequestMessage(id=message.id, kind=message.kind.value, author=message.author_id,  # type: ignore[arg-type]
                                sender=message.sender, body=message.body, created_at=message.created_at,
                                mailed=message.message_id is not None)


def _conversation(found: Conversation) -> types.Conversation:
    return types.Conversation(request=_request(found.request, found.names, datetime.now(timezone.utc)),
                              messages=[_message(m) for m in found.messages], reply_to=found.reply_to)


def _settings(found: tuple[ServiceSettings, dict[UUID, str]]) -> types.ServiceSettings:
    settings, addresses = found
    return types.ServiceSettings(targets={str(k): v for k, v in settings.targets.items()},  # type: ignore[misc]
                                 support_mailboxes=[types.SupportMailbox(id=m, address=addresses.get(m, ""))
                                                    for m in settings.support_mailboxes])


class ServiceRequestController(Controller):
    path = "/api"
    tags = ["service"]

    @get("/workspaces/{workspace:uuid}/requests",
         summary="The request queue, soonest due first: filter by status (default: new, open and waiting; all: every "
                 "status), assignee (or unassigned), priority, overdue, contact, organisation; counts per status")
    async def list_requests(self, workspace: FromPath[UUID], caller: CallerDep, service_requests: ServiceRequestsDep,
                            status: FromQuery[types.Status | Literal["all"] | None] = None,
                            assignee: FromQuery[UUID | None] = None, unassigned: FromQuery[bool] = False,
                            priority: FromQuery[types.Priority | None] = None, overdue: FromQuery[bool] = False,
                            contact: FromQuery[UUID | None] = None, organisation: FromQuery[UUID | None] = None,
                            limit: Limit = 50, offset: Offset = 0) -> types.RequestQueue:
        now = datetime.now(timezone.utc)
        where = RequestFilter(RequestStatus(status) if status and status != "all" else None, assignee, unassigned,
                              Priority(priority) if priority else None, now if overdue else None, contact,
                              organisation, everything=status == "all")
        queue = await service_requests.queue(caller, workspace, where, limit, offset)
        return types.RequestQueue(requests=[_request(r, queue.names, now) for r in queue.requests],
                                  counts=queue.counts)

    @post("/workspaces/{workspace:uuid}/requests", summary="Add a request by hand (members): a call, a walk-in")
    async def create_request(self, workspace: FromPath[UUID], data: JSONBody[types.NewRequest], caller: CallerDep,
                             service_requests: ServiceRequestsDep) -> types.Conversation:
        return _conversation(await service_requests.create(caller, workspace, types.given(data)))

    @get("/requests/{request_id:uuid}", summary="One request and its conversation, oldest message first")
    async def get_request(self, request_id: FromPath[UUID], caller: CallerDep,
                          service_requests: ServiceRequestsDep) -> types.Conversation:
        return _conversation(await service_requests.get(caller, request_id))

    @patch("/requests/{request_id:uuid}",
           summary="Change a request: status (a closed one is kept: 409), priority (due-by follows), assignee "
                   "(notified), customer, deal")
    async def update_request(self, request_id: FromPath[UUID], data: JSONBody[types.RequestChanges],
                             caller: CallerDep, service_requests: ServiceRequestsDep) -> types.Conversation:
        changes = types.given(data)
        if not changes:
            raise InvalidRequest("body", "expected at least one field to change")
        return _conversation(await service_requests.update(caller, request_id, changes))

    @post("/requests/{request_id:uuid}/messages", status_code=200,
          summary="Reply to the customer (the first reply is the first response; send: e-mail it from your "
                  "mailbox) or add an internal note")
    async def add_request_message(self, request_id: FromPath[UUID], data: JSONBody[types.NewMessage],
                                  caller: CallerDep, service_requests: ServiceRequestsDep) -> types.Conversation:
        return _conversation(await service_requests.add_message(caller, request_id, data.kind, data.body,
                                                                data.status, data.send))

    @get("/workspaces/{workspace:uuid}/service-settings",
         summary="Response targets (hours per priority) and the support mailboxes whose mail becomes requests")
    async def get_service_settings(self, workspace: FromPath[UUID], caller: CallerDep,
                                   service_requests: ServiceRequestsDep) -> types.ServiceSettings:
        return _settings(await service_requests.settings(caller, workspace))

    @put("/workspaces/{workspace:uuid}/service-settings", summary="Change the service settings (admins)")
    async def put_service_settings(self, workspace: FromPath[UUID], data: JSONBody[types.ServiceSettingsChanges],
                                   caller: CallerDep, service_requests: ServiceRequestsDep) -> types.ServiceSettings:
        return _settings(await service_requests.put_settings(caller, workspace, types.given(data)))
