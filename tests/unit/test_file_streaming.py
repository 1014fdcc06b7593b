"""``stream_to_store`` over the memory store: the type is sniffed from the first bytes however the
body is cut, the size and hash are those of the whole, and a body past the cap is refused while it
streams with nothing stored and the rest of it never read."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest

from server.domain.files import FileTooLarge
from server.files import MemoryFileStore
from server.services.files import stream_to_store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(20_000)


async def in_pieces(data: bytes, size: int, read: list[int] | None = None) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        if read is not None:
            read.append(start)
        yield data[start:start + size]


@pytest.mark.parametrize("piece", [1, 7, 4096, 65536])
async def test_the_type_is_sniffed_from_the_first_bytes_however_the_body_is_cut(piece):
    store = MemoryFileStore()
    got = await stream_to_store(store, "k/png", in_pieces(PNG[:12_000], piece), cap=20_000)
    assert got == ("image/png", 12_000, hashlib.sha256(PNG[:12_000]).hexdigest())
    assert store.blobs["k/png"] == (PNG[:12_000], "image/png")


async def test_a_body_exactly_at_the_cap_is_stored_and_one_byte_more_is_not():
    store = MemoryFileStore()
    assert (await stream_to_store(store, "k/edge", in_pieces(bytes(1000), 100), cap=1000)).size == 1000
    with pytest.raises(FileTooLarge, match="at most 1000 bytes"):
        await stream_to_store(store, "k/over", in_pieces(bytes(1001), 100), cap=1000)
    assert "k/over" not in store.blobs


async def test_a_body_past_the_cap_is_not_read_to_its_end():
    read: list[int] = []
    with pytest.raises(FileTooLarge):
        await stream_to_store(MemoryFileStore(), "k/huge", in_pieces(bytes(1 << 20), 1024, read), cap=10_000)
    assert len(read) <= 11  # refused at the piece that passed the cap, not after the whole megabyte


async def test_bytes_and_an_empty_body_are_stored_too():
    store = MemoryFileStore()
    assert await stream_to_store(store, "k/bytes", b"plain text", cap=100) == (
        "text/plain", 10, hashlib.sha256(b"plain text").hexdigest())
    assert (await stream_to_store(store, "k/empty", in_pieces(b"", 10), cap=100)).size == 0
    assert store.blobs["k/empty"][0] == b""
