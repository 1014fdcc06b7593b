"""In-memory twin of ``server.services.ports.mailbox_folders`` (for unit tests and the contract suite)."""

from __future__ import annotations

from uuid import UUID

from server.services.ports.mailbox_folders import FolderCursor
from server.storage.memory.unit import MemoryDatabase


class MemoryMailboxFolders:
    """Implements ``MailboxFolders``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[tuple[UUID, str], FolderCursor] = db.table("mailbox_folders")

    async def get(self, mailbox: UUID, role: str) -> FolderCursor | None:
        if mailbox not in self._db.table("mailboxes"):  # disconnected: its rows went with it (ON DELETE CASCADE)
            self._rows.pop((mailbox, role), None)
            return None
        return self._rows.get((mailbox, role))

    async def advance(self, mailbox: UUID, role: str, name: str, uidvalidity: int, last_uid: int,
                      imported: int) -> None:
        if mailbox not in self._db.table("mailboxes"):  # gone: as the row's foreign key
            return
        before = self._rows.get((mailbox, role))
        self._rows[(mailbox, role)] = FolderCursor(name, uidvalidity, last_uid,
                                                   (before.imported if before else 0) + imported)

    async def restart(self, mailbox: UUID) -> None:
        for key in [k for k in self._rows if k[0] == mailbox]:
            del self._rows[key]

