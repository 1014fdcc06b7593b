"""The in-memory twin of ``server.storage.record_files``."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec

from server.domain.files import RecordKind, RecordRef, StoredFile
from server.storage.memory.unit import MemoryDatabase


class MemoryRecordFiles:
    """Implements ``RecordFiles`` (table ``record_files``: id -> StoredFile; uploaders' names from
    ``user_names`` or the users twin)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._rows: dict[UUID, StoredFile] = db.table("record_files")

    def _named(self, file: StoredFile) -> StoredFile:
        names: dict[UUID, str] = self._db.table("user_names")
        users = self._db.table("users")
        name = names.get(file.uploaded_by) if file.uploaded_by else None
        if name is None and file.uploaded_by in users:
            name = getattr(users[file.uploaded_by], "name", None)
        return msgspec.structs.replace(file, uploaded_by_name=name)

    def _newest_first(self, files: list[StoredFile]) -> list[StoredFile]:
        files = sorted(files, key=lambda f: str(f.id))
        return [self._named(f) for f in sorted(files, key=lambda f: f.created_at, reverse=True)]

    async def add(self, file: StoredFile) -> None:
        if file.id in self._rows:
            raise ValueError(f"record_files: {file.id} exists")
        self._rows[file.id] = msgspec.structs.replace(file, uploaded_by_name=None)

    async def get(self, file: UUID) -> StoredFile | None:
        found = self._rows.get(file)
        return None if found is None else self._named(found)

    async def of_record(self, workspace: UUID, record: RecordRef) -> list[StoredFile]:
        return self._newest_first([f for f in self._rows.values() if f.workspace_id == workspace and f.record == record])

    async def remove(self, file: UUID) -> StoredFile | None:
        found = self._rows.pop(file, None)
        return None if found is None else self._named(found)

    async def remove_on(self, workspace: UUID, kind: RecordKind, records: Sequence[UUID],
                        board: UUID | None = None) -> list[StoredFile]:
        wanted = {RecordRef(kind, r, board) for r in records}
        return self._pop([f for f in self._rows.values() if f.workspace_id == workspace and f.record in wanted])

    async def remove_on_board(self, board: UUID) -> list[StoredFile]:
        return self._pop([f for f in self._rows.values() if f.record.board_id == board])

    def _pop(self, files: list[StoredFile]) -> list[StoredFile]:
        for file in files:
            del self._rows[file.id]
        return files

    async def present(self, files: Sequence[UUID]) -> set[UUID]:
        return {f for f in files if f in self._rows}

    async def on_records(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                         limit: int) -> list[StoredFile]:
        wanted = {RecordRef(RecordKind.CONTACT, c) for c in contacts}
        if organisation is not None:
            wanted.add(RecordRef(RecordKind.ORGANISATION, organisation))
        return self._newest_first([f for f in self._rows.values()
                                   if f.workspace_id == workspace and f.record in wanted])[:limit]
