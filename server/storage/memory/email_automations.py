"""Memory twins of ``EmailTriggers`` and ``BccAddresses`` (tables ``automation_emails``: email ->
(SentByRule, index); ``workspace_bcc``: workspace -> (token hash, sealed); and 17b's mail tables)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.mailboxes import Filing, StoredEmail
from server.services.ports.email_automations import MailFacts, SentByRule
from server.storage.memory.unit import MemoryDatabase


class MemoryEmailTriggers:
    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    async def facts(self, email: UUID) -> MailFacts | None:
        stored: StoredEmail | None = self._db.table("email_messages").get(email)
        if stored is None:
            return None
        filing: Filing = self._db.table("email_links").get(email, Filing())
        named = [stored.email.from_address, *stored.email.to, *stored.email.cc]
        rows = self._db.table("contacts")

        def order(contact: UUID) -> tuple[int, str]:
            emails = set(rows[contact].indexed.values.emails)
            return min((i for i, a in enumerate(named) if a in emails), default=len(named)), str(contact)

        live = [c for c in filing.contacts if c in rows and rows[c].deleted_at is None]
        sent = self._db.table("automation_emails").get(email)
        return MailFacts(email, stored.workspace_id, str(stored.direction), stored.email.subject,
                         stored.email.from_address, sorted(live, key=order),
                         sorted((d.board_id, d.card_id) for d in filing.deals), sent[0] if sent else None)

    async def sent_among(self, workspace: UUID, message_ids: Sequence[str]) -> list[UUID]:
        wanted = set(message_ids)
        rows: dict[UUID, StoredEmail] = self._db.table("email_messages")
        found = [e for e in rows.values() if e.workspace_id == workspace and e.email.message_id in wanted
                 and str(e.direction) == "out"]
        return [e.id for e in sorted(found, key=lambda e: (e.email.sent_at, str(e.id)))]

    async def mark_sent(self, email: UUID, sent: SentByRule, index: int) -> bool:
        table: dict[UUID, tuple[SentByRule, int]] = self._db.table("automation_emails")
        if email in table or any((s.run, i) == (sent.run, index) for s, i in table.values()):
            return False
        table[email] = (sent, index)
        return True


class MemoryBccAddresses:
    def __init__(self, db: MemoryDatabase) -> None:
        self._rows: dict[UUID, tuple[bytes, bytes]] = db.table("workspace_bcc")

    async def sealed(self, workspace: UUID) -> bytes | None:
        found = self._rows.get(workspace)
        return found[1] if found else None

    async def put(self, workspace: UUID, token_hash: bytes, sealed: bytes, replace: bool) -> bool:
        if workspace in self._rows and not replace:
            return False
        self._rows[workspace] = (token_hash, sealed)
        return True

    async def workspace_of(self, token_hash: bytes) -> UUID | None:
        return next((w for w, (h, _) in self._rows.items() if h == token_hash), None)
