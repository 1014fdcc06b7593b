"""Mail in to a support mailbox becomes a request (docs/service.md).

The mailbox sync calls ``on_inbound`` in the transaction that moves its cursor past the messages
(``MailSync(on_mail=...)``), so a message becomes a request exactly once: a run killed before the
commit reads it again, and the Message-ID (unique per workspace among request messages) keeps a
message read twice from being added twice. For each message of a mailbox the workspace marked a
support mailbox: automatic answers, bounces and the mailbox's own mail are skipped; the sender is
found among the workspace's contacts by address, or made a contact (owned by the mailbox's owner);
the message joins the request its In-Reply-To / References name if that one is not closed (a
customer's answer reopens a waiting or solved request), else it opens a new request.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from uuid import UUID, uuid4

from server.domain.contacts import Indexed
from server.domain.edits import apply_contact
from server.domain.fields import Entity
from server.domain.inbound_mail import ancestors, parse
from server.domain.mailboxes import Email, Mailbox
from server.domain.sequences import Kind, read_inbound
from server.domain.service_requests import (
    MAX_BODY, MAX_SUBJECT, Channel, MessageKind, Priority, RequestMessage, RequestStatus, ServiceRequest,
)
from server.services.ports.unit import Unit
from server.services.records import definitions
from server.services.timeline_feed import announce, contact_timeline, organisation_timeline

log = logging.getLogger(__name__)

Hook = Callable[[Unit, Mailbox, Sequence[bytes]], Awaitable[None]]


def both(*hooks: Hook) -> Hook:
    """One mailbox-sync hook that runs ``hooks`` in turn (sequences' reply check, then requests)."""

    async def run(tx: Unit, mailbox: Mailbox, raws: Sequence[bytes]) -> None:
        for hook in hooks:
            await hook(tx, mailbox, raws)

    return run


async def on_inbound(tx: Unit, mailbox: Mailbox, raws: Sequence[bytes]) -> None:
    """The mailbox sync's hook: each customer's message to a support mailbox, as a request or a reply on one."""
    if await tx.service_settings.support_workspace(mailbox.id) != mailbox.workspace_id:
        return  # most mailboxes: not a support mailbox
    own = mailbox.address.lower()
    for raw in raws:
        if read_inbound(raw).kind is not Kind.REPLY:
            continue  # an out-of-office or a bounce: answering it would start a loop
        email = parse(raw)
        if not email.from_address or email.from_address == own:
            continue
        await take(tx, mailbox, email)


async def take(tx: Unit, mailbox: Mailbox, email: Email, now: datetime | None = None) -> UUID | None:
    """File ``email`` as a request's message, arrived ``now``; the request's id (None: known already)."""
    workspace, now = mailbox.workspace_id, now or datetime.now(timezone.utc)
    request = await _thread(tx, workspace, email)
    if request is None:
        contact, organisation = await customer(tx, mailbox, email)
        settings = await tx.service_settings.get(workspace)
        subject = " ".join(email.subject.split())[:MAX_SUBJECT] or "(no subject)"
        request = ServiceRequest(uuid4(), workspace, subject, contact, organisation, Channel.EMAIL, RequestStatus.NEW,
                                 Priority.NORMAL, None, now, settings.due(now, Priority.NORMAL), now,
                                 mailbox_id=mailbox.id)
        await tx.service_requests.add(request)
    elif request.status in (RequestStatus.WAITING, RequestStatus.SOLVED):
        request = request.moved(RequestStatus.OPEN, now)  # the customer answered
        await tx.service_requests.put(request)
    body = (email.body_text or email.snippet or "(no text)")[:MAX_BODY]
    added = await tx.request_messages.add(RequestMessage(uuid4(), request.id, workspace, MessageKind.INBOUND, None,
                                                         email.from_address, body, now,  # arrival: a Date header can lie
                                                         email.message_id))
    if not added:
        return None
    keys = [contact_timeline(request.contact_id)] if request.contact_id else []
    await announce(tx, workspace, keys + ([organisation_timeline(request.organisation_id)]
                                          if request.organisation_id else []))
    return request.id


async def _thread(tx: Unit, workspace: UUID, email: Email) -> ServiceRequest | None:
    """The request an answer belongs to (by In-Reply-To / References), locked, unless it is closed."""
    found = await tx.request_messages.request_of(workspace, ancestors(email))
    request = await tx.service_requests.get(found, lock=True) if found else None
    return None if request is None or request.status is RequestStatus.CLOSED else request


async def customer(tx: Unit, mailbox: Mailbox, email: Email) -> tuple[UUID, UUID | None]:
    """The sender's contact (the oldest with the address, else a new one owned by the mailbox's owner)
    and its organisation."""
    address = email.from_address
    found = await tx.lookups.contacts_by_email(mailbox.workspace_id, [address])
    if address in found:
        contact = (await tx.contacts.by_ids([found[address]]))[0]
        organisation = contact.values.organisation_id
        return contact.id, organisation if isinstance(organisation, UUID) else None
    first, _, last = (email.from_name or address.split("@")[0]).strip().partition(" ")
    values = apply_contact(None, {"first_name": first[:100] or address[:100], "last_name": last.strip()[:100] or None,
                                  "emails": [address], "owner_id": mailbox.owner_id},
                           await definitions(tx, mailbox.workspace_id, Entity.CONTACT))
    made = await tx.contacts.insert(mailbox.workspace_id, Indexed(values, values.sort_name(), values.lexemes(None)),
                                    mailbox.owner_id)
    log.info("support mail from %s: contact %s made", address, made)
    return made, None
