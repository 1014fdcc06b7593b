"""Peak memory of one upload, as the request body was handled before and as it is streamed now.

    .venv/bin/python -m bench.upload_memory                  # 50 MiB, the data folder and moto's S3
    .venv/bin/python -m bench.upload_memory --mib 25 --stores local

Each (store, way) runs in a fresh child process, so one measurement's memory never inflates
another's. The body is what Litestar's ``request.stream()`` gives: 64 KiB chunks (one random block
repeated, so the generator holds 64 KiB, not the file). ``before`` is the old path (``body_of``
joined the chunks up to the cap, then hashed, sniffed and ``put`` the whole); ``after`` is
``server.services.files.stream_to_store`` (sniffed from the first bytes, counted and hashed as it
streams, ``FileStore.write``: 1 MiB disk writes, or 5 MiB S3 parts). The child reports its peak RSS
(``VmHWM``) above what it had before the upload, and ``tracemalloc``'s peak of Python allocations.
moto's S3 server runs as its own process (``moto_server``), so its memory is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from server.domain.files import SNIFF_BYTES, sniff
from server.files import LocalFileStore, S3FileStore
from server.services.files import stream_to_store

CHUNK = 64 << 10


def status(field: str) -> int:
    """A ``/proc/self/status`` figure, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


async def body(size: int) -> AsyncIterator[bytes]:
    block = os.urandom(CHUNK)
    for _ in range(size // CHUNK):
        yield block


async def before(store: object, key: str, size: int, cap: int) -> None:
    """What ``body_of`` + ``upload`` did until now: the whole body in memory, then stored."""
    parts, total = [], 0
    async for chunk in body(size):
        total += len(chunk)
        assert total <= cap
        parts.append(chunk)
    data = b"".join(parts)
    sniff(data[:SNIFF_BYTES]), hashlib.sha256(data).hexdigest()
    await store.put(key, data, "application/octet-stream")


async def after(store: object, key: str, size: int, cap: int) -> None:
    await stream_to_store(store, key, body(size), cap)


async def child(way: str, store_name: str, endpoint: str, size: int) -> dict[str, float]:
    """One upload in this process; its memory figures in MiB."""
    with tempfile.TemporaryDirectory() as folder:
        if store_name == "local":
            store = LocalFileStore(Path(folder))
        else:
            store = S3FileStore(f"bench-{uuid.uuid4().hex[:8]}", endpoint=endpoint, access_key="bench",
                                secret_key="bench")
            await store.create_bucket()
            await store.put("warm/up", b"x", "text/plain")  # the client and its pool exist before measuring
        upload = before if way == "before" else after
        baseline = status("VmRSS")
        tracemalloc.start()
        started = time.perf_counter()
        await upload(store, "bench/file", size, size + 1)
        seconds = time.perf_counter() - started
        _, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = status("VmHWM")  # before the check below, which reads the file back whole
        assert len(await store.read("bench/file")) == size
        if isinstance(store, S3FileStore):
            await store.aclose()
    mib = 1 << 20
    return {"rss_peak_over_baseline": (peak - baseline) / mib, "traced_peak": traced / mib,
            "seconds": seconds}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto_server did not start (pip install 'moto[server]')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=50)
    parser.add_argument("--stores", default="local,s3")
    parser.add_argument("--child", nargs=3, metavar=("WAY", "STORE", "ENDPOINT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = args.mib << 20
    if args.child:
        way, store_name, endpoint = args.child
        print(json.dumps(asyncio.run(child(way, store_name, endpoint, size))))
        return
    moto, endpoint = start_moto() if "s3" in args.stores else (None, "-")
    try:
        print(f"one {args.mib} MiB upload, peak memory in MiB (RSS: VmHWM over the RSS before the upload)")
        print(f"{'store':<6} {'way':<7} {'RSS peak':>9} {'traced peak':>12} {'seconds':>8}")
        for store_name in args.stores.split(","):
            for way in ("before", "after"):
                out = subprocess.run([sys.executable, "-m", "bench.upload_memory", "--mib", str(args.mib),
                                      "--child", way, store_name, endpoint], capture_output=True, text=True, check=True)
                got = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{store_name:<6} {way:<7} {got['rss_peak_over_baseline']:>9.1f} {got['traced_peak']:>12.1f}"
                      f" {got['seconds']:>8.2f}")
    finally:
        if moto is not None:
            moto.terminate()
            moto.wait()


if __name__ == "__main__":
    main()
