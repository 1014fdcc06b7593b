"""Who attends an activity besides its assignee: colleagues and contacts (issue 18).

Rows in SQL, not keys of the board document (like links, ``ports.entry_links``): every guest with
a share syncs the whole document, and a contact id there would leak a record outside the share.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol
from uuid import UUID


class Attendees(NamedTuple):
    users: tuple[UUID, ...] = ()  # in the order they were added
    contacts: tuple[UUID, ...] = ()


class ActivityAttendees(Protocol):
    async def of_activity(self, board: UUID, activity: UUID) -> Attendees:
        """The activity's attendees (none: empty tuples)."""
        ...

    async def of_board(self, board: UUID) -> dict[UUID, Attendees]:
        """Every activity of ``board`` that has attendees, by activity id."""
        ...

    async def set(self, workspace: UUID, board: UUID, activity: UUID, attendees: Attendees) -> None:
        """Make ``attendees`` the activity's (those not named any more are removed)."""
        ...

    async def attending(self, user: UUID, boards: list[UUID]) -> list[tuple[UUID, UUID]]:
        """(board, activity) of every activity of ``boards`` that ``user`` attends."""
        ...
