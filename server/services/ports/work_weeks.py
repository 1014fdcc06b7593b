"""Each person's working week (docs/calendar.md): the hours a week the workload strip measures
their booked activities against; 40 for anyone who never set it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID


class WorkWeeks(Protocol):
    async def hours(self, users: Sequence[UUID]) -> dict[UUID, float]:
        """The working week of those of ``users`` who set one (the others are absent)."""
        ...

    async def set(self, user: UUID, hours: float) -> None:
        """Set ``user``'s working week to ``hours`` (1 to 168)."""
        ...
