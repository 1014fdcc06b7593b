"""Customer-service requests (docs/service.md): the queue, one request with its conversation, new
requests, status / priority / assignee changes, replies and internal notes, and Settings › Service.

Requests belong to the workspace like contacts: members and above change them, viewers read them,
guests and strangers get ``NotFound``. Every change runs under the request's row lock, so two people
moving one request at once take turns. Assigning a request to someone else notifies them (the
``assigned`` kind of the notifications settings). A change to a request notes the customer's
timelines in the change feed, so open timelines refetch. Mail to a support mailbox arrives through
``server.services.service_mail``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from html import escape
from typing import Any, NamedTuple
from uuid import UUID, uuid4, uuid5

from server.domain.access import Action
from server.domain.accounts import Conflict
from server.domain.notifications import NewNotification
from server.domain.service_requests import (
    Channel, InvalidRequest, MessageKind, Priority, RequestFilter, RequestMessage, RequestStatus, ServiceRequest,
    ServiceSettings, check_body, check_subject, check_targets, choice,
)
from server.services.accounts import Caller
from server.services.notify import IDS, deliver
from server.services.ports.unit import Begin, Unit
from server.services.email_templates import Subjects
from server.services.records import in_reach, members, workspace_role
from server.services.sending import Draft, EmailSending
from server.services.timeline_feed import announce, contact_timeline, organisation_timeline

MAX_PAGE = 200


class Queue(NamedTuple):
    requests: list[ServiceRequest]
    counts: dict[str, int]  # per status, under the same filter but its status
    names: dict[UUID, str]  # the customers' names


class Conversation(NamedTuple):
    request: ServiceRequest
    messages: list[RequestMessage]
    names: dict[UUID, str]  # the customer's name
    reply_to: str | None = None  # where an e-mailed reply goes: the customer's last mail's sender, else the contact's

    @classmethod
    async def read(cls, tx: Unit, request: ServiceRequest) -> Conversation:
        messages = await tx.request_messages.of_request(request.id)
        return cls(request, messages, await _names(tx, [request]), await _reply_address(tx, request, messages))


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


class ServiceRequestsService:
    """The service desk's use cases."""

    def __init__(self, begin: Begin, sending: EmailSending | None = None, clock: Any = now_utc) -> None:
        """``sending``: how a reply is e-mailed to the customer (None: replies are kept on the request only)."""
        self._begin, self._sending, self._now = begin, sending, clock

    async def queue(self, caller: Caller, workspace: UUID, where: RequestFilter, limit: int = 50,
                    offset: int = 0) -> Queue:
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            found = await tx.service_requests.list(workspace, where, min(max(limit, 1), MAX_PAGE), max(offset, 0))
            return Queue(found, await tx.service_requests.counts(workspace, where), await _names(tx, found))

    async def get(self, caller: Caller, request: UUID) -> Conversation:
        async with self._begin() as tx:
            found = await _reach(tx, caller, request, Action.READ_CONTACTS)
            return await Conversation.read(tx, found)

    async def create(self, caller: Caller, workspace: UUID, raw: Mapping[str, Any]) -> Conversation:
        """A request typed in (a call, a walk-in): subject, customer, channel, priority, assignee, deal, first text."""
        now = self._now()
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.EDIT_CONTACTS)
            settings = await tx.service_settings.get(workspace)
            priority = choice(Priority, "priority", raw.get("priority") or "normal")
            request = ServiceRequest(
                uuid4(), workspace, check_subject(raw.get("subject")), None, None,
                choice(Channel, "channel", raw.get("channel") or "manual"), RequestStatus.NEW, priority, None,
                now, settings.due(now, priority), now)
            request = await _with_customer(tx, request, raw.get("contact"))
            request = await _with_deal(tx, caller, request, raw.get("board"), raw.get("deal"))
            request = await _assigned(tx, caller, request, raw.get("assignee"))
            await tx.service_requests.add(request)
            messages = []
            if raw.get("body"):
                messages.append(_message(request, MessageKind.INBOUND, caller.id, check_body(raw["body"]), now))
                await tx.request_messages.add(messages[0])
            await announce(tx, workspace, _timelines(request))
            return await Conversation.read(tx, request)

    async def update(self, caller: Caller, request: UUID, raw: Mapping[str, Any]) -> Conversation:
        """Change a request's subject, customer, status, priority, assignee or deal (the fields ``raw`` names)."""
        now = self._now()
        async with self._begin() as tx:
            found = await _reach(tx, caller, request, Action.EDIT_CONTACTS, lock=True)
            changed = found._replace(updated_at=now)
            if "subject" in raw:
                changed = changed._replace(subject=check_subject(raw["subject"]))
            if "priority" in raw:
                priority = choice(Priority, "priority", raw["priority"])
                settings = await tx.service_settings.get(found.workspace_id)
                changed = changed._replace(priority=priority, due_at=settings.due(found.created_at, priority))
            if "status" in raw:
                changed = changed.moved(choice(RequestStatus, "status", raw["status"]), now)
            if "contact" in raw:
                changed = await _with_customer(tx, changed, raw["contact"])
            if "deal" in raw or "board" in raw:
                changed = await _with_deal(tx, caller, changed, raw.get("board"), raw.get("deal"))
            if "assignee" in raw:
                changed = await _assigned(tx, caller, changed, raw["assignee"])
            await tx.service_requests.put(changed)
            await announce(tx, found.workspace_id, {*_timelines(found), *_timelines(changed)})
            return await Conversation.read(tx, changed)

    async def add_message(self, caller: Caller, request: UUID, kind: Any, body: Any,
                          status: Any = None, send: bool = False) -> Conversation:
        """A reply to the customer (responds to the request) or an internal note; ``status`` moves it at once
        (a reply usually leaves it waiting on the customer). ``send``: e-mail the reply to the customer from
        the caller's mailbox first (``EmailSending``: its copy is filed on the customer's timeline); its
        Message-ID is kept on the reply, so the customer's answer joins this request."""
        kind = choice(MessageKind, "kind", kind)
        if kind is MessageKind.INBOUND:
            raise InvalidRequest("kind", "expected reply or note (the customer's messages arrive by mail)")
        text = check_body(body)
        mailed = await self._mail(caller, request, text) if send and kind is MessageKind.REPLY else None
        now = self._now()
        async with self._begin() as tx:
            found = await _reach(tx, caller, request, Action.EDIT_CONTACTS, lock=True)
            if found.status is RequestStatus.CLOSED and kind is MessageKind.REPLY:
                found.status.after(RequestStatus.OPEN)  # refuses: a closed request is kept as it was
            changed = found.answered(now) if kind is MessageKind.REPLY else found._replace(updated_at=now)
            if status is not None:
                changed = changed.moved(choice(RequestStatus, "status", status), now)
            await tx.request_messages.add(_message(found, kind, caller.id, text, now, message_id=mailed))
            await tx.service_requests.put(changed)
            await announce(tx, found.workspace_id, _timelines(changed))
            return await Conversation.read(tx, changed)

    async def _mail(self, caller: Caller, request: UUID, text: str) -> str:
        """Send ``text`` to the customer as "Re: <subject>"; the sent Message-ID, without brackets."""
        if self._sending is None:
            raise Conflict("send: this server sends no mail")
        async with self._begin() as tx:
            found = await _reach(tx, caller, request, Action.EDIT_CONTACTS)
            conversation = await Conversation.read(tx, found)
        if found.status is RequestStatus.CLOSED:
            found.status.after(RequestStatus.OPEN)  # refuses: nothing is sent on a closed request
        if conversation.reply_to is None:
            raise InvalidRequest("send", "expected a customer with an e-mail address to send the reply to")
        subject = found.subject if found.subject.lower().startswith("re:") else f"Re: {found.subject}"
        html = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
        sent = await self._sending.send(caller, found.workspace_id, Draft(
            [conversation.reply_to], [], subject, html, Subjects(contact=found.contact_id)))
        return sent.message_id.strip("<>")

    async def settings(self, caller: Caller, workspace: UUID) -> tuple[ServiceSettings, dict[UUID, str]]:
        """The workspace's targets and support mailboxes, with the mailboxes' addresses."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.READ_CONTACTS)
            settings = await tx.service_settings.get(workspace)
            return settings, await _addresses(tx, settings.support_mailboxes)

    async def put_settings(self, caller: Caller, workspace: UUID,
                           raw: Mapping[str, Any]) -> tuple[ServiceSettings, dict[UUID, str]]:
        """Response targets (hours per priority) and support mailboxes (the workspace's own), admins only."""
        async with self._begin() as tx:
            await workspace_role(tx, caller, workspace, Action.MANAGE_SETTINGS)
            current = await tx.service_settings.get(workspace)
            targets = check_targets(raw["targets"]) if "targets" in raw else current.targets
            mailboxes = current.support_mailboxes
            if "support_mailboxes" in raw:
                mailboxes = await _own_mailboxes(tx, workspace, raw["support_mailboxes"])
            settings = ServiceSettings(targets, mailboxes)
            await tx.service_settings.put(workspace, settings)
            return settings, await _addresses(tx, mailboxes)


async def _names(tx: Unit, requests: list[ServiceRequest]) -> dict[UUID, str]:
    ids = list({r.contact_id for r in requests if r.contact_id})
    return {c.id: c.name for c in await tx.contacts.by_ids(ids)} if ids else {}


async def _reply_address(tx: Unit, request: ServiceRequest, messages: list[RequestMessage]) -> str | None:
    senders = [m.sender for m in messages if m.kind is MessageKind.INBOUND and m.sender]
    if senders:
        return senders[-1]
    if request.contact_id is None:
        return None
    emails = (await tx.contacts.by_ids([request.contact_id]))[0].values.emails
    return emails[0] if emails else None


async def _addresses(tx: Unit, mailboxes: list[UUID]) -> dict[UUID, str]:
    found = [await tx.mailboxes.get(m) for m in mailboxes]
    return {m.id: m.address for m in found if m is not None}


def _message(request: ServiceRequest, kind: MessageKind, author: UUID | None, body: str, now: datetime,
             sender: str = "", message_id: str | None = None) -> RequestMessage:
    return RequestMessage(uuid4(), request.id, request.workspace_id, kind, author, sender, body, now, message_id)


def _timelines(request: ServiceRequest) -> set[str]:
    keys = {contact_timeline(request.contact_id)} if request.contact_id else set()
    return keys | ({organisation_timeline(request.organisation_id)} if request.organisation_id else set())


def _uuid(field: str, raw: Any) -> UUID:
    try:
        return raw if isinstance(raw, UUID) else UUID(str(raw))
    except ValueError:
        raise InvalidRequest(field, f"expected an id, got {str(raw)[:40]!r}") from None


async def _with_customer(tx: Unit, request: ServiceRequest, raw: Any) -> ServiceRequest:
    """``request`` about the contact ``raw`` names (a live contact of its workspace) and its organisation."""
    if raw is None:
        return request._replace(contact_id=None, organisation_id=None)
    contact = _uuid("contact", raw)
    if contact not in await tx.lookups.live_contacts(request.workspace_id, [contact]):
        raise InvalidRequest("contact", f"expected a contact of this workspace, got {contact}")
    found = (await tx.contacts.by_ids([contact]))[0]
    organisation = found.values.organisation_id
    return request._replace(contact_id=contact, organisation_id=organisation if isinstance(organisation, UUID)
                            else None)


async def _with_deal(tx: Unit, caller: Caller, request: ServiceRequest, board: Any, deal: Any) -> ServiceRequest:
    """``request`` linked to a deal (a card of one of the workspace's boards), or to none (both None)."""
    if board is None and deal is None:
        return request._replace(board_id=None, deal_id=None)
    if board is None or deal is None:
        raise InvalidRequest("deal", "expected a deal with its board (both board and deal), or neither")
    board_id, deal_id = _uuid("board", board), _uuid("deal", deal)
    found = await tx.boards.grant(board_id, caller.id)
    if found is None or found.board.workspace_id != request.workspace_id:
        raise InvalidRequest("board", f"expected a board of this workspace, got {board_id}")
    return request._replace(board_id=board_id, deal_id=deal_id)


async def _assigned(tx: Unit, caller: Caller, request: ServiceRequest, raw: Any) -> ServiceRequest:
    """``request`` given to the member ``raw`` names (None: nobody); a new assignee other than the caller
    is notified."""
    if raw is None:
        return request._replace(assignee_id=None)
    assignee = _uuid("assignee", raw)
    if assignee not in await members(tx, request.workspace_id):
        raise InvalidRequest("assignee", f"expected a member of this workspace, got {assignee}")
    if assignee != request.assignee_id and assignee != caller.id:
        await deliver(tx, NewNotification(
            uuid5(IDS, f"request-assigned:{request.id}:{assignee}:{request.updated_at.isoformat()}"), assignee,
            request.workspace_id, f"Request assigned to you: {request.subject}", kind="assigned"))
    return request._replace(assignee_id=assignee)


async def _own_mailboxes(tx: Unit, workspace: UUID, raw: Any) -> list[UUID]:
    if not isinstance(raw, list):
        raise InvalidRequest("support_mailboxes", "expected a list of mailbox ids")
    ids = list(dict.fromkeys(_uuid("support_mailboxes", x) for x in raw))
    for mailbox in ids:
        found = await tx.mailboxes.get(mailbox)
        if found is None or found.workspace_id != workspace:
            raise InvalidRequest("support_mailboxes", f"expected mailboxes of this workspace, got {mailbox}")
    return ids


async def _reach(tx: Unit, caller: Caller, request: UUID, action: Action, *, lock: bool = False) -> ServiceRequest:
    return await in_reach(tx, caller, await tx.service_requests.get(request, lock=lock), action, "no such request")
