"""Postgres adapter of ``server.services.ports.files.RecordFiles`` (SQL in ``sql/record_files.sql``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from server.domain.files import RecordKind, RecordRef, StoredFile
from server.storage.queries import queries

SQL = queries("record_files")


def _file(row: asyncpg.Record) -> StoredFile:
    return StoredFile(id=row["id"], workspace_id=row["workspace_id"],
                      record=RecordRef(RecordKind(row["record_kind"]), row["record_id"], row["board_id"]),
                      name=row["name"], content_type=row["content_type"], size=row["size"], sha256=row["sha256"],
                      uploaded_by=row["uploaded_by"], uploaded_by_name=row["uploaded_by_name"],
                      created_at=row["created_at"])


class PostgresRecordFiles:
    """Implements ``RecordFiles`` (table ``record_files``, migration 0031)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, file: StoredFile) -> None:
        r = file.record
        await self._conn.execute(SQL["add"], file.id, file.workspace_id, str(r.kind), r.id, r.board_id, file.name,
                                 file.content_type, file.size, file.sha256, file.uploaded_by, file.created_at)

    async def get(self, file: UUID) -> StoredFile | None:
        row = await self._conn.fetchrow(SQL["get"], file)
        return None if row is None else _file(row)

    async def of_record(self, workspace: UUID, record: RecordRef) -> list[StoredFile]:
        rows = await self._conn.fetch(SQL["of_record"], workspace, str(record.kind), record.id, record.board_id)
        return [_file(r) for r in rows]

    async def remove(self, file: UUID) -> StoredFile | None:
        row = await self._conn.fetchrow(SQL["remove"], file)
        return None if row is None else _file(row)

    async def remove_on(self, workspace: UUID, kind: RecordKind, records: Sequence[UUID],
                        board: UUID | None = None) -> list[StoredFile]:
        rows = await self._conn.fetch(SQL["remove_on"], workspace, str(kind), list(records), board)
        return [_file(r) for r in rows]

    async def remove_on_board(self, board: UUID) -> list[StoredFile]:
        return [_file(r) for r in await self._conn.fetch(SQL["remove_on_board"], board)]

    async def present(self, files: Sequence[UUID]) -> set[UUID]:
        return {row["id"] for row in await self._conn.fetch(SQL["present"], list(files))}

    async def on_records(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                         limit: int) -> list[StoredFile]:
        return [_file(r) for r in await self._conn.fetch(SQL["on_records"], workspace, list(contacts), organisation,
                                                         limit)]
