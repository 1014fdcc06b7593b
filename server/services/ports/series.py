"""Exceptions to repeating activities (issue 18, ``server.domain.series``): cancelled or moved
occurrences, by the series and the occurrence's local day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple, Protocol
from uuid import UUID


class SeriesException(NamedTuple):
    board: UUID
    activity: UUID  # the series
    day: date  # the occurrence's local day
    replaced_by: UUID | None  # the single activity that took its place (None: cancelled)


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

    async def rows(self, boards: Sequence[UUID]) -> list[SeriesException]:
        """Every exception of ``boards``' series, by board, activity and day."""
        ...

    async def remove(self, board: UUID, activity: UUID, day: date) -> bool:
        """Put the occurrence on ``day`` back into the series; False if it was not out."""
        ...
