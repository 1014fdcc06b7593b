"""The capabilities the engine needs from the outside world, as small protocols."""

from __future__ import annotations

from typing import NamedTuple, Protocol


class StoredDocument(NamedTuple):
    """A document as stored: its updates (snapshot first, then the log tail) and the log's length."""

    updates: list[bytes]
    log_rows: int


class DocumentStore(Protocol):
    """Durable storage of Yjs documents as an append-only update log plus one snapshot each."""

    async def load(self, document: str) -> StoredDocument:
        """Read the snapshot and every logged update of ``document`` (empty if it is new)."""
        ...

    async def append(self, rows: list[tuple[str, bytes]]) -> None:
        """Append ``(document, update)`` rows in one transaction: all are durable, or none."""
        ...

    async def compact(self, document: str) -> int:
        """Merge the snapshot and log into a new snapshot; delete exactly the rows merged."""
        ...


class Transport(Protocol):
    """The I/O side of one client connection, as the engine sees it."""

    async def send(self, frame: bytes) -> None:
        """Write one binary message; raise if the peer is gone."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close the connection with ``code`` and ``reason``."""
        ...
