"""``MemoryEntryLinks``: the in-memory twin of ``PostgresEntryLinks``.

Table ``record_links``: (board, entry kind, entry id) -> ``(workspace, EntryLink)``. Like the SQL,
writes also update the projected ``deals`` / ``activities`` records (``projected_<table>``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from server.domain.projection import Table
from server.services.ports.entry_links import CARD, EntryLink
from server.storage.memory.crm import projected
from server.storage.memory.unit import MemoryDatabase


class MemoryEntryLinks:
    """Implements ``server.services.ports.entry_links.EntryLinks`` in a ``MemoryDatabase``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[tuple[UUID, str, UUID], tuple[UUID, EntryLink]] = db.table("record_links")

    async def of_board(self, board: UUID) -> dict[tuple[str, UUID], EntryLink]:
        return {(kind, entry): link for (b, kind, entry), (_, link) in self._rows.items() if b == board}

    async def get(self, board: UUID, entry_kind: str, entry: UUID) -> EntryLink | None:
        found = self._rows.get((board, entry_kind, entry))
        return found[1] if found else None

    async def set(self, workspace: UUID, board: UUID, entry_kind: str, entry: UUID, *,
                  contact: UUID | None, organisation: UUID | None) -> None:
        key = (board, entry_kind, entry)
        if contact is None and organisation is None:
            self._rows.pop(key, None)
        else:
            self._rows[key] = (workspace, EntryLink(board, entry_kind, entry, contact, organisation))
        self._set_row(board, entry_kind, entry, contact, organisation)

    async def add_missing(self, workspace: UUID, board: UUID, links: Sequence[EntryLink]) -> int:
        added = 0
        for link in links:
            key = (board, link.entry_kind, link.entry_id)
            if key not in self._rows:
                self._rows[key] = (workspace, link._replace(board_id=board))
                added += 1
        return added

    async def repoint(self, losers: Sequence[UUID], survivor: UUID) -> int:
        changed = 0
        for key, (workspace, link) in list(self._rows.items()):
            if link.contact_id in losers:
                self._rows[key] = (workspace, link._replace(contact_id=survivor))
                self._set_row(link.board_id, link.entry_kind, link.entry_id, survivor, link.organisation_id)
                changed += 1
        return changed

    async def unlink_contacts(self, contacts: Sequence[UUID]) -> list[EntryLink]:
        old = sorted((link for _, link in self._rows.values() if link.contact_id in contacts),
                     key=lambda link: (str(link.board_id), link.entry_kind, str(link.entry_id)))
        for link in old:
            await self.set(self._rows[(link.board_id, link.entry_kind, link.entry_id)][0], link.board_id,
                           link.entry_kind, link.entry_id, contact=None, organisation=link.organisation_id)
        return old

    async def moved(self, step: str) -> bool:
        return step in self._db.table("steps_done", set)

    async def mark_moved(self, step: str) -> None:
        self._db.table("steps_done", set).add(step)

    def _set_row(self, board: UUID, entry_kind: str, entry: UUID, contact: UUID | None,
                 organisation: UUID | None) -> None:
        table = Table.DEALS if entry_kind == CARD else Table.ACTIVITIES
        rows = projected(self._db, table).get(board, {})
        if entry in rows:
            workspace, record = rows[entry]
            values = {"contact": contact, "organisation": organisation} if entry_kind == CARD else {"contact": contact}
            rows[entry] = (workspace, record._replace(**values))
