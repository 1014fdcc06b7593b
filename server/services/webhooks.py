"""Webhooks (issue 16 item 5): subscriptions per workspace, events enqueued as ``webhook.deliver``
jobs in the unit of work that makes the change (the transactional outbox), and their delivery.

A delivery POSTs the event's JSON, signed (``X-Tandem-Signature``, server/domain/webhooks.py), to
an address the SSRF guard checked just before. 2xx is delivered; anything else (or no answer in
``timeout`` seconds) is logged and tried again by a new job ``after`` a doubling delay — the job
itself succeeds, so the queue's own retries are left for crashes mid-delivery. Every attempt is
logged; ``max_failures`` failed attempts in a row disable the subscription, with an audit event
(``webhook.disabled``) and the reason shown on the Webhooks screen. The POST happens before the
attempt is logged, so delivery is at least once: receivers dedupe on ``X-Tandem-Delivery``.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from server.domain.access import Action, NotFound
from server.domain.webhooks import check_addresses, check_events, check_url, signature
from server.services.accounts import Caller
from server.services.jobs import JobKinds
from server.services.ports.unit import Begin, Unit
from server.services.ports.webhooks import Answer, Attempt, Receivers, Sealer, Webhook
from server.services.records import workspace_role
from server.settings import Settings

log = logging.getLogger(__name__)

DELIVER = "webhook.deliver"
MAX_ATTEMPTS_LISTED = 200


class Policy(NamedTuple):
    allow_private: bool = False
    timeout: float = 10.0
    retry: float = 10.0
    retry_max: float = 3600.0
    max_failures: int = 8

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.webhooks_allow_private, settings.webhook_timeout_seconds, settings.webhook_retry_seconds,
                   settings.webhook_retry_max_seconds, max(settings.webhook_max_failures, 1))


async def post_signed(receivers: Receivers, policy: Policy, url: str, key: bytes, event: str, delivery: str,
                      body: bytes, agent: str = "Tandem-Webhooks/1") -> Answer:
    """POST ``body`` to ``url`` signed with ``key`` (``X-Tandem-Signature``), to an address the SSRF
    guard checked just before (unless ``policy.allow_private``); the receiver's answer. Also what an
    automation's call_webhook action sends with (``server.services.automation_runner``)."""
    receiver = check_url(url)
    addresses = await receivers.resolve(receiver.host, receiver.port)
    if not policy.allow_private:
        check_addresses(receiver.host, addresses)
    elif not addresses:
        raise OSError(f"the receiver's host {receiver.host!r} does not resolve")
    headers = {"Content-Type": "application/json", "User-Agent": agent, "X-Tandem-Event": event,
               "X-Tandem-Delivery": delivery, "X-Tandem-Signature": signature(key, int(time.time()), body)}
    return await receivers.post(receiver.url, addresses[0], body, headers, policy.timeout)


class Created(NamedTuple):
    webhook: Webhook
    secret: str  # in clear: answered once, never again


async def emit(tx: Unit, workspace: UUID, event: str, data: Mapping[str, Any],
               occurred_at: datetime | None = None) -> int:
    """Enqueue ``event`` for every enabled subscription of ``workspace`` to it, in ``tx`` (so it is
    sent if and only if the change commits). How many deliveries were queued."""
    hooks = [h for h in await tx.webhooks.of_workspace(workspace) if h.enabled and event in h.events]
    if not hooks:
        return 0
    payload = {"id": str(uuid.uuid4()), "event": event,
               "occurred_at": (occurred_at or datetime.now(timezone.utc)).isoformat(),
               "workspace_id": str(workspace), "data": msgspec.to_builtins(data)}
    for hook in hooks:
        await tx.jobs.enqueue(DELIVER, {"webhook": str(hook.id), "delivery": str(uuid.uuid4()), "attempt": 1,
                                        "body": payload})
    return len(hooks)


class WebhookService:
    """The admin use cases of Settings › Webhooks."""

    def __init__(self, begin: Begin, sealer: Sealer, receivers: Receivers, policy: Policy) -> None:
        self._begin, self._sealer, self._receivers, self._policy = begin, sealer, receivers, policy

    async def _check_receiver(self, url: str) -> str:
        receiver = check_url(url)
        if not self._policy.allow_private:
            check_addresses(receiver.host, await self._receivers.resolve(receiver.host, receiver.port))
        return receiver.url

    async def create(self, caller: Caller, workspace: UUID, url: str, events: list[str], address: str) -> Created:
        checked_events = check_events(events)
        checked_url = await self._check_receiver(url)
        secret = "whsec_" + secrets.token_urlsafe(32)
        sealed = self._sealer.seal(secret.encode())
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            hook = await tx.webhooks.insert(workspace, checked_url, checked_events, sealed, caller.id)
            await tx.audit.record("webhook.created", actor=caller.id, workspace=workspace, address=address,
                                  webhook=hook.id, url=checked_url)
        return Created(hook, secret)

    async def list(self, caller: Caller, workspace: UUID) -> list[Webhook]:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            return await tx.webhooks.of_workspace(workspace)

    async def _own(self, tx: Unit, caller: Caller, workspace: UUID, webhook: UUID) -> Webhook:
        await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
        hook = await tx.webhooks.get(webhook)
        if hook is None or hook.workspace_id != workspace:
            raise NotFound("no such webhook")
        return hook

    async def update(self, caller: Caller, workspace: UUID, webhook: UUID, *, url: str | None,
                     events: list[str] | None, enabled: bool | None, address: str) -> Webhook:
        checked_events = None if events is None else check_events(events)
        checked_url = None if url is None else await self._check_receiver(url)
        async with self._begin() as tx:
            await self._own(tx, caller, workspace, webhook)
            hook = await tx.webhooks.update(webhook, url=checked_url, events=checked_events, enabled=enabled)
            assert hook is not None
            await tx.audit.record("webhook.changed", actor=caller.id, workspace=workspace, address=address,
                                  webhook=webhook, url=checked_url, events=checked_events, enabled=enabled)
        return hook

    async def delete(self, caller: Caller, workspace: UUID, webhook: UUID, address: str) -> None:
        async with self._begin() as tx:
            await self._own(tx, caller, workspace, webhook)
            await tx.webhooks.delete(webhook)
            await tx.audit.record("webhook.deleted", actor=caller.id, workspace=workspace, address=address,
                                  webhook=webhook)

    async def attempts(self, caller: Caller, workspace: UUID, webhook: UUID, limit: int) -> list[Attempt]:
        async with self._begin() as tx:
            await self._own(tx, caller, workspace, webhook)
            return await tx.webhooks.attempts(webhook, min(max(limit, 1), MAX_ATTEMPTS_LISTED))

    # --- delivery (the job) ----------------------------------------------------------------------

    async def deliver(self, job: Mapping[str, Any]) -> None:
        """One attempt of one delivery (the ``webhook.deliver`` job's handler)."""
        webhook, delivery, attempt = UUID(job["webhook"]), UUID(job["delivery"]), int(job["attempt"])
        body_value = job["body"]
        async with self._begin() as tx:
            hook = await tx.webhooks.get(webhook)
        if hook is None or not hook.enabled:
            return  # deleted or disabled meanwhile: nothing to send
        event = str(body_value["event"])
        body = msgspec.json.encode(body_value)
        # A missing or changed TANDEM_SECRET_KEY is this server's fault, not the receiver's: it raises,
        # so the queue retries the job and then holds it as failed (/health), and the subscription stays.
        key = self._sealer.unseal(hook.secret)
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        snippet: str | None = None
        try:
            answer = await post_signed(self._receivers, self._policy, hook.url, key, event, str(delivery), body)
            status, snippet = answer.status, answer.snippet
            if not 200 <= answer.status < 300:
                error = f"the receiver answered {answer.status}"
        except Exception as exc:  # noqa: BLE001 - every failure is the receiver's, logged and retried
            error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
        delivered = error is None
        duration = int((time.perf_counter() - started) * 1000)
        async with self._begin() as tx:
            current = await tx.webhooks.get(webhook)
            if current is None:
                return
            await tx.webhooks.log(webhook, delivery, event, attempt, status, duration, error, snippet, delivered)
            if delivered:
                return
            counted = await tx.webhooks.get(webhook)
            failures = counted.failures if counted is not None else current.failures + 1
            if failures >= self._policy.max_failures:
                reason = f"{failures} failed deliveries in a row; the last: {error}"
                await tx.webhooks.disable(webhook, reason)
                await tx.audit.record("webhook.disabled", workspace=current.workspace_id, webhook=webhook,
                                      url=current.url, reason=reason)
                log.warning("webhook %s disabled after %d failed deliveries in a row", webhook, failures)
                return
            delay = min(self._policy.retry * 2 ** (attempt - 1), self._policy.retry_max)
            await tx.jobs.enqueue(DELIVER, {**job, "attempt": attempt + 1}, after=timedelta(seconds=delay))


def register(kinds: JobKinds, service: WebhookService) -> None:
    """Add ``webhook.deliver`` to the worker's kinds."""
    kinds.handle(DELIVER)(service.deliver)


# --- what the board projection turns into events -------------------------------------------------

_RENAMED = {"stage": "stage_id", "owner": "owner_id", "contact": "contact_id", "organisation": "organisation_id",
            "card": "deal_id"}
_HIDDEN = {"rank"}


def record_data(record: Any, board: UUID) -> dict[str, Any]:
    """A projected deal or activity record as webhook ``data``: snake_case, references as ``*_id``."""
    values = {_RENAMED.get(k, k): v for k, v in record._asdict().items() if k not in _HIDDEN}
    return {**values, "board_id": board}


class BoardChange(NamedTuple):
    """One record the projection wrote or deleted: ``kind`` is ``deal`` or ``activity``; ``old`` is
    None for a new record, ``new`` None for a deleted one."""

    kind: str
    old: Any
    new: Any


async def emit_board_changes(tx: Unit, workspace: UUID, board: UUID, changes: list[BoardChange],
                             events: list[Any], deals: Mapping[UUID, Any]) -> None:
    """Enqueue the webhook events of one projection run, in its transaction: created, updated (with
    ``changes``: field -> {old, new}) and deleted records, and from the recorded card history
    (``CardEvent``) deal.stage_changed, deal.won and deal.lost with who did it."""
    if not changes and not events:
        return
    if not any(h.enabled for h in await tx.webhooks.of_workspace(workspace)):
        return  # the common case: no subscription, no work
    for change in changes:
        record = change.new if change.new is not None else change.old
        data = record_data(record, board)
        if change.old is None:
            await emit(tx, workspace, f"{change.kind}.created", data)
        elif change.new is None:
            await emit(tx, workspace, f"{change.kind}.deleted", data)
        else:
            old, new = change.old._asdict(), change.new._asdict()
            changed = {_RENAMED.get(k, k): {"old": old[k], "new": new[k]}
                       for k in new if k not in _HIDDEN | {"updated_at"} and old[k] != new[k]}
            if changed:
                await emit(tx, workspace, f"{change.kind}.updated", {**data, "changes": changed})
    for event in events:
        if event.reconciled or event.kind not in ("moved", "status"):
            continue
        record = deals.get(event.card)
        if record is None:
            continue  # not a deal (a work item), or deleted since
        data = {**record_data(record, board), "author_id": event.author}
        if event.kind == "moved":
            await emit(tx, workspace, "deal.stage_changed",
                       {**data, "from_stage_id": event.from_stage, "to_stage_id": event.to_stage}, event.at)
        elif event.new_status in ("won", "lost"):
            await emit(tx, workspace, f"deal.{event.new_status}", {**data, "old_status": event.old_status}, event.at)


def contact_data(contact: Any) -> dict[str, Any]:
    """A contact (or organisation) as webhook ``data``: its id, workspace and values, snake_case."""
    values = {k: v for k, v in contact.values._asdict().items() if k != "phone_digits"}
    return {"id": contact.id, **values, "created_at": contact.created_at, "updated_at": contact.updated_at}


def changed_values(old: Any, new: Any) -> dict[str, Any]:
    """field -> {old, new} between two values tuples."""
    before, after = old._asdict(), new._asdict()
    return {k: {"old": before[k], "new": after[k]} for k in after if k != "phone_digits" and before[k] != after[k]}
