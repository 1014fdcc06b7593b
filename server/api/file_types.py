"""Answers of the files API (``server/api/files.py``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from server.domain.files import StoredFile


class RecordFile(msgspec.Struct, frozen=True):
    """A file on a deal, contact or organisation. ``content_type`` is sniffed from its bytes;
    ``url`` downloads it (always as an attachment)."""

    id: UUID
    workspace_id: UUID
    record_kind: str  # deal | contact | organisation
    record_id: UUID  # a deal's card
    board_id: UUID | None  # a deal's board
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UUID | None
    uploaded_by_name: str | None
    created_at: datetime
    url: str


class RecordFiles(msgspec.Struct, frozen=True):
    """A record's files, newest first, the largest upload this server takes and the most one mail
    attaches in all (bytes)."""

    files: list[RecordFile]
    max_bytes: int
    attachments_max_bytes: int


def record_file(file: StoredFile) -> RecordFile:
    r = file.record
    return RecordFile(file.id, file.workspace_id, str(r.kind), r.id, r.board_id, file.name, file.content_type,
                      file.size, file.sha256, file.uploaded_by, file.uploaded_by_name, file.created_at,
                      f"/api/files/{file.id}")
