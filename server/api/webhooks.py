"""``/api/workspaces/{id}/webhooks``: a workspace's webhook subscriptions and their delivery log
(admins; issue 16 item 5). The signing secret is answered once, by the POST that makes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from server.api.auth import CallerDep, client_address
from server.domain.webhooks import EVENTS, MAX_URL
from server.services.ports.webhooks import Attempt, Webhook
from server.services.webhooks import WebhookService

WebhooksDep = NamedDependency[WebhookService]

Url = Annotated[str, msgspec.Meta(max_length=MAX_URL)]
Events = Annotated[list[Annotated[str, msgspec.Meta(max_length=60)]], msgspec.Meta(max_length=len(EVENTS))]


class NewWebhook(msgspec.Struct, forbid_unknown_fields=True):
    """A receiver URL (http or https) and the events it gets (``GET …/webhooks/events`` lists them)."""

    url: Url
    events: Events


class WebhookChange(msgspec.Struct, forbid_unknown_fields=True):
    """What to change; ``enabled: true`` also clears a disabled subscription's failure count."""

    url: Url | None = None
    events: Events | None = None
    enabled: bool | None = None


class WebhookAnswer(msgspec.Struct):
    """A subscription (never its secret). ``disabled_reason``: set when failed deliveries disabled it."""

    id: UUID
    url: str
    events: list[str]
    enabled: bool
    failures: int
    disabled_reason: str | None
    created_at: datetime


class CreatedWebhook(WebhookAnswer):
    """A new subscription with its signing secret: shown this once, never again."""

    secret: str


class DeliveryAttempt(msgspec.Struct):
    """One attempt to deliver one event (``delivery``: the X-Tandem-Delivery header)."""

    id: int
    delivery: UUID
    event: str
    attempt: int
    at: datetime
    status: int | None
    duration_ms: int
    error: str | None
    response: str | None
    delivered: bool


def _answer(hook: Webhook) -> WebhookAnswer:
    return WebhookAnswer(hook.id, hook.url, hook.events, hook.enabled, hook.failures, hook.disabled_reason,
                         hook.created_at)


def _attempt(a: Attempt) -> DeliveryAttempt:
    return DeliveryAttempt(a.id, a.delivery, a.event, a.attempt, a.at, a.status, a.duration_ms, a.error, a.response,
                           a.delivered)


class WebhookController(Controller):
    path = "/api/workspaces/{workspace:uuid}/webhooks"
    tags = ["webhooks"]

    @get("/", summary="The workspace's webhook subscriptions (admins)")
    async def list_webhooks(self, workspace: FromPath[UUID], caller: CallerDep,
                            webhooks: WebhooksDep) -> list[WebhookAnswer]:
        return [_answer(h) for h in await webhooks.list(caller, workspace)]

    @get("/events", summary="The events a webhook can subscribe to")
    async def events(self) -> list[str]:
        return list(EVENTS)

    @post("/", summary="Subscribe a URL to events (admins); answers the signing secret once")
    async def create(self, request: Request, workspace: FromPath[UUID], data: JSONBody[NewWebhook],
                     caller: CallerDep, webhooks: WebhooksDep) -> CreatedWebhook:
        created = await webhooks.create(caller, workspace, data.url, data.events, client_address(request))
        hook = created.webhook
        return CreatedWebhook(hook.id, hook.url, hook.events, hook.enabled, hook.failures, hook.disabled_reason,
                              hook.created_at, created.secret)

    @patch("/{webhook:uuid}", summary="Change a webhook's URL, events, or enable/disable it (admins)")
    async def change(self, request: Request, workspace: FromPath[UUID], webhook: FromPath[UUID],
                     data: JSONBody[WebhookChange], caller: CallerDep, webhooks: WebhooksDep) -> WebhookAnswer:
        hook = await webhooks.update(caller, workspace, webhook, url=data.url, events=data.events,
                                     enabled=data.enabled, address=client_address(request))
        return _answer(hook)

    @delete("/{webhook:uuid}", summary="Delete a webhook and its delivery log (admins)")
    async def remove(self, request: Request, workspace: FromPath[UUID], webhook: FromPath[UUID],
                     caller: CallerDep, webhooks: WebhooksDep) -> None:
        await webhooks.delete(caller, workspace, webhook, client_address(request))

    @get("/{webhook:uuid}/deliveries", summary="A webhook's latest delivery attempts, newest first (admins)")
    async def deliveries(self, workspace: FromPath[UUID], webhook: FromPath[UUID], caller: CallerDep,
                         webhooks: WebhooksDep,
                         limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50) -> list[DeliveryAttempt]:
        return [_attempt(a) for a in await webhooks.attempts(caller, workspace, webhook, limit)]
