"""Boards: the unit of sharing, each with one Yjs document named after it."""

from __future__ import annotations

import enum
from uuid import UUID


class BoardKind(enum.StrEnum):
    PIPELINE = "pipeline"
    PROJECT = "project"


class DocumentKind(enum.StrEnum):
    """What a document is; every kind but the workspace's own hangs off a board and shares its access."""

    BOARD = "board"
    WORKSPACE = "workspace"  # the workspace's own document: no board; members read it, nobody writes
    NOTE = "note"  # a note about a deal, contact or organisation; shares the access of its board


def board_document(board: UUID) -> str:
    """The document name of a board (what clients open at ``/sync/{name}``)."""
    return f"board:{board}"


def workspace_document(workspace: UUID) -> str:
    """The document name of a workspace: its live change notices (``schema/documents/SHAPES.md``)."""
    return f"workspace:{workspace}"


def note_document(note: UUID) -> str:
    """The document name of a note (``schema/documents/note.json``)."""
    return f"note:{note}"
