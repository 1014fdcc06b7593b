"""Connected mailboxes and the e-mail filed from them (issue 17): pure values and rules, no I/O.

A ``Mailbox`` is one member's IMAP + SMTP account in one workspace; its ``secret`` is the sealed
(encrypted) password, never the clear one. ``Visibility`` says what other members see of the mail
it files: ``metadata`` (who wrote to whom, when), ``subject`` (and the subject) or ``everything``
(and the body). The owner always sees everything. A ``Cursor`` is how far the sync has read.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

import msgspec

from server.domain.accounts import InvalidInput


class Visibility(enum.StrEnum):
    METADATA = "metadata"
    SUBJECT = "subject"
    EVERYTHING = "everything"


class Tls(enum.StrEnum):
    TLS = "tls"  # TLS from the first byte (IMAPS 993, SMTPS 465)
    STARTTLS = "starttls"  # plain, then STARTTLS before signing in (IMAP 143, submission 587)
    NONE = "none"  # no encryption: only for a server on the same host


class AuthKind(enum.StrEnum):
    PASSWORD = "password"  # an app password, sealed
    OAUTH = "oauth"  # later: an OAuth refresh token, sealed


class SyncStatus(enum.StrEnum):
    NEW = "new"  # connected, not synced yet
    OK = "ok"  # the last sync succeeded
    FAILING = "failing"  # the last sync failed: ``last_error`` says why


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class Endpoint(NamedTuple):
    host: str
    port: int
    tls: Tls


class Cursor(NamedTuple):
    """How far a mailbox's folder has been read: everything up to ``last_uid`` under ``uidvalidity``."""

    uidvalidity: int | None  # None: never read (or a re-sync was asked for)
    last_uid: int
    highestmodseq: int | None  # CONDSTORE's, when the server offers it


class Mailbox(msgspec.Struct, frozen=True):
    id: UUID
    workspace_id: UUID
    owner_id: UUID
    address: str
    auth_kind: AuthKind
    imap: Endpoint
    smtp: Endpoint
    username: str
    secret: bytes  # sealed
    visibility: Visibility
    folder: str
    cursor: Cursor
    sync_from: date | None
    status: SyncStatus
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    imported: int
    created_at: datetime


class NewMailbox(msgspec.Struct, frozen=True):
    workspace_id: UUID
    owner_id: UUID
    address: str
    imap: Endpoint
    smtp: Endpoint
    username: str
    secret: bytes  # sealed
    visibility: Visibility = Visibility.METADATA
    auth_kind: AuthKind = AuthKind.PASSWORD


class Email(msgspec.Struct, frozen=True):
    """One message as filed: addresses lower-cased, Message-IDs without angle brackets."""

    message_id: str
    thread_id: str
    in_reply_to: str | None
    references: list[str]
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    sent_at: datetime
    snippet: str
    body_text: str
    body_html: str  # sanitised


class NewEmail(msgspec.Struct, frozen=True):
    """A message to file in a workspace, from a mailbox (synced in, or sent from Tandem)."""

    workspace_id: UUID
    mailbox_id: UUID | None
    owner_id: UUID | None
    direction: Direction
    visibility: Visibility
    email: Email
    imap_uid: int | None = None


class DealRef(NamedTuple):
    board_id: UUID
    card_id: UUID


class Filing(msgspec.Struct, frozen=True):
    """Where a message is filed: the contacts its addresses name, their organisations, their open deals."""

    contacts: list[UUID] = []
    organisations: list[UUID] = []
    deals: list[DealRef] = []

    def __bool__(self) -> bool:
        return bool(self.contacts or self.organisations or self.deals)


class StoredEmail(msgspec.Struct, frozen=True):
    id: UUID
    workspace_id: UUID
    mailbox_id: UUID | None
    owner_id: UUID | None
    direction: Direction
    visibility: Visibility
    email: Email
    created_at: datetime


def seen_by(visibility: Visibility, owner: UUID | None, viewer: UUID) -> Visibility:
    """What ``viewer`` may see of a message filed with ``visibility`` from ``owner``'s mailbox."""
    return Visibility.EVERYTHING if owner == viewer else visibility


class MailboxRefused(ValueError):
    """The mail server could not be reached, or refused the sign-in (HTTP 422): says so in words."""


_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")
_ADDRESS = re.compile(r"^[^\s@<>(),;:\"\[\]\\]{1,64}@[^\s@<>(),;:\"\[\]\\]+\.[^\s@<>(),;:\"\[\]\\]+$")


def check_host(field: str, host: str) -> str:
    host = host.strip()
    if not _HOST.match(host):
        raise InvalidInput(f"{field}: expected a host name or IP address, got {host[:80]!r}")
    return host.strip("[]")


def check_port(field: str, port: int) -> int:
    if not 1 <= port <= 65535:
        raise InvalidInput(f"{field}: expected a port number between 1 and 65535, got {port}")
    return port


def check_address(address: str) -> str:
    address = address.strip().lower()
    if len(address) > 320 or not _ADDRESS.match(address):
        raise InvalidInput(f"address: expected an e-mail address like name@example.com, got {address[:80]!r}")
    return address


def check_secret(field: str, value: str, limit: int = 1000) -> str:
    if not value or len(value) > limit:
        raise InvalidInput(f"{field}: expected 1-{limit} characters, got {len(value)}")
    return value
