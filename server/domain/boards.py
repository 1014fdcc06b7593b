"""Boards: the unit of sharing, each with one Yjs document named after it."""

from __future__ import annotations

import enum
from uuid import UUID


class BoardKind(enum.StrEnum):
    PIPELINE = "pipeline"
    PROJECT = "project"


class DocumentKind(enum.StrEnum):
    """What a document is; every kind hangs off a board and shares its access."""

    BOARD = "board"


def board_document(board: UUID) -> str:
    """The document name of a board (what clients open at ``/sync/{name}``)."""
    return f"board:{board}"
