"""The cursors of a mailbox's folders besides INBOX (brief J: the Sent folder), so the sync reads
each once: ``MailboxFolders`` keeps, per mailbox and role, the folder's name and how far it was read
(UIDVALIDITY + the highest UID)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import msgspec

SENT = "sent"


class FolderCursor(msgspec.Struct, frozen=True):
    name: str  # as the server names it ("Sent", "Sent Items", "Gesendete Elemente", …)
    uidvalidity: int
    last_uid: int
    imported: int = 0


class MailboxFolders(Protocol):
    async def get(self, mailbox: UUID, role: str) -> FolderCursor | None:
        """The folder's cursor; None when it was never read (or a re-sync forgot it)."""
        ...

    async def advance(self, mailbox: UUID, role: str, name: str, uidvalidity: int, last_uid: int,
                      imported: int) -> None:
        """Note the folder read up to ``last_uid`` under ``uidvalidity``; count ``imported`` more filed."""
        ...

    async def restart(self, mailbox: UUID) -> None:
        """Read every folder of the mailbox again from the start (a re-sync)."""
        ...
