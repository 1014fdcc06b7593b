"""Links from board entries (deals, activities) to the workspace's contacts and organisations.

They live in SQL, not in the board document, because every guest with a share syncs the whole
document: a contact id there is an id of a record outside what was shared (issue 13). Written
only through the API (members and above). The projection copies them into the ``deals`` /
``activities`` rows; ``set`` and ``repoint`` update those rows too, serialised with the board's
projection (its advisory lock), so the rows never keep a stale link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol
from uuid import UUID

CARD, ACTIVITY = "card", "activity"


class EntryLink(NamedTuple):
    board_id: UUID
    entry_kind: str  # card | activity
    entry_id: UUID
    contact_id: UUID | None
    organisation_id: UUID | None


class EntryLinks(Protocol):
    """The link rows; one per entry that names a contact or organisation."""

    async def of_board(self, board: UUID) -> dict[tuple[str, UUID], EntryLink]:
        """Every link of ``board``, by (entry kind, entry id)."""

    async def get(self, board: UUID, entry_kind: str, entry: UUID) -> EntryLink | None:
        """One entry's link, or None."""

    async def set(self, workspace: UUID, board: UUID, entry_kind: str, entry: UUID, *,
                  contact: UUID | None, organisation: UUID | None) -> None:
        """Link ``entry`` to ``contact`` / ``organisation``; both None removes the link."""

    async def add_missing(self, workspace: UUID, board: UUID, links: Sequence[EntryLink]) -> int:
        """Write ``links`` whose entry has no link yet (moving old documents' links); how many."""

    async def repoint(self, losers: Sequence[UUID], survivor: UUID) -> int:
        """Links naming a contact of ``losers`` name ``survivor`` instead (a merge); how many."""

    async def unlink_contacts(self, contacts: Sequence[UUID]) -> list[EntryLink]:
        """Drop ``contacts`` from every link (an erasure); the links as they were."""

    async def moved(self, step: str) -> bool:
        """Whether the one-time ``step`` moving old documents' links has finished."""

    async def mark_moved(self, step: str) -> None:
        """Record that ``step`` finished."""
