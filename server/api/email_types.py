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
