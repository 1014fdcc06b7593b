"""``PostgresProjectedDocuments`` and ``PostgresProjectionTables``: the projection's storage.

Rows come back as the records of ``server.domain.projection`` (the column order of each table's
``*_rows`` select in ``sql/crm.sql`` is the records' field order), so the projector compares them
with what it builds from a document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.crm import CardEvent
from server.domain.projection import RECORDS, DealRecord, ProjectedDocument, Record, Table
from server.storage.queries import queries

SQL = queries("crm")

# table -> (rows query, upsert query, delete query)
STATEMENTS = {
    Table.STAGES: ("stage_rows", "upsert_stage", "delete_stages"),
    Table.DEALS: ("deal_rows", "upsert_deal", "delete_deals"),
    Table.WORK_ITEMS: ("work_item_rows", "upsert_work_item", "delete_work_items"),
    Table.ACTIVITIES: ("activity_rows", "upsert_activity", "delete_activities"),
}
_WITH_WORKSPACE = {Table.DEALS, Table.WORK_ITEMS, Table.ACTIVITIES}


def _record(table: Table, row: asyncpg.Record) -> Record:
    record = RECORDS[table](*row)
    if isinstance(record, DealRecord):
        record = record._replace(fields=json.loads(record.fields))
    return record


def _columns(record: Record) -> tuple:
    if isinstance(record, DealRecord):
        return tuple(record._replace(fields=json.dumps(record.fields, separators=(",", ":"))))
    return tuple(record)


class PostgresProjectedDocuments:
    """Implements ``server.services.ports.projection.ProjectedDocuments``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def seed(self, document: str, update: bytes) -> None:
        await self._conn.execute(SQL["seed_document"], document, update)

    async def lock(self, document: str) -> None:
        await self._conn.execute(SQL["lock_projection"], document)

    async def stored_updates(self, document: str) -> list[bytes]:
        return [row["u"] for row in await self._conn.fetch(SQL["stored_updates"], document)]

    async def get(self, document: str) -> ProjectedDocument | None:
        row = await self._conn.fetchrow(SQL["projected_document"], document)
        return ProjectedDocument(*row) if row else None

    async def names(self) -> list[str]:
        return [row["name"] for row in await self._conn.fetch(SQL["projected_documents"])]


class PostgresProjectionTables:
    """Implements ``server.services.ports.projection.ProjectionTables``."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def records(self, table: Table, board: UUID) -> dict[UUID, Record]:
        rows = await self._conn.fetch(SQL[STATEMENTS[table][0]], board)
        return {row[0]: _record(table, row) for row in rows}

    async def upsert(self, table: Table, board: UUID, workspace: UUID, records: Sequence[Record]) -> None:
        prefix = (board, workspace) if table in _WITH_WORKSPACE else (board,)
        await self._conn.executemany(SQL[STATEMENTS[table][1]], [prefix + _columns(r) for r in records])

    async def delete(self, table: Table, board: UUID, keys: Sequence[UUID]) -> None:
        await self._conn.execute(SQL[STATEMENTS[table][2]], board, list(keys))

    async def clear(self, table: Table, board: UUID) -> None:
        await self._conn.execute(SQL[f"delete_all_{table}"], board)

    async def add_events(self, board: UUID, events: Sequence[CardEvent]) -> None:
        await self._conn.executemany(SQL["insert_event"], [(board, *event) for event in events])

    async def events(self, board: UUID) -> list[CardEvent]:
        return [CardEvent(*row) for row in await self._conn.fetch(SQL["card_events"], board)]
