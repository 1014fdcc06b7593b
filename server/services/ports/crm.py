"""The CRM's reads over the projection tables, the note registry, and who reaches which board."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.board_reads import DealListing, DealSummary, MyActivity, MyWorkItem, NoteRecord, Timeline
from server.domain.crm import CardEvent, Stage
from server.domain.reports import DealFacts


class Notes(Protocol):
    """The registry of note documents."""

    async def add(self, note: NoteRecord) -> None:
        """Register a new note."""

    async def get(self, note: UUID) -> NoteRecord | None:
        """One note, or None."""

    async def title(self, document: str) -> str | None:
        """The registered title of a note document."""

    async def set_title(self, document: str, title: str) -> None:
        """Store the title a note document now has."""


class BoardReach(Protocol):
    """Which boards a user reaches: every board of their workspaces, and the boards shared with them."""

    async def visible_boards(self, user: UUID) -> list[UUID]:
        """Every board ``user`` reaches that is not archived (lists and My tasks leave archived boards out)."""

    async def reaches(self, board: UUID, user: UUID) -> bool:
        """Whether ``user`` reaches ``board``."""


class BoardReads(Protocol):
    """What the CRM API answers from the projection tables."""

    async def my_tasks(self, user: UUID, boards: Sequence[UUID],
                       include_done: bool) -> tuple[list[MyActivity], list[MyWorkItem]]:
        """Activities and work items assigned to ``user`` on ``boards`` (open ones unless ``include_done``)."""

    async def deals(self, workspace: UUID, boards: Sequence[UUID], *, owner: UUID | None, stage: UUID | None,
                    status: str | None, board: UUID | None, limit: int) -> list[DealListing]:
        """The workspace's deals on ``boards`` matching every filter given, in board and stage order."""

    async def report(self, board: UUID) -> tuple[list[Stage], list[DealFacts], list[CardEvent]]:
        """A pipeline's stages in order, its deals and its card history: what the report is computed from."""

    async def deal(self, board: UUID, card: UUID) -> DealSummary | None:
        """One deal of ``board``, or None."""

    async def timeline(self, board: UUID, card: UUID) -> Timeline:
        """A deal's recorded changes, tasks done and notes, each oldest first."""
