"""Stand-ins for a room's neighbours in unit tests: a committer that records what it was given to
persist, and a socket transport that records the frames sent and how it was closed."""

from __future__ import annotations

import asyncio

from server.sync.room import Room


class RecordingCommitter:
    def __init__(self) -> None:
        self.queued: list[bytes | None] = []

    def enqueue(self, room: Room, update: bytes | None) -> None:
        self.queued.append(update)


class RecordingTransport:
    """Records each frame; with ``block``, each send waits until the event is set (a slow reader)."""

    def __init__(self, block: asyncio.Event | None = None) -> None:
        self.frames: list[bytes] = []
        self.closed: tuple[int, str] | None = None
        self._block = block

    async def send(self, frame: bytes) -> None:
        if self._block is not None:
            await self._block.wait()
        self.frames.append(frame)

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)
