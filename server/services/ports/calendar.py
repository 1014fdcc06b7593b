"""The calendar's reads of the projection and the private iCalendar feeds (issue 18)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from server.domain.calendar import CalendarEntry
from server.domain.projection import ActivityRecord
from server.domain.team_tasks import TeamTask


class CalendarEntries(Protocol):
    async def between(self, boards: Sequence[UUID], people: Sequence[UUID], first: date,
                      last: date) -> list[CalendarEntry]:
        """Activities of ``boards`` assigned to (or attended by) one of ``people`` whose (local) day is from ``first``
        to ``last``, and repeating ones that started by ``last``; by day and start."""
        ...

    async def upcoming(self, first: date, last: date) -> list[tuple[UUID, UUID, ActivityRecord]]:
        """(workspace, board, activity) of every open activity that is someone's, on a board not
        archived, whose day is from ``first`` to ``last`` or that repeats."""
        ...


    async def tasks(self, boards: Sequence[UUID], include_done: bool) -> list[TeamTask]:
        """Every activity of ``boards`` (open ones only unless ``include_done``), dated or not,
        with its board's and card's names — the team to-do list and the workload (issue 18)."""
        ...


class CalendarFeeds(Protocol):
    async def put(self, user: UUID, token_hash: bytes) -> None:
        """Give ``user`` a feed with this token's hash, replacing any they had."""
        ...

    async def user_of(self, token_hash: bytes) -> UUID | None:
        """Whose feed the token with this hash opens, if anyone's."""
        ...

    async def created(self, user: UUID) -> datetime | None:
        """When ``user``'s feed was made; None if they have none."""
        ...

    async def drop(self, user: UUID) -> bool:
        """Revoke ``user``'s feed; False if they had none."""
        ...
