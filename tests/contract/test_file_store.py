"""The ``FileStore`` contract over the data folder, memory and a real S3-compatible server (moto's,
over HTTP on loopback): bytes back as put, streamed in chunks, replaced, deleted, absent keys;
a streamed write (one part, or an S3 multipart upload past 5 MiB) reads back whole, and one whose
body fails leaves nothing under its key."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from server.files import LocalFileStore, MemoryFileStore, S3FileStore, file_store
from server.services.ports.files import FileMissing
from tests.support.s3 import ACCESS_KEY, SECRET_KEY, s3_server
from tests.support.servers import ROOT


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "memory", "s3"])
async def store(request, tmp_path, s3_endpoint) -> AsyncIterator:
    if request.param == "local":
        yield LocalFileStore(tmp_path / "files")
    elif request.param == "memory":
        yield MemoryFileStore()
    else:
        s3 = S3FileStore(f"b{uuid.uuid4().hex[:12]}", prefix="tandem", endpoint=s3_endpoint,
                         access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        await s3.create_bucket()
        yield s3
        await s3.aclose()


async def collect(chunks: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in chunks]


async def test_bytes_read_back_exactly_as_put(store):
    data = bytes(range(256)) * 7 + b"\x00\xff"
    await store.put("workspaces/a/files/1", data, "application/octet-stream")
    assert await store.read("workspaces/a/files/1") == data
    assert await store.exists("workspaces/a/files/1")
    assert not await store.exists("workspaces/a/files/2")


async def test_a_large_file_streams_in_several_chunks_that_join_to_the_original(store):
    data = os.urandom(300 * 1024)
    await store.put("k/large", data, "application/pdf")
    chunks = await collect(store.open("k/large"))
    assert len(chunks) > 1
    assert b"".join(chunks) == data


async def test_putting_again_replaces_the_bytes(store):
    await store.put("k/x", b"first", "text/plain")
    await store.put("k/x", b"second, longer", "text/plain")
    assert await store.read("k/x") == b"second, longer"


async def test_a_deleted_key_is_gone_and_deleting_twice_is_fine(store):
    await store.put("k/gone", b"bytes", "text/plain")
    await store.delete("k/gone")
    await store.delete("k/gone")
    assert not await store.exists("k/gone")
    with pytest.raises(FileMissing):
        await store.read("k/gone")


async def test_reading_or_streaming_an_absent_key_raises_file_missing(store):
    with pytest.raises(FileMissing):
        await store.read("k/never")
    with pytest.raises(FileMissing):
        await collect(store.open("k/never"))


async def test_an_empty_file_is_stored_and_read_back_empty(store):
    await store.put("k/empty", b"", "text/plain")
    assert await store.read("k/empty") == b""
    assert await store.exists("k/empty")


async def test_keys_of_two_workspaces_do_not_meet(store):
    await store.put("workspaces/a/files/same", b"a", "text/plain")
    await store.put("workspaces/b/files/same", b"b", "text/plain")
    assert (await store.read("workspaces/a/files/same"), await store.read("workspaces/b/files/same")) == (b"a", b"b")


async def chunked(data: bytes, size: int = 64 << 10) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.parametrize("size", [0, 100 * 1024, (11 << 20) + 100 * 1024], ids=["empty", "one-part", "multipart"])
async def test_a_streamed_write_reads_back_exactly(store, size):
    data = os.urandom(size)
    await store.write("k/streamed", chunked(data), "application/octet-stream")
    assert await store.read("k/streamed") == data


async def test_a_streamed_write_whose_body_fails_leaves_nothing_under_its_key(store):
    await store.put("k/kept", b"old", "text/plain")

    async def failing() -> AsyncIterator[bytes]:
        async for chunk in chunked(os.urandom(9 << 20)):  # past the first S3 part: a multipart upload
            yield chunk
        raise ConnectionResetError("the client went away")

    for key in ("k/new", "k/kept"):
        with pytest.raises(ConnectionResetError):
            await store.write(key, failing(), "application/octet-stream")
    assert not await store.exists("k/new")
    assert await store.read("k/kept") == b"old"  # a failed write does not replace what was there
    if isinstance(store, LocalFileStore):
        assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == ["kept"]  # no partial files
    if isinstance(store, S3FileStore):
        uploads = await (await store._s3()).list_multipart_uploads(Bucket=store.bucket)
        assert uploads.get("Uploads", []) == []  # aborted


CRASHING_WRITER = """
import asyncio, os, sys
from pathlib import Path
from server.files import LocalFileStore, S3FileStore

async def body():
    for _ in range(7 * 16):  # 7 MiB: on disk already, or past the first S3 part
        yield os.urandom(64 << 10)
    os._exit(9)  # the process dies mid-upload: no cleanup runs

kind, where, key = sys.argv[1:4]
store = (LocalFileStore(Path(where)) if kind == "local" else
         S3FileStore(where, prefix="tandem", endpoint=sys.argv[4], access_key=sys.argv[5], secret_key=sys.argv[6]))
asyncio.run(store.write(key, body(), "application/octet-stream"))
"""


async def leftovers(store: LocalFileStore | S3FileStore) -> list[str]:
    """Partial files, or open multipart uploads."""
    if isinstance(store, LocalFileStore):
        return [p.name for p in store.root.rglob("*.part")]
    uploads = await (await store._s3()).list_multipart_uploads(Bucket=store.bucket)
    return [u["Key"] for u in uploads.get("Uploads", [])]


@pytest.mark.parametrize("kind", ["local", "s3"])
async def test_deleting_a_key_clears_what_a_write_killed_mid_stream_left(kind, tmp_path, s3_endpoint):
    if kind == "local":
        store, where = LocalFileStore(tmp_path / "files"), [str(tmp_path / "files")]
    else:
        store = S3FileStore(f"b{uuid.uuid4().hex[:12]}", prefix="tandem", endpoint=s3_endpoint,
                            access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        await store.create_bucket()
        where = [store.bucket]
    key = f"workspaces/w/files/{uuid.uuid4()}"
    crashed = subprocess.run([sys.executable, "-c", CRASHING_WRITER, kind, *where, key, s3_endpoint, ACCESS_KEY,
                              SECRET_KEY], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 9, crashed.stderr
    assert len(await leftovers(store)) == 1 and not await store.exists(key)  # the crash left a partial upload
    await store.delete(key)  # what the upload's files.remove job does when it finds no row
    assert await leftovers(store) == []
    if isinstance(store, S3FileStore):
        await store.aclose()


def test_the_local_store_refuses_keys_that_climb_out_of_its_folder(tmp_path):
    local = LocalFileStore(tmp_path)
    for key in ("../etc/passwd", "a/../../b", "", "a//b"):
        with pytest.raises(ValueError):
            local._path(key)


def test_the_files_url_picks_the_store(tmp_path):
    assert isinstance(file_store("", tmp_path), LocalFileStore)
    assert file_store("", tmp_path).root == tmp_path / "files"
    assert file_store("file:///srv/tandem-files", tmp_path).root.as_posix() == "/srv/tandem-files"
    s3 = file_store("s3://crm-files/prod?endpoint=http://127.0.0.1:9000&region=eu-central-1", tmp_path,
                    {"TANDEM_FILES_ACCESS_KEY": "k", "TANDEM_FILES_SECRET_KEY": "s"})
    assert isinstance(s3, S3FileStore) and s3.bucket == "crm-files"
    with pytest.raises(SystemExit, match="TANDEM_FILES_URL"):
        file_store("ftp://host/x", tmp_path)
