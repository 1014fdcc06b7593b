"""Request and response bodies of connected mailboxes and filed e-mail (issue 17 items 2-3).

A mailbox is answered without its password, ever. An e-mail is answered as far as the caller may
see it (``visibility``): ``metadata`` leaves ``subject`` and the bodies empty, ``subject`` the bodies.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from server.domain.mailboxes import Direction, Mailbox, StoredEmail, SyncStatus, Tls, Visibility

Host = Annotated[str, msgspec.Meta(min_length=1, max_length=253)]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]


class NewMailboxBody(msgspec.Struct, forbid_unknown_fields=True):
    """An IMAP + SMTP account: tested (signed in to both) before it is stored; the password sealed."""

    address: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    imap_host: Host
    smtp_host: Host
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=320)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    imap_port: Port = 993
    imap_tls: Tls = Tls.TLS
    smtp_port: Port = 465
    smtp_tls: Tls = Tls.TLS
    visibility: Visibility = Visibility.METADATA


class MailboxChange(msgspec.Struct, forbid_unknown_fields=True):
    """What other members see of the mail this mailbox files (the mail filed already too)."""

    visibility: Visibility


class Resync(msgspec.Struct, forbid_unknown_fields=True):
    """Read the folder again from the start, or only what arrived ``since``; nothing is filed twice."""

    since: date | None = None


class MailboxAnswer(msgspec.Struct):
    """A connected mailbox and its sync status (``last_error`` in words while ``status`` is failing)."""

    id: UUID
    workspace_id: UUID
    address: str
    auth_kind: str
    imap_host: str
    imap_port: int
    imap_tls: Tls
    smtp_host: str
    smtp_port: int
    smtp_tls: Tls
    username: str
    visibility: Visibility
    folder: str
    status: SyncStatus
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    imported: int
    sync_from: date | None
    created_at: datetime


class EmailAnswer(msgspec.Struct):
    """One filed e-mail as the caller may see it; ``body_html`` is sanitised."""

    id: UUID
    message_id: str
    thread_id: str
    direction: Direction
    visibility: Visibility
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    sent_at: datetime
    snippet: str
    body_text: str
    body_html: str
    owner_id: UUID | None


def mailbox_answer(m: Mailbox) -> MailboxAnswer:
    return MailboxAnswer(m.id, m.workspace_id, m.address, m.auth_kind, m.imap.host, m.imap.port, m.imap.tls,
                         m.smtp.host, m.smtp.port, m.smtp.tls, m.username, m.visibility, m.folder, m.status,
                         m.last_attempt_at, m.last_success_at, m.last_error, m.imported, m.sync_from, m.created_at)


def email_answer(stored: StoredEmail, seen: Visibility) -> EmailAnswer:
    e = stored.email
    subject = e.subject if seen is not Visibility.METADATA else ""
    whole = seen is Visibility.EVERYTHING
    return EmailAnswer(stored.id, e.message_id, e.thread_id, stored.direction, seen, e.from_address, e.from_name,
                       e.to, e.cc, subject, e.sent_at, e.snippet if whole else "", e.body_text if whole else "",
                       e.body_html if whole else "", stored.owner_id)
