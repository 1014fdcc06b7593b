"""The capabilities the engine needs from the outside world, as small protocols."""

from __future__ import annotations

from collections.abc import Callable
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
        """Squash the snapshot and log into a new snapshot; delete exactly the rows it read."""
        ...


class Transport(Protocol):
    """The I/O side of one client connection, as the engine sees it."""

    async def send(self, frame: bytes) -> None:
        """Write one binary message; raise if the peer is gone."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close the connection with ``code`` and ``reason``."""
        ...


class Bus(Protocol):
    """Fan-out between nodes: one channel per open document, at-most-once delivery."""

    node: str

    async def subscribe(self, channel: str, handler: Callable[[bytes], None]) -> None:
        """Deliver every message published on ``channel`` (by any node) to ``handler``."""
        ...

    async def unsubscribe(self, channel: str) -> None:
        """Stop delivering ``channel``."""
        ...

    def publish(self, channel: str, data: bytes) -> None:
        """Send ``data`` without waiting; it may be lost if the bus is down."""
        ...

    async def holders(self, channel: str) -> int:
        """How many nodes (this one included) are subscribed to ``channel``."""
        ...

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever the bus comes back after an outage."""
        ...


class RoomListener(Protocol):
    """Follows one room's changes for work done off the hot path (the SQL projection).

    Each call must be O(1) — note and schedule, never work — since ``changed`` runs for every
    update the room routes.
    """

    def changed(self, update: bytes, origin: object) -> None:
        """The room's doc changed by ``update``, from ``origin`` (a ``Connection`` or an ``Origin``)."""
        ...

    def committed(self) -> None:
        """A commit of this room's updates has reached the store."""
        ...

    def released(self) -> None:
        """The room was unloaded; nothing more will come."""
        ...
