"""Bodies and answers of the service-requests API (docs/service.md). snake_case on the wire; in a PATCH
body an absent field is left alone and ``null`` empties it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

Status = Literal["new", "open", "waiting", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["email", "phone", "web", "manual"]
Kind = Literal["inbound", "reply", "note"]
Subject = Annotated[str, Meta(max_length=300)]
Body = Annotated[str, Meta(max_length=50_000)]


class ServiceRequest(msgspec.Struct, kw_only=True):
    id: UUID
    workspace_id: UUID
    subject: str
    contact: UUID | None
    contact_name: str | None  # the customer, as the queue shows them
    organisation: UUID | None
    channel: Channel
    status: Status
    priority: Priority
    assignee: UUID | None
    created_at: datetime
    due_at: datetime  # created_at plus the workspace's response target for the priority
    overdue: bool  # no first response by due_at, and not solved or closed
    first_response_at: datetime | None
    solved_at: datetime | None
    updated_at: datetime
    board: UUID | None  # the linked deal and its board
    deal: UUID | None
    mailbox: UUID | None  # the support mailbox it came in by


class RequestMessage(msgspec.Struct, kw_only=True):
    id: UUID
    kind: Kind  # inbound: the customer's; reply: to the customer; note: internal
    author: UUID | None
    sender: str
    body: str
    created_at: datetime
    mailed: bool  # came or went by e-mail (has a Message-ID)


class RequestQueue(msgspec.Struct, kw_only=True):
    """One page of requests, soonest due first, and how many there are per status under the same filters."""

    requests: list[ServiceRequest]
    counts: dict[str, int]


class Conversation(msgspec.Struct, kw_only=True):
    request: ServiceRequest
    messages: list[RequestMessage]
    reply_to: str | None  # where an e-mailed reply goes (the customer's last mail's sender, else the contact's)


class _Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class NewRequest(_Body):
    """A request typed in: the subject, and optionally the customer, channel, priority, assignee, deal and text."""

    subject: Subject
    contact: UUID | None = None
    channel: Channel | None = None
    priority: Priority | None = None
    assignee: UUID | None = None
    board: UUID | None = None
    deal: UUID | None = None
    body: Body | None = None  # what the customer said


class RequestChanges(_Body):
    subject: Subject | UnsetType = UNSET
    contact: UUID | None | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    assignee: UUID | None | UnsetType = UNSET
    board: UUID | None | UnsetType = UNSET
    deal: UUID | None | UnsetType = UNSET


class NewMessage(_Body):
    """A reply to the customer or an internal note; ``status`` moves the request at once (e.g. waiting)."""

    kind: Literal["reply", "note"]
    body: Body
    status: Status | None = None
    send: bool = False  # a reply: also e-mail it to the customer from your mailbox (409 when you have none)


class SupportMailbox(msgspec.Struct, kw_only=True):
    id: UUID
    address: str


class ServiceSettings(msgspec.Struct, kw_only=True):
    targets: dict[Priority, int]  # hours to the first response, per priority
    support_mailboxes: list[SupportMailbox]


class ServiceSettingsChanges(_Body):
    targets: dict[str, int] | UnsetType = UNSET
    support_mailboxes: list[UUID] | UnsetType = UNSET


def given(body: msgspec.Struct) -> dict:
    """The fields a body sets (explicit nulls included)."""
    return {f: v for f in body.__struct_fields__ if (v := getattr(body, f)) is not UNSET}
