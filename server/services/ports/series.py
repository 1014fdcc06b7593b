"""Exceptions to repeating activities (issue 18, ``server.domain.series``): cancelled or moved
occurrences, by the series and the occurrence's local day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol
from uuid import UUID


class SeriesExceptions(Protocol):
    async def add(self, workspace: UUID, board: UUID, activity: UUID, day: date, replaced_by: UUID | None) -> bool:
        """Take the occurrence on ``day`` out of the series (``replaced_by``: the single activity
        that took its place); False if it was out already."""
        ...

    async def days(self, board: UUID, activity: UUID) -> dict[date, UUID | None]:
        """The series' exceptions: day -> the activity that replaced it (None: cancelled)."""
        ...

    async def of_boards(self, boards: Sequence[UUID]) -> dict[tuple[UUID, UUID], frozenset[date]]:
        """Every series of ``boards`` with exceptions: (board, activity) -> its days."""
        ...
