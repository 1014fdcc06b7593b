"""Several server processes sharing one Postgres and one real Redis, and Redis's faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pycrdt import Doc, Map, Text

from client import connect
from tests.support.redis_server import CuttableProxy
from tests.support.servers import ServerProcess


def board(session) -> Map:
    return session.doc.get("board", type=Map)


def notes(session) -> Text:
    return session.doc.get("notes", type=Text)


@asynccontextmanager
async def cluster(database_url: str, *redis_urls: str, **env: str) -> AsyncIterator[list[ServerProcess]]:
    nodes = [ServerProcess(database_url, REDIS_URL=url, **env) for url in redis_urls]
    await asyncio.gather(*(node.start() for node in nodes))
    try:
        yield nodes
    finally:
        for node in nodes:
            if node.process is not None and node.process.poll() is None:
                node.kill()


async def stored_doc(database_url: str, document: str) -> Doc:
    import asyncpg

    from server.storage.documents import PostgresDocumentStore

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        stored = await PostgresDocumentStore(pool).load(document)
    finally:
        await pool.close()
    doc = Doc()
    for update in stored.updates:
        doc.apply_update(update)
    return doc


async def test_clients_on_different_nodes_converge_on_concurrent_map_and_text_edits(database_url, redis_server):
    async with cluster(database_url, redis_server.url, redis_server.url) as (a, b):
        async with connect(a.ws_url, "x-node") as on_a, connect(b.ws_url, "x-node") as on_b:
            for i in range(20):
                board(on_a)[f"a{i}"] = i
                board(on_b)[f"b{i}"] = i
                notes(on_a).insert(0, "A")
                notes(on_b).insert(0, "B")
            for s in (on_a, on_b):
                await s.wait_for(lambda s=s: len(board(s)) == 40 and len(str(notes(s))) == 40)
            assert board(on_a).to_py() == board(on_b).to_py()
            assert str(notes(on_a)) == str(notes(on_b))


async def test_a_cold_document_opened_on_two_nodes_at_once_converges_and_all_is_stored(database_url, redis_server):
    async with cluster(database_url, redis_server.url, redis_server.url) as (a, b):
        async with connect(a.ws_url, "cold") as on_a, connect(b.ws_url, "cold") as on_b:
            for i in range(30):
                board(on_a)[f"a{i}"] = i
                board(on_b)[f"b{i}"] = i
            await asyncio.gather(on_a.durable(), on_b.durable())
            for s in (on_a, on_b):
                await s.wait_for(lambda s=s: len(board(s)) == 60)
        stored = await stored_doc(database_url, "cold")
        assert len(stored.get("board", type=Map)) == 60


async def test_a_second_node_starts_from_what_the_first_holds_but_has_not_committed(database_url, redis_server):
    # A three-second commit window keeps node A's edits in memory only.
    async with cluster(database_url, redis_server.url, redis_server.url, TANDEM_COMMIT_WINDOW_SECONDS="3") as (a, b):
        async with connect(a.ws_url, "uncommitted", durable=False) as on_a, \
                connect(a.ws_url, "uncommitted", durable=False) as witness:
            board(on_a)["deal"] = "Acme"
            await witness.wait_for(lambda: "deal" in board(witness))  # node A holds it (uncommitted)
            async with connect(b.ws_url, "uncommitted", durable=False) as on_b:
                assert board(on_b).to_py() == {"deal": "Acme"}


async def test_when_a_node_is_killed_its_clients_resync_elsewhere_and_nothing_acknowledged_is_lost(
        database_url, redis_server):
    async with cluster(database_url, redis_server.url, redis_server.url,
                       TANDEM_PRESENCE_TIMEOUT_SECONDS="2") as (a, b):
        async with connect([a.ws_url, b.ws_url], "failover") as roaming, connect(b.ws_url, "failover") as watcher:
            roaming.set_presence({"name": "Roaming"})
            await watcher.wait_for(lambda: {"name": "Roaming"} in watcher.peers.values())
            acked = []
            for i in range(50):
                board(roaming)[f"k{i}"] = i
                await roaming.durable()
                acked.append(f"k{i}")
            a.kill()
            # presence of a's client is cleared on b, then comes back when it reconnects to b
            board(roaming)["after"] = True
            await roaming.durable()
            await watcher.wait_for(lambda: "after" in board(watcher), timeout=10)
            assert set(acked) <= set(board(watcher).keys())
        stored = await stored_doc(database_url, "failover")
        assert set(acked) | {"after"} <= set(stored.get("board", type=Map).keys())


async def test_presence_of_a_dead_node_s_clients_disappears_on_the_others(database_url, redis_server):
    async with cluster(database_url, redis_server.url, redis_server.url,
                       TANDEM_PRESENCE_TIMEOUT_SECONDS="2") as (a, b):
        async with connect(b.ws_url, "ghosts") as watcher:
            async with connect(a.ws_url, "ghosts") as doomed:
                doomed.set_presence({"name": "Doomed"})
                await watcher.wait_for(lambda: {"name": "Doomed"} in watcher.peers.values())
                a.kill()
                await watcher.wait_for(lambda: not watcher.peers, timeout=6)


async def test_documents_converge_after_redis_restarts_mid_edit(database_url, redis_server):
    async with cluster(database_url, redis_server.url, redis_server.url) as (a, b):
        async with connect(a.ws_url, "redis-restart") as on_a, connect(b.ws_url, "redis-restart") as on_b:
            board(on_a)["before"] = 1
            await on_b.wait_for(lambda: "before" in board(on_b))
            redis_server.stop()
            for i in range(20):
                board(on_a)[f"a{i}"] = i
                board(on_b)[f"b{i}"] = i
            await asyncio.gather(on_a.durable(), on_b.durable())  # each node keeps persisting
            await redis_server.start()
            for s in (on_a, on_b):
                await s.wait_for(lambda s=s: len(board(s)) == 41, timeout=10)


async def test_a_node_cut_off_from_redis_converges_when_it_is_reconnected(database_url, redis_server):
    proxy = await CuttableProxy(redis_server.port).start()
    try:
        async with cluster(database_url, proxy.url, redis_server.url) as (a, b):
            async with connect(a.ws_url, "cut-off") as on_a, connect(b.ws_url, "cut-off") as on_b:
                board(on_a)["before"] = 1
                await on_b.wait_for(lambda: "before" in board(on_b))
                proxy.cut()
                for i in range(10):
                    board(on_a)[f"a{i}"] = i
                    board(on_b)[f"b{i}"] = i
                    notes(on_a).insert(0, "a")
                await asyncio.gather(on_a.durable(), on_b.durable())
                await asyncio.sleep(0.5)  # a negative check: B's edits would have crossed by now
                assert "b0" not in board(on_a)  # really cut off
                proxy.restore()
                for s in (on_a, on_b):
                    await s.wait_for(lambda s=s: len(board(s)) == 21 and len(str(notes(s))) == 10, timeout=10)
    finally:
        await proxy.close()


async def test_a_rolling_restart_sends_clients_to_another_node_and_loses_nothing(database_url, redis_server):
    async with cluster(database_url, redis_server.url, redis_server.url) as (a, b):
        async with connect([a.ws_url, b.ws_url], "rolling") as roaming, connect(b.ws_url, "rolling") as watcher:
            for i in range(30):
                board(roaming)[f"k{i}"] = i
            await roaming.durable()
            await a.terminate()
            await roaming.wait_for(lambda: roaming.close_code == 1012)
            board(roaming)["after-restart"] = True
            await roaming.durable()
            assert roaming.connections == 2
            await watcher.wait_for(lambda: len(board(watcher)) == 31)
        stored = await stored_doc(database_url, "rolling")
        assert len(stored.get("board", type=Map)) == 31
