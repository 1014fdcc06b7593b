"""Postgres adapters of ``server.services.ports.mailboxes`` (SQL in ``server/storage/sql/mailboxes.sql``;
tables ``mailboxes``, ``email_messages``, ``email_links`` of migration 0022)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from server.domain.mailboxes import (
    AuthKind, Cursor, DealRef, Direction, Email, Endpoint, Filing, Mailbox, NewEmail, NewMailbox, StoredEmail,
    SyncStatus, Tls, Visibility,
)
from server.domain.timeline import EmailSummary, EntryKind, TimelineEntry
from server.storage.queries import queries

SQL = queries("mailboxes")


def _mailbox(row: asyncpg.Record) -> Mailbox:
    return Mailbox(
        id=row["id"], workspace_id=row["workspace_id"], owner_id=row["owner_id"], address=row["address"],
        auth_kind=AuthKind(row["auth_kind"]),
        imap=Endpoint(row["imap_host"], row["imap_port"], Tls(row["imap_tls"])),
        smtp=Endpoint(row["smtp_host"], row["smtp_port"], Tls(row["smtp_tls"])),
        username=row["username"], secret=bytes(row["secret"]), visibility=Visibility(row["visibility"]),
        folder=row["folder"], cursor=Cursor(row["uidvalidity"], row["last_uid"], row["highestmodseq"]),
        sync_from=row["sync_from"], status=SyncStatus(row["status"]), last_attempt_at=row["last_attempt_at"],
        last_success_at=row["last_success_at"], last_error=row["last_error"], imported=row["imported"],
        created_at=row["created_at"])


def _stored(row: asyncpg.Record) -> StoredEmail:
    email = Email(
        message_id=row["message_id"], thread_id=row["thread_id"], in_reply_to=row["in_reply_to"],
        references=list(row["refs"]), from_address=row["from_address"], from_name=row["from_name"],
        to=list(row["to_addresses"]), cc=list(row["cc_addresses"]), subject=row["subject"], sent_at=row["sent_at"],
        snippet=row["snippet"], body_text=row["body_text"], body_html=row["body_html"])
    return StoredEmail(row["id"], row["workspace_id"], row["mailbox_id"], row["owner_id"], Direction(row["direction"]),
                       Visibility(row["visibility"]), email, row["created_at"])


class PostgresMailboxes:
    """Implements ``Mailboxes``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def connect(self, new: NewMailbox) -> Mailbox | None:
        row = await self._conn.fetchrow(
            SQL["connect"], new.workspace_id, new.owner_id, new.address, new.auth_kind, new.imap.host, new.imap.port,
            new.imap.tls, new.smtp.host, new.smtp.port, new.smtp.tls, new.username, new.secret, new.visibility)
        return None if row is None else _mailbox(row)

    async def get(self, mailbox: UUID) -> Mailbox | None:
        row = await self._conn.fetchrow(SQL["get"], mailbox)
        return None if row is None else _mailbox(row)

    async def of_owner(self, workspace: UUID, owner: UUID) -> list[Mailbox]:
        return [_mailbox(r) for r in await self._conn.fetch(SQL["of_owner"], workspace, owner)]

    async def set_visibility(self, mailbox: UUID, visibility: Visibility) -> None:
        await self._conn.execute(SQL["set_visibility"], mailbox, visibility)

    async def disconnect(self, mailbox: UUID) -> bool:
        return await self._conn.fetchval(SQL["disconnect"], mailbox) is not None

    async def all_ids(self) -> list[UUID]:
        return [r["id"] for r in await self._conn.fetch(SQL["all_ids"])]


class PostgresMailboxSync:
    """Implements ``MailboxSync`` (the cursor, status and lease columns of ``mailboxes``)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lease(self, mailbox: UUID, holder: UUID, hold: timedelta, renew: bool = False) -> bool:
        return await self._conn.fetchval(SQL["lease"], mailbox, holder, hold, renew) is not None

    async def release(self, mailbox: UUID, holder: UUID) -> None:
        await self._conn.execute(SQL["release"], mailbox, holder)

    async def advance(self, mailbox: UUID, cursor: Cursor, imported: int) -> None:
        await self._conn.execute(SQL["advance"], mailbox, cursor.uidvalidity, cursor.last_uid, cursor.highestmodseq,
                                 imported)

    async def succeeded(self, mailbox: UUID, at: datetime) -> None:
        await self._conn.execute(SQL["succeeded"], mailbox, at)

    async def failed(self, mailbox: UUID, at: datetime, error: str) -> None:
        await self._conn.execute(SQL["failed"], mailbox, at, error)

    async def restart(self, mailbox: UUID, since: date | None) -> None:
        await self._conn.execute(SQL["restart"], mailbox, since)


class PostgresEmailMessages:
    """Implements ``EmailMessages``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def file(self, message: NewEmail, filing: Filing) -> UUID | None:
        e, ws = message.email, message.workspace_id
        return await self._conn.fetchval(
            SQL["file"], ws, message.mailbox_id, message.owner_id, e.message_id, e.thread_id, e.in_reply_to,
            e.references, e.from_address, e.from_name, e.to, e.cc, e.subject, e.sent_at, e.snippet, e.body_text,
            e.body_html, message.direction, message.visibility, message.imap_uid, filing.contacts,
            filing.organisations, [d.board_id for d in filing.deals], [d.card_id for d in filing.deals])

    async def known(self, workspace: UUID, message_ids: Sequence[str]) -> dict[str, str]:
        rows = await self._conn.fetch(SQL["known"], workspace, list(message_ids))
        return {r["message_id"]: r["thread_id"] for r in rows}

    async def filing_for(self, workspace: UUID, addresses: Sequence[str]) -> Filing:
        contacts = await self._conn.fetch(SQL["filing_contacts"], workspace, [a.lower() for a in addresses])
        ids = [r["id"] for r in contacts]
        if not ids:
            return Filing()
        named = sorted({r["organisation_id"] for r in contacts if r["organisation_id"] is not None})
        organisations = [r["id"] for r in await self._conn.fetch(SQL["filing_organisations"], workspace, named)]
        deals = [DealRef(r["board_id"], r["card_id"]) for r in await self._conn.fetch(SQL["filing_deals"], workspace,
                                                                                         ids)]
        return Filing(ids, organisations, deals)

    async def get(self, email: UUID) -> StoredEmail | None:
        row = await self._conn.fetchrow(SQL["get_email"], email)
        return None if row is None else _stored(row)

    async def of_thread(self, workspace: UUID, thread_id: str) -> list[StoredEmail]:
        return [_stored(r) for r in await self._conn.fetch(SQL["of_thread"], workspace, thread_id)]

    async def timeline(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                       limit: int) -> list[TimelineEntry]:
        rows = await self._conn.fetch(SQL["timeline"], workspace, list(contacts), organisation, limit)
        return [TimelineEntry(EntryKind.EMAIL, r["id"], r["at"], r["actor"], r["title"], None, None, None,
                              r["contact_id"], None, None, None, None, None, EmailSummary(
                                  r["direction"], r["from_address"], r["from_name"], list(r["to_addresses"]),
                                  r["visibility"], r["snippet"], r["thread_id"], r["owner_id"])) for r in rows]

    async def of_deal(self, board: UUID, card: UUID) -> list[StoredEmail]:
        return [_stored(r) for r in await self._conn.fetch(SQL["of_deal"], board, card)]
