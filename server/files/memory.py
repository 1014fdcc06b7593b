"""``MemoryFileStore``: the in-memory twin of the file stores (a dict of bytes)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from server.services.ports.files import FileMissing

CHUNK = 64 << 10


class MemoryFileStore:
    """Implements ``FileStore`` in a dict; chunks as the real stores stream them."""

    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, str]] = {}

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self.blobs[key] = (bytes(data), content_type)

    async def write(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> None:
        parts = [chunk async for chunk in chunks]  # a twin: whole, but only once every chunk came
        self.blobs[key] = (b"".join(parts), content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        data = await self.read(key)
        for start in range(0, len(data), CHUNK):
            yield data[start:start + CHUNK]

    async def read(self, key: str) -> bytes:
        if key not in self.blobs:
            raise FileMissing(key)
        return self.blobs[key][0]

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    async def exists(self, key: str) -> bool:
        return key in self.blobs
