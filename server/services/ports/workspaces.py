"""The workspace repositories: workspaces and their documents, members, invitations, boards and shares.

Implemented by ``server/storage/workspaces.py`` (``Postgres<Port>``) and
``server/storage/memory/workspaces.py`` (``Memory<Port>``); tests/contract/test_workspaces.py
holds both to the same contract.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from server.domain.access import Role, ShareLevel
from server.domain.boards import Board, BoardGrant, BoardKind, DocumentGrant, DocumentKind, GuestInvitation, Share
from server.domain.workspaces import (Member, MyWorkspace, PendingInvitation, Workspace, WorkspaceSettings,
                                      WorkspaceView)


class Workspaces(Protocol):
    async def add(self, name: str, time_zone: str | None = None) -> Workspace:
        """A new workspace, with no members yet (``time_zone`` None: the server's default)."""
        ...

    async def settings(self, workspace: UUID) -> WorkspaceSettings | None:
        """The workspace's name and time zone, or None if there is no such workspace."""
        ...

    async def change_settings(self, workspace: UUID, name: str, time_zone: str | None) -> None:
        """Give the workspace this name and time zone (None: the server's default)."""
        ...

    async def of_user(self, user: UUID) -> list[MyWorkspace]:
        """The workspaces ``user`` is a member of or a guest in, by name."""
        ...

    async def workspace_view(self, workspace: UUID, user: UUID) -> WorkspaceView | None:
        """The workspace as ``user`` relates to it (role, guest), or None if there is no such workspace."""
        ...

    async def lock(self, workspace: UUID) -> None:
        """Serialise membership changes of one workspace until the unit of work ends."""
        ...

    async def add_document(self, name: str, workspace: UUID, board: UUID | None, kind: DocumentKind) -> None:
        """Register a document of the workspace (hanging off ``board``, if any)."""
        ...


class Members(Protocol):
    async def add(self, workspace: UUID, user: UUID, role: Role) -> bool:
        """Make ``user`` a member; False if they already are one (their role is left as it was)."""
        ...

    async def all(self, workspace: UUID) -> list[Member]:
        """The members, in the order they joined."""
        ...

    async def role(self, workspace: UUID, user: UUID) -> Role | None:
        """The member's role (held until the unit of work ends), or None if not a member."""
        ...

    async def count_owners(self, workspace: UUID) -> int:
        """How many owners the workspace has."""
        ...

    async def set_role(self, workspace: UUID, user: UUID, role: Role) -> None:
        """Change a member's role."""
        ...

    async def remove(self, workspace: UUID, user: UUID) -> None:
        """End a membership (nothing if there was none)."""
        ...


class Invitations(Protocol):
    async def add(
        self, token_hash: bytes, workspace: UUID, email: str, role: Role, by: UUID, ttl: float
    ) -> PendingInvitation:
        """A new invitation, usable once within ``ttl`` seconds."""
        ...

    async def take(self, token_hash: bytes, user: UUID) -> PendingInvitation | None:
        """Use an invitation once (accepted by ``user``); None if unknown, used or expired."""
        ...


class Boards(Protocol):
    async def add(self, workspace: UUID, name: str, kind: BoardKind, by: UUID) -> Board:
        """A new board with its document's name (the document is registered with ``Workspaces.add_document``)."""
        ...

    async def visible(self, workspace: UUID, user: UUID) -> list[BoardGrant]:
        """The boards of ``workspace`` that ``user`` reaches by role or share, oldest first."""
        ...

    async def grant(self, board: UUID, user: UUID) -> BoardGrant | None:
        """The board with ``user``'s role and share (both None if neither), or None if no such board."""
        ...

    async def document_grant(self, document: str, user: UUID) -> DocumentGrant | None:
        """The document with ``user``'s role and share, or None if no such document."""
        ...

    async def rename(self, board: UUID, name: str) -> None:
        """Give the board a new name."""
        ...

    async def set_archived(self, board: UUID, archived: bool) -> None:
        """Archive the board (stamped now) or restore it."""
        ...

    async def remove(self, board: UUID) -> None:
        """Delete the board with its documents, shares and everything projected from it."""
        ...


class Shares(Protocol):
    async def put(self, board: UUID, user: UUID, access: ShareLevel, by: UUID) -> None:
        """Share the board with ``user`` (or change the level of an existing share)."""
        ...

    async def remove(self, board: UUID, user: UUID) -> bool:
        """Stop sharing; False if it was not shared with ``user``."""
        ...

    async def all(self, board: UUID) -> list[Share]:
        """Who the board is shared with, oldest share first."""
        ...


class GuestInvitations(Protocol):
    """Boards shared by link with addresses that have no account yet (migration 0008)."""

    async def add(
        self, token_hash: bytes, board: UUID, email: str, access: ShareLevel, by: UUID, ttl: float
    ) -> GuestInvitation:
        """A new invitation, usable once within ``ttl`` seconds; it replaces an open one for ``board`` and ``email``."""
        ...

    async def open(self, board: UUID) -> list[GuestInvitation]:
        """The board's invitations neither accepted nor expired, oldest first."""
        ...

    async def find(self, token_hash: bytes) -> GuestInvitation | None:
        """The open invitation of this token, or None if unknown, used, revoked or expired."""
        ...

    async def take(self, token_hash: bytes, user: UUID) -> GuestInvitation | None:
        """Use the invitation once (accepted by ``user``); None if unknown, used, revoked or expired."""
        ...

    async def revoke(self, board: UUID, invitation: UUID) -> bool:
        """Cancel an invitation not yet accepted; False if there is no such open invitation."""
        ...
