"""The in-memory twins of ``server.storage.mailboxes``: tables ``mailboxes`` (id -> Mailbox plus its
lease in ``mailbox_leases``), ``email_messages`` (id -> StoredEmail) and ``email_links`` (id ->
Filing). Contacts, organisations and deals are read from the twins' own tables, as the SQL does."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.domain.mailboxes import (
    Cursor, DealRef, Filing, Mailbox, NewEmail, NewMailbox, StoredEmail, SyncStatus, Visibility,
)
from server.domain.projection import Table
from server.domain.timeline import EmailSummary, EntryKind, TimelineEntry, newest_first
from server.storage.memory.unit import MemoryDatabase


class MemoryMailboxes:
    """Implements ``Mailboxes``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, Mailbox] = db.table("mailboxes")

    async def connect(self, new: NewMailbox) -> Mailbox | None:
        if any((m.workspace_id, m.owner_id, m.address) == (new.workspace_id, new.owner_id, new.address)
               for m in self._rows.values()):
            return None
        mailbox = Mailbox(
            id=uuid.uuid4(), workspace_id=new.workspace_id, owner_id=new.owner_id, address=new.address,
            auth_kind=new.auth_kind, imap=new.imap, smtp=new.smtp, username=new.username, secret=new.secret,
            visibility=new.visibility, folder="INBOX", cursor=Cursor(None, 0, None), sync_from=None,
            status=SyncStatus.NEW, last_attempt_at=None, last_success_at=None, last_error=None, imported=0,
            created_at=self._db.now())
        self._rows[mailbox.id] = mailbox
        return mailbox

    async def get(self, mailbox: UUID) -> Mailbox | None:
        return self._rows.get(mailbox)

    async def of_owner(self, workspace: UUID, owner: UUID) -> list[Mailbox]:
        return sorted((m for m in self._rows.values() if (m.workspace_id, m.owner_id) == (workspace, owner)),
                      key=lambda m: (m.created_at, str(m.id)))

    async def set_visibility(self, mailbox: UUID, visibility: Visibility) -> None:
        if mailbox not in self._rows:
            return
        self._rows[mailbox] = msgspec.structs.replace(self._rows[mailbox], visibility=visibility)
        emails: dict[UUID, StoredEmail] = self._db.table("email_messages")
        for key, e in list(emails.items()):
            if e.mailbox_id == mailbox:
                emails[key] = msgspec.structs.replace(e, visibility=visibility)

    async def disconnect(self, mailbox: UUID) -> bool:
        if self._rows.pop(mailbox, None) is None:
            return False
        emails: dict[UUID, StoredEmail] = self._db.table("email_messages")
        for key, e in list(emails.items()):
            if e.mailbox_id == mailbox:
                emails[key] = msgspec.structs.replace(e, mailbox_id=None)
        return True

    async def all_ids(self) -> list[UUID]:
        return sorted(self._rows, key=str)


class MemoryMailboxSync:
    """Implements ``MailboxSync``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, Mailbox] = db.table("mailboxes")
        self._leases: dict[UUID, tuple[UUID, datetime]] = db.table("mailbox_leases")

    def _change(self, mailbox: UUID, **changes: Any) -> None:
        if mailbox in self._rows:
            self._rows[mailbox] = msgspec.structs.replace(self._rows[mailbox], **changes)

    async def lease(self, mailbox: UUID, holder: UUID, hold: timedelta, renew: bool = False) -> bool:
        if mailbox not in self._rows:
            return False
        now = self._db.now()
        current = self._leases.get(mailbox)
        ours = current is not None and current[0] == holder
        if not ours and (renew or (current is not None and current[1] >= now)):
            return False
        self._leases[mailbox] = (holder, now + hold)
        return True

    async def release(self, mailbox: UUID, holder: UUID) -> None:
        if self._leases.get(mailbox, (None,))[0] == holder:
            del self._leases[mailbox]

    async def advance(self, mailbox: UUID, cursor: Cursor, imported: int) -> None:
        if mailbox in self._rows:
            self._change(mailbox, cursor=cursor, imported=self._rows[mailbox].imported + imported)

    async def succeeded(self, mailbox: UUID, at: datetime) -> None:
        self._change(mailbox, status=SyncStatus.OK, last_attempt_at=at, last_success_at=at, last_error=None)

    async def failed(self, mailbox: UUID, at: datetime, error: str) -> None:
        self._change(mailbox, status=SyncStatus.FAILING, last_attempt_at=at, last_error=error)

    async def restart(self, mailbox: UUID, since: date | None) -> None:
        self._change(mailbox, cursor=Cursor(None, 0, None), sync_from=since)
        self._leases.pop(mailbox, None)


class MemoryEmailMessages:
    """Implements ``EmailMessages``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, StoredEmail] = db.table("email_messages")
        self._links: dict[UUID, Filing] = db.table("email_links")

    def _of(self, workspace: UUID) -> list[StoredEmail]:
        return [e for e in self._rows.values() if e.workspace_id == workspace]

    async def file(self, message: NewEmail, filing: Filing) -> UUID | None:
        ws = message.workspace_id
        if any(e.email.message_id == message.email.message_id for e in self._of(ws)):
            return None
        email_id = uuid.uuid4()
        self._rows[email_id] = StoredEmail(email_id, ws, message.mailbox_id, message.owner_id, message.direction,
                                           message.visibility, message.email, self._db.now())
        contacts, organisations = self._db.table("contacts"), self._db.table("organisations")
        deals = self._db.table(f"projected_{Table.DEALS}")
        self._links[email_id] = Filing(
            [c for c in dict.fromkeys(filing.contacts) if _in(contacts, c, ws)],
            [o for o in dict.fromkeys(filing.organisations) if _in(organisations, o, ws)],
            [d for d in dict.fromkeys(filing.deals) if deals.get(d.board_id, {}).get(d.card_id, (None,))[0] == ws])
        return email_id

    async def known(self, workspace: UUID, message_ids: Sequence[str]) -> dict[str, str]:
        wanted = set(message_ids)
        return {e.email.message_id: e.email.thread_id for e in self._of(workspace) if e.email.message_id in wanted}

    async def filing_for(self, workspace: UUID, addresses: Sequence[str]) -> Filing:
        wanted = {a.lower() for a in addresses}
        contacts = sorted((row for row in self._db.table("contacts").values()
                           if row.workspace_id == workspace and row.deleted_at is None
                           and wanted & set(row.indexed.values.emails)), key=lambda row: row.id)
        if not contacts:
            return Filing()
        ids = [row.id for row in contacts]
        organisations = self._db.table("organisations")
        named = sorted({row.indexed.values.organisation_id for row in contacts} - {None})
        live = [o for o in named if _in(organisations, o, workspace) and organisations[o].deleted_at is None]
        deals = sorted(DealRef(board, deal.id) for board, rows in self._db.table(f"projected_{Table.DEALS}").items()
                       for ws, deal in rows.values()
                       if ws == workspace and deal.status == "open" and deal.contact in ids)
        return Filing(ids, live, deals)

    async def get(self, email: UUID) -> StoredEmail | None:
        return self._rows.get(email)

    async def of_thread(self, workspace: UUID, thread_id: str) -> list[StoredEmail]:
        return sorted((e for e in self._of(workspace) if e.email.thread_id == thread_id),
                      key=lambda e: (e.email.sent_at, str(e.id)))

    async def timeline(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                       limit: int) -> list[TimelineEntry]:
        entries = []
        for e in self._of(workspace):
            filing = self._links.get(e.id, Filing())
            named = sorted((c for c in filing.contacts if c in contacts), key=str)
            if named or (organisation is not None and organisation in filing.organisations):
                m = e.email
                entries.append(TimelineEntry(
                    EntryKind.EMAIL, e.id, m.sent_at, e.owner_id, m.subject, None, None, None,
                    named[0] if named else None, None, None, None, None, None,
                    EmailSummary(e.direction, m.from_address, m.from_name, list(m.to), e.visibility, m.snippet,
                                 m.thread_id, e.owner_id)))
        return newest_first(entries)[:limit]

    async def of_deal(self, board: UUID, card: UUID) -> list[StoredEmail]:
        found = [e for key, e in self._rows.items() if DealRef(board, card) in self._links.get(key, Filing()).deals]
        return sorted(found, key=lambda e: (e.email.sent_at, str(e.id)))


def _in(table: dict[UUID, Any], record: UUID, workspace: UUID) -> bool:
    row = table.get(record)
    return row is not None and row.workspace_id == workspace
