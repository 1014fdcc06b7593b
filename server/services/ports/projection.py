"""The projection's storage: the stored documents it reads and the tables it writes.

Postgres keeps two guarantees the projector relies on: ``lock`` serialises projections of one
document across nodes (an advisory lock held until the unit of work ends), and
``stored_updates`` reads snapshot and log in one statement, so a compaction cannot split them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.crm import CardEvent
from server.domain.projection import ProjectedDocument, Record, Table


class ProjectedDocuments(Protocol):
    """The board and note documents the projection reads."""

    async def seed(self, document: str, update: bytes) -> None:
        """Write a new document's seed as its first log row (in the unit that registers it)."""

    async def lock(self, document: str) -> None:
        """Serialise projections of ``document`` until the unit of work ends."""

    async def stored_updates(self, document: str) -> list[bytes]:
        """The document's snapshot and log, in order, read at once."""

    async def get(self, document: str) -> ProjectedDocument | None:
        """A registered document with its board, or None."""

    async def names(self) -> list[str]:
        """Every registered board and note document, by name."""


class ProjectionTables(Protocol):
    """The rows projected from one board's document, and its cards' history."""

    async def records(self, table: Table, board: UUID) -> dict[UUID, Record]:
        """The board's rows of ``table``, by key."""

    async def upsert(self, table: Table, board: UUID, workspace: UUID, records: Sequence[Record]) -> None:
        """Insert ``records`` or replace the rows with their keys."""

    async def delete(self, table: Table, board: UUID, keys: Sequence[UUID]) -> None:
        """Delete the board's rows with ``keys``."""

    async def clear(self, table: Table, board: UUID) -> None:
        """Delete every row of the board in ``table`` (a rebuild from scratch)."""

    async def add_events(self, board: UUID, events: Sequence[CardEvent]) -> None:
        """Append to the board's card history."""

    async def events(self, board: UUID) -> list[CardEvent]:
        """The board's card history, oldest first."""
