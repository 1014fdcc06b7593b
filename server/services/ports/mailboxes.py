"""Connected mailboxes (issue 17 item 2), the e-mail they file (item 3) and the IMAP server as the
sync sees it.

``Mailboxes`` keeps the accounts; ``MailboxSync`` their cursor, status and lease (the per-mailbox
lock: a sync holds it while it runs and renews it per batch, so two workers never read one mailbox
at once); ``EmailMessages`` the filed mail, one row per Message-ID per workspace, and where it is
filed. Helper code that sends (17a) files its sent copy through ``EmailMessages.file`` with
``Direction.OUT`` and reads the SMTP settings from ``Mailboxes.get``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

import msgspec

from server.domain.timeline import TimelineEntry
from server.domain.mailboxes import (
    Cursor, Endpoint, Filing, Mailbox, NewEmail, NewMailbox, StoredEmail, Visibility,
)


class Mailboxes(Protocol):
    async def connect(self, new: NewMailbox) -> Mailbox | None:
        """Add a mailbox; None if its owner already has one with that address in the workspace."""
        ...

    async def get(self, mailbox: UUID) -> Mailbox | None:
        ...

    async def of_owner(self, workspace: UUID, owner: UUID) -> list[Mailbox]:
        """The owner's mailboxes in the workspace, oldest first."""
        ...

    async def set_visibility(self, mailbox: UUID, visibility: Visibility) -> None:
        """Change what other members see, for the mail it filed already too."""
        ...

    async def disconnect(self, mailbox: UUID) -> bool:
        """Forget the mailbox and its secret; the mail it filed stays, owned by the same member."""
        ...

    async def all_ids(self) -> list[UUID]:
        """Every connected mailbox, for the polling schedule."""
        ...


class MailboxSync(Protocol):
    async def lease(self, mailbox: UUID, holder: UUID, hold: timedelta, renew: bool = False) -> bool:
        """Take (or renew, for the same holder) the mailbox's sync lease for ``hold``; False if another
        holder's lease has not run out — or, with ``renew``, if ``holder`` does not hold it (a restart
        took it away)."""
        ...

    async def release(self, mailbox: UUID, holder: UUID) -> None:
        ...

    async def advance(self, mailbox: UUID, cursor: Cursor, imported: int) -> None:
        """Move the cursor on and count ``imported`` more messages filed."""
        ...

    async def succeeded(self, mailbox: UUID, at: datetime) -> None:
        ...

    async def failed(self, mailbox: UUID, at: datetime, error: str) -> None:
        ...

    async def restart(self, mailbox: UUID, since: date | None) -> None:
        """Read the folder again from the start (nothing older than ``since``); filed mail stays. A
        run under way loses its lease, so it cannot move the cursor past the restart."""
        ...


class EmailMessages(Protocol):
    async def file(self, message: NewEmail, filing: Filing) -> UUID | None:
        """Store the message and where it is filed; None (and nothing written) when the workspace
        holds its Message-ID already."""
        ...

    async def known(self, workspace: UUID, message_ids: Sequence[str]) -> dict[str, str]:
        """Of ``message_ids``, those the workspace holds, each with its thread."""
        ...

    async def filing_for(self, workspace: UUID, addresses: Sequence[str]) -> Filing:
        """The live contacts with one of ``addresses`` (lower case), their organisations and open deals."""
        ...

    async def get(self, email: UUID) -> StoredEmail | None:
        ...

    async def of_thread(self, workspace: UUID, thread_id: str) -> list[StoredEmail]:
        """The thread's messages, oldest first."""
        ...

    async def timeline(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                       limit: int) -> list[TimelineEntry]:
        """The newest ``limit`` messages filed under ``contacts`` or ``organisation`` (newest first, in
        ``newest_first``'s order), unredacted: the service shows each as its reader may see it."""
        ...

    async def of_deal(self, board: UUID, card: UUID) -> list[StoredEmail]:
        """The messages filed under a deal, oldest first."""
        ...


class FetchedMessage(msgspec.Struct, frozen=True):
    uid: int
    raw: bytes  # RFC 5322 bytes, as BODY.PEEK[] gave them
    arrived: datetime | None  # INTERNALDATE


class FolderState(msgspec.Struct, frozen=True):
    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None  # None: no CONDSTORE
    exists: int


class Folder(msgspec.Struct, frozen=True):
    name: str  # as the server spells it (what EXAMINE takes)
    attributes: frozenset[str]  # lower case: "\\sent", "\\noselect", …


class MailServerError(Exception):
    """The server could not be reached or refused: ``str(error)`` says so in words for the owner."""


class ImapSession(Protocol):
    """One signed-in, read-only (EXAMINE) view of a folder."""

    async def examine(self, folder: str) -> FolderState:
        ...

    async def uids_after(self, last_uid: int, since: date | None) -> list[int]:
        """The folder's UIDs above ``last_uid`` (arrived on or after ``since``), ascending."""
        ...

    def fetch(self, uids: Sequence[int]) -> AsyncIterator[FetchedMessage]:
        """The messages' bytes with ``BODY.PEEK[]``: never sets \\Seen."""
        ...

    async def folders(self) -> list[Folder]:
        """Every folder of the account (IMAP LIST), with its attributes (SPECIAL-USE's ``\\sent``)."""
        ...

    async def idle(self, seconds: float) -> bool:
        """Wait up to ``seconds`` in IMAP IDLE; True as soon as the server announces new mail, False
        when the time ran out or the server has no IDLE."""
        ...


class MailServers(Protocol):
    """The network, as mailboxes see it."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """The IP addresses ``host`` resolves to (empty when it does not)."""
        ...

    def imap(self, endpoint: Endpoint, username: str, password: str) -> ImapSessionOpener:
        ...

    async def check_smtp(self, endpoint: Endpoint, username: str, password: str) -> None:
        """Sign in to the SMTP server and leave; raises ``MailServerError`` in words."""
        ...


class ImapSessionOpener(Protocol):
    async def __aenter__(self) -> ImapSession:
        """Connect and sign in; raises ``MailServerError`` in words."""
        ...

    async def __aexit__(self, *exc: object) -> None:
        ...

