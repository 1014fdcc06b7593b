"""``LocalFileStore``: files in a folder (by default ``<data dir>/files``), so the two README
commands need no object store. Writes go to a temporary file beside the target, renamed into
place (a reader never sees half a file; a failed streamed write leaves nothing); disk work runs in
a thread, off the event loop."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from server.services.ports.files import FileMissing

CHUNK = 64 << 10
FLUSH = 1 << 20  # a streamed write goes to disk in about this much at a time


class LocalFileStore:
    """Implements ``FileStore`` under ``root``; a key is a relative path of ids."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(p in {"", ".", ".."} for p in parts):  # keys are ids; refuse anything else
            raise ValueError(f"file key: expected a/b/c of plain names, got {key!r}")
        return self.root.joinpath(*parts)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial(path)
        partial.write_bytes(data)
        os.replace(partial, path)

    async def write(self, key: str, chunks: AsyncIterable[bytes], content_type: str) -> None:
        path = self._path(key)
        partial = _partial(path)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        handle = await asyncio.to_thread(partial.open, "wb")
        try:
            try:
                await _copy(chunks, handle)
            finally:
                await asyncio.to_thread(handle.close)
            await asyncio.to_thread(os.replace, partial, path)
        except BaseException:
            await asyncio.to_thread(partial.unlink, missing_ok=True)
            raise

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise FileMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def read(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise FileMissing(key) from None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)
        await asyncio.to_thread(_partial(path).unlink, missing_ok=True)  # what a write cut short by a crash left

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)


def _partial(path: Path) -> Path:
    """The temporary name beside ``path`` a write fills before renaming it into place. One per key:
    a key is a new id, written once, so ``delete`` knows what a crashed write left."""
    return path.with_name(f".{path.name}.part")


async def _copy(chunks: AsyncIterable[bytes], handle: BinaryIO) -> None:
    """Write ``chunks`` to ``handle`` about ``FLUSH`` bytes per thread hop."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        if len(buffer) >= FLUSH:
            await asyncio.to_thread(handle.write, bytes(buffer))
            buffer.clear()
    if buffer:
        await asyncio.to_thread(handle.write, bytes(buffer))
