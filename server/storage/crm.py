"""``PostgresCrm``: the projection tables of board documents, notes, and the CRM's read queries.

Rows are tuples in the column order of ``sql/crm.sql``'s ``*_rows`` selects (key first), built
from domain values by the ``*_row`` functions below, so the projector diffs what a document
says against what a table holds by comparing tuples. Bound to one connection, like
``PostgresWorkspaces``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from server.domain.crm import Activity, CardEvent, Deal, Stage, WorkItem
from server.storage.queries import queries

SQL = queries("crm")
Row = tuple[Any, ...]

# table -> (rows query, upsert query, delete query)
TABLES = {
    "board_stages": ("stage_rows", "upsert_stage", "delete_stages"),
    "deals": ("deal_rows", "upsert_deal", "delete_deals"),
    "work_items": ("work_item_rows", "upsert_work_item", "delete_work_items"),
    "activities": ("activity_rows", "upsert_activity", "delete_activities"),
}
_WITH_WORKSPACE = {"deals", "work_items", "activities"}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def stage_row(stage: Stage, position: int) -> Row:
    return (stage.id, stage.name, stage.rank, position, stage.probability, stage.rot_days, str(stage.kind))


def deal_row(d: Deal) -> Row:
    return (d.id, d.title, d.value, d.currency, d.owner, d.contact, d.organisation, d.expected_close, str(d.status),
            d.lost_reason, list(d.labels), _json(d.fields), d.stage, d.rank, d.created_at, d.created_by,
            d.updated_at, d.moved_at)


def work_item_row(w: WorkItem) -> Row:
    return (w.id, w.title, w.description, w.assignee, w.due, str(w.status), w.stage, w.rank, w.created_at,
            w.created_by, w.updated_at)


def activity_row(a: Activity) -> Row:
    due_at = a.due if isinstance(a.due, datetime) else None
    due_date = a.due.date() if isinstance(a.due, datetime) else a.due
    return (a.id, str(a.type), a.title, a.assignee, due_date, due_at, a.done, a.done_at, a.card, a.contact, a.note,
            a.created_at, a.created_by)


def _stored(table: str, record: asyncpg.Record) -> Row:
    row = tuple(record)
    if table == "deals":  # jsonb comes back re-ordered: compare canonical JSON
        row = row[:11] + (_json(json.loads(row[11])),) + row[12:]
    return row


class PostgresCrm:
    """Projection rows, notes and CRM queries, through one connection (and its transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    # --- documents -------------------------------------------------------------------------

    async def seed_document(self, document: str, update: bytes) -> None:
        """Write a new document's seed as its first log row (in the registering transaction)."""
        await self._conn.execute(SQL["seed_document"], document, update)

    async def lock_projection(self, document: str) -> None:
        """Serialise projections of one document across nodes (until the transaction ends)."""
        await self._conn.execute(SQL["lock_projection"], document)

    async def stored_updates(self, document: str) -> list[bytes]:
        """Snapshot and log of ``document``, read in one statement (so compaction cannot split them)."""
        return [row["u"] for row in await self._conn.fetch(SQL["stored_updates"], document)]

    async def projected_document(self, document: str) -> asyncpg.Record | None:
        """``(name, kind, workspace_id, board_id, board_kind)`` of a registered document."""
        return await self._conn.fetchrow(SQL["projected_document"], document)

    async def projected_documents(self) -> list[str]:
        return [row["name"] for row in await self._conn.fetch(SQL["projected_documents"])]

    # --- projection tables -----------------------------------------------------------------

    async def rows(self, table: str, board: UUID) -> dict[Any, Row]:
        """The rows of ``table`` for ``board``, by key."""
        records = await self._conn.fetch(SQL[TABLES[table][0]], board)
        return {record[0]: _stored(table, record) for record in records}

    async def upsert(self, table: str, board: UUID, workspace: UUID, rows: Iterable[Row]) -> None:
        prefix = (board, workspace) if table in _WITH_WORKSPACE else (board,)
        await self._conn.executemany(SQL[TABLES[table][1]], [prefix + row for row in rows])

    async def delete(self, table: str, board: UUID, keys: list[Any]) -> None:
        await self._conn.execute(SQL[TABLES[table][2]], board, keys)

    async def delete_all(self, table: str, board: UUID) -> None:
        """Empty ``table`` of ``board``'s rows (a rebuild from scratch)."""
        await self._conn.execute(SQL[f"delete_all_{table}"], board)

    async def insert_events(self, board: UUID, events: list[CardEvent]) -> None:
        await self._conn.executemany(SQL["insert_event"], [(board, *event) for event in events])

    async def events(self, board: UUID) -> list[CardEvent]:
        return [CardEvent(*record) for record in await self._conn.fetch(SQL["card_events"], board)]

    # --- notes -----------------------------------------------------------------------------

    async def insert_note(self, note: UUID, document: str, workspace: UUID, board: UUID, subject_kind: str,
                          subject: UUID, title: str, by: UUID, at: datetime) -> None:
        await self._conn.execute(SQL["insert_note"], note, document, workspace, board, subject_kind, subject,
                                 title, by, at)

    async def note(self, note: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["note"], note)

    async def set_note_title(self, document: str, title: str) -> None:
        await self._conn.execute(SQL["set_note_title"], document, title)

    async def note_title(self, document: str) -> str | None:
        return await self._conn.fetchval(SQL["note_title"], document)

    # --- reads for the API -----------------------------------------------------------------

    async def visible_boards(self, user: UUID) -> list[UUID]:
        return [row["id"] for row in await self._conn.fetch(SQL["visible_board_ids"], user)]

    async def reaches_board(self, board: UUID, user: UUID) -> bool:
        return await self._conn.fetchval(SQL["reaches_board"], board, user)

    async def my_tasks(self, user: UUID, boards: list[UUID], include_done: bool) -> tuple[list, list]:
        """``(activities, work items)`` assigned to ``user`` on ``boards``."""
        activities = await self._conn.fetch(SQL["my_activities"], user, boards, include_done)
        items = await self._conn.fetch(SQL["my_work_items"], user, boards, include_done)
        return activities, items

    async def deals(self, workspace: UUID, boards: list[UUID], owner: UUID | None, stage: UUID | None,
                    status: str | None, board: UUID | None, limit: int) -> list[asyncpg.Record]:
        return await self._conn.fetch(SQL["workspace_deals"], workspace, boards, owner, stage, status, board, limit)

    async def report_rows(self, board: UUID) -> tuple[list, list, list[CardEvent]]:
        """``(stages, deals, events)`` of one board, for the pipeline report."""
        stages = await self._conn.fetch(SQL["board_stages"], board)
        deals = await self._conn.fetch(SQL["board_deals"], board)
        return stages, deals, await self.events(board)

    async def deal(self, board: UUID, card: UUID) -> asyncpg.Record | None:
        return await self._conn.fetchrow(SQL["deal"], board, card)

    async def timeline_rows(self, board: UUID, card: UUID) -> tuple[list, list, list]:
        """``(history events, tasks done, notes)`` of one deal."""
        history = await self._conn.fetch(SQL["deal_history"], board, card)
        tasks = await self._conn.fetch(SQL["deal_tasks_done"], board, card)
        notes = await self._conn.fetch(SQL["deal_notes"], board, card)
        return history, tasks, notes
