"""Files on records (``server.domain.files``): where their bytes live (``FileStore``: the data
folder, an S3-compatible bucket, or memory) and their rows (``RecordFiles``, in the unit of work)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Protocol
from uuid import UUID

from server.domain.files import RecordKind, RecordRef, StoredFile


class FileMissing(Exception):
    """A key the file store holds no bytes under."""


class FileStore(Protocol):
    """Bytes by key. Keys are ``a/b/c`` paths of ids the service makes, never user input."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there."""
        ...

    async def write(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> None:
        """Store what ``chunks`` yields under ``key`` as it arrives, holding at most one part in
        memory; if ``chunks`` raises, nothing is left under ``key`` and the error goes on up."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes under ``key`` in chunks, streamed; raises ``FileMissing`` on the first read."""
        ...

    async def read(self, key: str) -> bytes:
        """All the bytes under ``key``; raises ``FileMissing``."""
        ...

    async def delete(self, key: str) -> None:
        """Forget ``key``; nothing happens when it is not there."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether bytes are stored under ``key``."""
        ...


class RecordFiles(Protocol):
    """The rows of uploaded files (table ``record_files``)."""

    async def add(self, file: StoredFile) -> None:
        """Record an uploaded file (its bytes are in the file store already)."""
        ...

    async def get(self, file: UUID) -> StoredFile | None:
        """One file with its uploader's name, or None."""
        ...

    async def of_record(self, workspace: UUID, record: RecordRef) -> list[StoredFile]:
        """The record's files, newest first."""
        ...

    async def remove(self, file: UUID) -> StoredFile | None:
        """Delete a file's row; the row it was, or None."""
        ...

    async def remove_on(self, workspace: UUID, kind: RecordKind, records: Sequence[UUID],
                        board: UUID | None = None) -> list[StoredFile]:
        """Delete the rows of the files on ``records`` of ``kind`` (deals: cards of ``board``); those rows."""
        ...

    async def remove_on_board(self, board: UUID) -> list[StoredFile]:
        """Delete the rows of the files on any deal of ``board``; those rows."""
        ...

    async def present(self, files: Sequence[UUID]) -> set[UUID]:
        """Which of ``files`` still have a row."""
        ...

    async def on_records(self, workspace: UUID, contacts: Sequence[UUID], organisation: UUID | None,
                         limit: int) -> list[StoredFile]:
        """Files on any of ``contacts`` or on ``organisation``, newest first (their timeline)."""
        ...
