"""``PostgresNotes``, ``PostgresBoardReach`` and ``PostgresBoardReads``: the note registry and the
CRM's read queries over the projection tables (``sql/crm.sql``), each through one connection.
The projection's own storage is ``server/storage/projection.py``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.board_reads import (
    DealListing, DealSummary, HistoryRow, MyActivity, MyWorkItem, NoteAdded, NoteRecord, TaskDone, Timeline,
)
from server.domain.crm import CardEvent, Stage, StageKind
from server.domain.reports import DealFacts
from server.storage.queries import queries

SQL = queries("crm")


class PostgresNotes:
    """Implements ``server.services.ports.crm.Notes``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, note: NoteRecord) -> None:
        await self._conn.execute(SQL["insert_note"], *note)

    async def get(self, note: UUID) -> NoteRecord | None:
        row = await self._conn.fetchrow(SQL["note"], note)
        return NoteRecord(*row) if row else None

    async def title(self, document: str) -> str | None:
        return await self._conn.fetchval(SQL["note_title"], document)

    async def set_title(self, document: str, title: str) -> None:
        await self._conn.execute(SQL["set_note_title"], document, title)


class PostgresBoardReach:
    """Implements ``server.services.ports.crm.BoardReach``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def visible_boards(self, user: UUID) -> list[UUID]:
        return [row["id"] for row in await self._conn.fetch(SQL["visible_board_ids"], user)]

    async def reaches(self, board: UUID, user: UUID) -> bool:
        return await self._conn.fetchval(SQL["reaches_board"], board, user)


class PostgresBoardReads:
    """Implements ``server.services.ports.crm.BoardReads``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def my_tasks(self, user: UUID, boards: Sequence[UUID],
                       include_done: bool) -> tuple[list[MyActivity], list[MyWorkItem]]:
        activities = await self._conn.fetch(SQL["my_activities"], user, list(boards), include_done)
        items = await self._conn.fetch(SQL["my_work_items"], user, list(boards), include_done)
        return [MyActivity(*r) for r in activities], [MyWorkItem(*r) for r in items]

    async def deals(self, workspace: UUID, boards: Sequence[UUID], *, owner: UUID | None, stage: UUID | None,
                    status: str | None, board: UUID | None, limit: int) -> list[DealListing]:
        rows = await self._conn.fetch(SQL["workspace_deals"], workspace, list(boards), owner, stage, status, board,
                                      limit)
        return [DealListing(*r)._replace(fields=json.loads(r["fields"])) for r in rows]

    async def report(self, board: UUID) -> tuple[list[Stage], list[DealFacts], list[CardEvent]]:
        stages = [Stage(r["stage_id"], r["name"], r["rank"], r["probability"], r["rot_days"], StageKind(r["kind"]))
                  for r in await self._conn.fetch(SQL["board_stages"], board)]
        deals = [DealFacts(r["card_id"], r["stage_id"], r["status"], r["value"], r["currency"], r["owner_id"],
                           r["expected_close"]) for r in await self._conn.fetch(SQL["board_deals"], board)]
        events = [CardEvent(*r) for r in await self._conn.fetch(SQL["card_events"], board)]
        return stages, deals, events

    async def deal(self, board: UUID, card: UUID) -> DealSummary | None:
        row = await self._conn.fetchrow(SQL["deal"], board, card)
        return DealSummary(*row) if row else None

    async def timeline(self, board: UUID, card: UUID) -> Timeline:
        history = await self._conn.fetch(SQL["deal_history"], board, card)
        tasks = await self._conn.fetch(SQL["deal_tasks_done"], board, card)
        notes = await self._conn.fetch(SQL["deal_notes"], board, card)
        return Timeline([HistoryRow(*r) for r in history], [TaskDone(*r) for r in tasks],
                        [NoteAdded(*r) for r in notes])
