"""The promise: an acknowledged update survives ``kill -9`` of the server; SIGTERM loses nothing."""

from __future__ import annotations

import asyncio
import random

from pycrdt import Map

from client import connect
from tests.support.servers import ServerProcess

ROUNDS = 3


async def write_until_killed(url: str, document: str, writer: int, acked: set[str], stop: asyncio.Event) -> None:
    """Write numbered keys, recording each one the server acknowledged as durable."""
    async with connect(url, document) as session:
        board = session.doc.get("board", type=Map) if "board" in session.doc else None
        if board is None:
            session.doc["board"] = board = Map()
        n = 0
        while not stop.is_set():
            key = f"w{writer}-{n}"
            board[key] = n
            n += 1
            try:
                async with asyncio.timeout(5):
                    await session.durable()
            except TimeoutError:
                return  # the server is gone; nothing after this was acknowledged
            acked.add(key)


async def test_every_acknowledged_update_survives_kill_minus_9_over_repeated_rounds(database_url):
    document = "kill-9"
    acked: set[str] = set()
    for round_ in range(ROUNDS):
        node = await ServerProcess(database_url).start()
        stop = asyncio.Event()
        writers = [
            asyncio.create_task(write_until_killed(node.ws_url, document, w, acked, stop))
            for w in range(4)
        ]
        await asyncio.sleep(random.uniform(0.5, 1.5))  # what is tested: a kill at a random moment of the writes
        node.kill()
        await asyncio.gather(*writers, return_exceptions=True)
        stop.set()
        assert len(acked) > round_ * 10, "writers made no progress before the kill"
    node = await ServerProcess(database_url).start()
    try:
        async with connect(node.ws_url, document) as check:
            stored = set(check.doc.get("board", type=Map).keys())
        lost = acked - stored
        assert not lost, f"{len(lost)} of {len(acked)} acknowledged updates lost: {sorted(lost)[:10]}"
    finally:
        await node.terminate()


async def test_sigterm_commits_everything_accepted_before_exit(database_url):
    # A long commit window keeps the updates in memory when SIGTERM arrives.
    node = await ServerProcess(database_url, TANDEM_COMMIT_WINDOW_SECONDS="3").start()
    async with connect(node.ws_url, "sigterm", durable=False) as writer, \
            connect(node.ws_url, "sigterm", durable=False) as witness:
        writer.doc["board"] = board = Map()
        for i in range(100):
            board[f"k{i}"] = i
        await witness.wait_for(lambda: len(witness.doc.get("board", type=Map)) == 100 if "board" in witness.doc else False)
        assert await node.terminate() in (0, -15)  # uvicorn re-raises SIGTERM after its shutdown
        await writer.wait_for(lambda: writer.close_code is not None)
        assert writer.close_code == 1012
    node = await ServerProcess(database_url).start()
    try:
        async with connect(node.ws_url, "sigterm") as check:
            assert len(check.doc.get("board", type=Map)) == 100
    finally:
        await node.terminate()


async def test_the_deployed_server_writes_broadcasts_straight_into_its_uvloop_transports(database_url):
    import httpx

    node = await ServerProcess(database_url, TANDEM_METRICS_TOKEN="scrape-me").start()
    try:
        async with connect(node.ws_url, "fast-path") as a, connect(node.ws_url, "fast-path") as b:
            a.doc["board"] = board = Map()
            board["deal"] = "Acme"
            await b.wait_for(lambda: b.doc.get("board", type=Map).get("deal") == "Acme")
            async with httpx.AsyncClient() as http:
                metrics = (await http.get(f"{node.http_url}/metrics",
                                          headers={"Authorization": "Bearer scrape-me"})).text
        direct = [line for line in metrics.splitlines() if line.startswith("tandem_connections_direct{")]
        assert direct and float(direct[0].rsplit(" ", 1)[1]) == 2, direct
    finally:
        await node.terminate()
