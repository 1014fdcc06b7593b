"""Request and response bodies of the e-mail API (issue 17): mail status, templates and previews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from server.domain.email_templates import MAX_BODY, MAX_NAME, MAX_SUBJECT

Name = Annotated[str, msgspec.Meta(max_length=MAX_NAME)]
Subject = Annotated[str, msgspec.Meta(max_length=MAX_SUBJECT)]
Body = Annotated[str, msgspec.Meta(max_length=MAX_BODY)]


class MailStatus(msgspec.Struct):
    """Whether this server sends mail (``TANDEM_SMTP_URL``), and from which address."""

    configured: bool
    sender: str | None


class NewTemplate(msgspec.Struct, forbid_unknown_fields=True):
    """A template: ``subject`` and HTML ``body`` with merge fields like ``{{ contact.first_name }}``."""

    name: Name
    locale: str
    subject: Subject
    body: Body


class EmailTemplate(msgspec.Struct):
    id: UUID
    name: str
    locale: str
    subject: str
    body: str
    fields: list[str]  # the merge fields it uses, e.g. "contact.first_name"
    updated_at: datetime


class PreviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The records to render against, each optional; a deal is ``board_id`` + ``card_id``."""

    contact_id: UUID | None = None
    organisation_id: UUID | None = None
    board_id: UUID | None = None
    card_id: UUID | None = None


class Preview(msgspec.Struct):
    """The rendered template; ``missing`` lists merge fields without a value (a send is refused)."""

    subject: str
    body: str
    missing: list[str]


Address = Annotated[str, msgspec.Meta(max_length=320)]


class Records(msgspec.Struct, forbid_unknown_fields=True):
    """The records a mail is written on, each optional; a deal is ``board_id`` + ``card_id``."""

    contact_id: UUID | None = None
    organisation_id: UUID | None = None
    board_id: UUID | None = None
    card_id: UUID | None = None


class DraftPreview(Records, forbid_unknown_fields=True):
    """A draft to render: its subject and HTML body may hold merge fields."""

    subject: Subject = ""
    body: Body = ""


class NewEmail(Records, forbid_unknown_fields=True):
    """A mail to send. ``subject`` and HTML ``body`` may hold merge fields (rendered against the
    records when sent; one without a value refuses the send with 422). ``reply_to_email_id``: the
    stored e-mail it answers (threads it: In-Reply-To, References)."""

    to: Annotated[list[Address], msgspec.Meta(max_length=50)] = []
    cc: Annotated[list[Address], msgspec.Meta(max_length=50)] = []
    subject: Subject = ""
    body: Body = ""
    reply_to_email_id: UUID | None = None
    track: bool = False  # opt-in: an open pixel and links through signed redirects
    attachments: Annotated[list[UUID], msgspec.Meta(max_length=20)] = []  # record files' ids (docs/files.md)


class MailRoute(msgspec.Struct):
    """How the caller's mail leaves: ``mailbox`` (their connected mailbox; ``sender`` is its address),
    ``relay`` (the server's, From ``sender`` with Reply-To ``reply_to``: the caller) or ``none``."""

    via: str
    sender: str | None
    reply_to: str | None
    tracking: bool = False  # whether opens and clicks can be tracked on this server


class SentEmail(msgspec.Struct):
    """A mail queued to send; ``id`` is its copy on the timeline."""

    id: UUID
    message_id: str
    via: str
    sender: str


class TrackingEvent(msgspec.Struct):
    kind: str  # open | click
    url: str | None
    proxy: bool  # fetched by a privacy proxy (Apple Mail Privacy Protection, Gmail's image proxy): not a person
    at: datetime


class TrackingStats(msgspec.Struct):
    """A tracked mail's opens (a person's, and privacy proxies' apart) and clicks, with each event."""

    opens: int
    proxy_opens: int
    clicks: int
    events: list[TrackingEvent]


class Delivery(msgspec.Struct):
    """Whether a mail sent from Tandem left: ``sending``, ``sent``, or ``failed`` (the mail server kept
    refusing it; retries used up)."""

    status: str
