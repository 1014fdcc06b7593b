"""``PostgresEntryLinks``: the ``record_links`` table (migration 0011) through one connection.
See ``sql/entry_links.sql``; call it inside a transaction (its writes take the board's
projection lock until the transaction ends)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.services.ports.entry_links import CARD, EntryLink
from server.storage.queries import queries

SQL = queries("entry_links")


class PostgresEntryLinks:
    """Implements ``server.services.ports.entry_links.EntryLinks``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_board(self, board: UUID) -> dict[tuple[str, UUID], EntryLink]:
        rows = await self._conn.fetch(SQL["of_board"], board)
        return {(row["entry_kind"], row["entry_id"]): EntryLink(*row) for row in rows}

    async def get(self, board: UUID, entry_kind: str, entry: UUID) -> EntryLink | None:
        row = await self._conn.fetchrow(SQL["get"], board, entry_kind, entry)
        return EntryLink(*row) if row else None

    async def set(self, workspace: UUID, board: UUID, entry_kind: str, entry: UUID, *,
                  contact: UUID | None, organisation: UUID | None) -> None:
        await self._conn.execute(SQL["lock_board"], board)
        if contact is None and organisation is None:
            await self._conn.execute(SQL["remove"], board, entry_kind, entry)
        else:
            await self._conn.execute(SQL["upsert"], board, entry_kind, entry, workspace, contact, organisation)
        if entry_kind == CARD:
            await self._conn.execute(SQL["set_deal_row"], board, entry, contact, organisation)
        else:
            await self._conn.execute(SQL["set_activity_row"], board, entry, contact)

    async def add_missing(self, workspace: UUID, board: UUID, links: Sequence[EntryLink]) -> int:
        await self._conn.execute(SQL["lock_board"], board)
        added = 0
        for link in links:
            status = await self._conn.execute(SQL["insert_missing"], board, link.entry_kind, link.entry_id,
                                              workspace, link.contact_id, link.organisation_id)
            added += status.endswith(" 1")
        return added

    async def repoint(self, losers: Sequence[UUID], survivor: UUID) -> int:
        boards = [row["board_id"] for row in await self._conn.fetch(SQL["boards_naming"], list(losers))]
        for board in boards:  # in id order: two merges never wait on each other crosswise
            await self._conn.execute(SQL["lock_board"], board)
        return int(await self._conn.fetchval(SQL["repoint"], list(losers), survivor))

    async def unlink_contacts(self, contacts: Sequence[UUID]) -> list[EntryLink]:
        boards = [row["board_id"] for row in await self._conn.fetch(SQL["boards_naming"], list(contacts))]
        for board in boards:
            await self._conn.execute(SQL["lock_board"], board)
        old = [EntryLink(*row) for row in await self._conn.fetch(SQL["unlink_contacts"], list(contacts))]
        await self._conn.execute(SQL["drop_empty"], boards)
        await self._conn.execute(SQL["unlink_rows"], list(contacts))
        return old

    async def moved(self, step: str) -> bool:
        return bool(await self._conn.fetchval(SQL["moved"], step))

    async def mark_moved(self, step: str) -> None:
        await self._conn.execute(SQL["mark_moved"], step)
