"""Boards: the unit of sharing, each with one Yjs document named after it."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import msgspec

from server.domain.access import Access, Role, ShareLevel, board_access
from server.domain.accounts import User


class BoardKind(enum.StrEnum):
    PIPELINE = "pipeline"
    PROJECT = "project"


class DocumentKind(enum.StrEnum):
    """What a document is; every kind but the workspace's own and its dashboard hangs off a board and
    shares its access."""

    BOARD = "board"
    WORKSPACE = "workspace"  # the workspace's own document: no board; members read it, nobody writes
    NOTE = "note"  # a note about a deal, contact or organisation; shares the access of its board
    DASHBOARD = "dashboard"  # the workspace's shared insights layout: no board; members write, viewers read


def board_document(board: UUID) -> str:
    """The document name of a board (what clients open at ``/sync/{name}``)."""
    return f"board:{board}"


def workspace_document(workspace: UUID) -> str:
    """The document name of a workspace: its live change notices (``schema/documents/SHAPES.md``)."""
    return f"workspace:{workspace}"


def dashboard_document(workspace: UUID) -> str:
    """The document name of a workspace's shared insights dashboard layout (``schema/documents/SHAPES.md``)."""
    return f"dashboard:{workspace}"


def note_document(note: UUID) -> str:
    """The document name of a note (``schema/documents/note.json``)."""
    return f"note:{note}"


class Board(msgspec.Struct, frozen=True):
    """A board and the name of its document (``board_document``)."""

    id: UUID
    workspace_id: UUID
    name: str
    kind: BoardKind
    created_at: datetime
    document: str
    archived_at: datetime | None = None  # hidden from the boards list, kept, restorable


class BoardGrant(msgspec.Struct, frozen=True):
    """A board with what one user holds on it: a ``role`` in its workspace, a ``share`` of it, or neither."""

    board: Board
    role: Role | None
    share: ShareLevel | None

    def access(self) -> Access:
        """READ or WRITE; raises ``NotFound`` if the user holds neither a role nor a share."""
        return board_access(self.role, self.share)


class DocumentGrant(msgspec.Struct, frozen=True):
    """A document with what one user holds on its workspace (``role``) and board (``share``)."""

    name: str
    workspace_id: UUID
    board_id: UUID | None
    kind: DocumentKind
    role: Role | None
    share: ShareLevel | None


class Share(msgspec.Struct, frozen=True):
    """A board shared with a user (usually a guest)."""

    user: User
    access: ShareLevel
    created_at: datetime


class GuestInvitation(msgspec.Struct, frozen=True):
    """A board shared by link with an e-mail address that has no account yet: whoever signs up
    with ``email`` from the link gets ``access`` to the board. Named (board, workspace, inviter)
    for the sign-up page, which the guest sees before they have an account."""

    id: UUID
    board_id: UUID
    workspace_id: UUID
    board_name: str
    workspace_name: str
    email: str
    access: ShareLevel
    invited_by: UUID | None
    inviter_name: str | None
    created_at: datetime
    expires_at: datetime
