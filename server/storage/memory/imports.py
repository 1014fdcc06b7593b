"""The in-memory twins of the import ports (``server.services.ports.imports``): batches in the
``import_batches`` table, their changes in ``import_changes``, mappings in ``import_mappings``."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from uuid import UUID, uuid4

from server.domain.imports import Action, ImportBatch, ImportChange
from server.storage.memory.unit import MemoryDatabase


class MemoryImportBatches:
    """Implements ``ImportBatches``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.db = db
        self.batches: dict[UUID, ImportBatch] = db.table("import_batches")
        self.changed: dict[UUID, list[ImportChange]] = db.table("import_changes")

    async def start(self, workspace: UUID, kind: str, board: UUID | None, by: UUID | None) -> UUID:
        batch = uuid4()
        self.batches[batch] = ImportBatch(batch, workspace, kind, board, by, self.db.now(), 0, 0, 0)
        self.changed[batch] = []
        return batch

    async def record(self, batch: UUID, changes: Sequence[ImportChange], skipped: int) -> None:
        self.changed[batch] += copy.deepcopy(list(changes))
        created = sum(1 for c in self.changed[batch] if c.action is Action.CREATED)
        self.batches[batch] = self.batches[batch]._replace(
            created=created, updated=len(self.changed[batch]) - created, skipped=skipped)

    async def recent(self, workspace: UUID, limit: int) -> list[ImportBatch]:
        mine = [b for b in self.batches.values() if b.workspace_id == workspace]
        return sorted(mine, key=lambda b: (b.created_at, str(b.id)), reverse=True)[:limit]

    async def changes(self, batch: UUID) -> list[ImportChange]:
        return copy.deepcopy(self.changed.get(batch, []))

    async def mark_undone(self, batch: UUID) -> bool:
        found = self.batches.get(batch)
        if found is None or found.undone_at is not None:
            return False
        self.batches[batch] = found._replace(undone_at=self.db.now())
        return True


class MemoryImportMappings:
    """Implements ``ImportMappings``."""

    def __init__(self, db: MemoryDatabase) -> None:
        self.mappings: dict[tuple[UUID, str, str], dict[str, str | None]] = db.table("import_mappings")

    async def find(self, workspace: UUID, kind: str, header_key: str) -> dict[str, str | None] | None:
        found = self.mappings.get((workspace, kind, header_key))
        return None if found is None else dict(found)

    async def remember(self, workspace: UUID, kind: str, header_key: str, mapping: dict[str, str | None]) -> None:
        self.mappings[workspace, kind, header_key] = dict(mapping)
