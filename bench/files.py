"""File-store throughput: put, read and streamed reads of files of a few sizes, per adapter.

    .venv/bin/python -m bench.files                      # the data folder, and moto's S3 server if installed
    .venv/bin/python -m bench.files --sizes 1,10 --rounds 5

Times each adapter of ``server.files`` directly (no HTTP API, no database): the data folder in a
temporary directory, and ``S3FileStore`` against moto's server on 127.0.0.1 — a Python mock, so its
numbers say what the adapter and HTTP cost on loopback, not what a real bucket does.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from server.files import LocalFileStore, S3FileStore


async def timed(step: Callable[[], Awaitable[object]], rounds: int) -> float:
    """The median seconds of ``rounds`` runs of ``step``."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def measure(name: str, store: object, sizes: list[int], rounds: int) -> None:
    for mib in sizes:
        data, key = os.urandom(mib << 20), f"bench/{uuid.uuid4()}"

        async def streamed() -> None:
            async for _ in store.open(key):  # type: ignore[attr-defined]
                pass

        put = await timed(lambda: store.put(key, data, "application/octet-stream"), rounds)  # type: ignore[attr-defined]
        read = await timed(lambda: store.read(key), rounds)  # type: ignore[attr-defined]
        stream = await timed(streamed, rounds)
        print(f"{name:6} {mib:4} MiB  put {mib / put:8.1f} MiB/s  read {mib / read:8.1f} MiB/s  "
              f"stream {mib / stream:8.1f} MiB/s")
        await store.delete(key)  # type: ignore[attr-defined]


async def main(sizes: list[int], rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await measure("local", LocalFileStore(Path(folder)), sizes, rounds)
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        print("s3     skipped: pip install 'moto[server]' for an S3-compatible server on loopback")
        return
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    store = S3FileStore("bench", endpoint=f"http://{host}:{port}", access_key="bench", secret_key="bench")
    try:
        await store.create_bucket()
        await measure("s3", store, sizes, rounds)
    finally:
        await store.aclose()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,25", help="file sizes in MiB, comma-separated")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.rounds))
