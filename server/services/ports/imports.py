"""What imports remember: each import's batch (what it created and updated, so the last one can
be undone) and the column mapping a workspace chose for a header row (reused next time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.imports import ImportBatch, ImportChange


class ImportBatches(Protocol):
    """Imports of a workspace, newest first, with the records each created or updated."""

    async def start(self, workspace: UUID, kind: str, board: UUID | None, by: UUID | None) -> UUID:
        """Open a batch for an import that is about to write; its id."""
        ...

    async def record(self, batch: UUID, changes: Sequence[ImportChange], skipped: int) -> None:
        """What the import did: the records it created and updated (with their values before)."""
        ...

    async def recent(self, workspace: UUID, limit: int) -> list[ImportBatch]:
        """The workspace's latest imports, the newest first (undone ones too)."""
        ...

    async def changes(self, batch: UUID) -> list[ImportChange]:
        """What ``batch`` created and updated, in the order it did."""
        ...

    async def mark_undone(self, batch: UUID) -> bool:
        """Mark ``batch`` undone; False if it was already."""
        ...


class ImportMappings(Protocol):
    """The column mapping chosen per workspace, kind of import and header row."""

    async def find(self, workspace: UUID, kind: str, header_key: str) -> dict[str, str | None] | None:
        """The mapping last used for this header row (header → column, None: ignored), if any."""
        ...

    async def remember(self, workspace: UUID, kind: str, header_key: str, mapping: dict[str, str | None]) -> None:
        """Keep ``mapping`` for the next file with this header row."""
        ...
