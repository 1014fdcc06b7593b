"""A workspace's permission levels, and what erasing a contact's personal data reads and blanks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from server.domain.erasure import PersonalData
from server.domain.permissions import Permissions


class PermissionLevels(Protocol):
    """The levels an admin set per workspace (``server.domain.permissions``)."""

    async def of_workspace(self, workspace: UUID) -> Permissions | None:
        """The workspace's levels, or None while it has the defaults."""

    async def set(self, workspace: UUID, levels: Permissions, by: UUID) -> None:
        """Store the workspace's levels (who set them, and when, is kept too)."""


class ErasableContacts(Protocol):
    """The rows that hold a contact's personal data, and blanking them."""

    async def lock(self, contact: UUID) -> PersonalData | None:
        """The contact's personal data, live or deleted, locked until the unit of work ends."""

    async def merged_into(self, contact: UUID) -> list[PersonalData]:
        """Every contact merged into ``contact``, directly or through other merges, locked."""

    async def erase(self, contacts: Sequence[UUID]) -> int:
        """Blank every personal field of ``contacts``, keeping the ids as tombstones; how many."""

    async def notes_about(self, contacts: Sequence[UUID]) -> list[str]:
        """The documents of the notes about ``contacts``."""

    async def boards_naming(self, contacts: Sequence[UUID]) -> list[UUID]:
        """Boards whose projected deals or activities name one of ``contacts``."""
