"""Compaction against the real Postgres: two nodes at once while a third keeps appending; a CRM
field edited 10,000 times squashed into a snapshot of a few dozen bytes; rows whose dependencies
are not (yet) visible kept whole; a large document squashed in the server's worker process, which
may die mid-compaction without anything being lost, and which stops with the server."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from pycrdt import Doc, Map

from server.storage.documents import PostgresDocumentStore
from server.storage.migrations import migrate
from server.sync.updates import OFF_LOOP_BYTES, Squasher, merge, squash
from tests.support.servers import in_process_server, settings_for


def edits(count: int, prefix: str) -> list[bytes]:
    doc = Doc()
    doc["board"] = board = Map()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(count):
        board[f"{prefix}{i}"] = i
    return updates


async def test_two_nodes_compacting_one_document_at_once_lose_nothing(database_url):
    pools = [await asyncpg.create_pool(database_url, min_size=1, max_size=2) for _ in range(3)]
    try:
        await migrate(pools[0])
        node_a, node_b, writer = (PostgresDocumentStore(pool) for pool in pools)
        first, second = edits(150, "a"), edits(150, "b")
        for round_ in range(8):  # the race window is narrow: try it several times
            await race(node_a, node_b, writer, f"compaction-race-{round_}", first, second)
    finally:
        for pool in pools:
            await pool.close()


async def race(node_a, node_b, writer, document: str, first: list[bytes], second: list[bytes]) -> None:
    """Two compactions each from both nodes while rows keep coming; then nothing may be missing."""
    for update in first:
        await writer.append([(document, update)])

    async def keep_appending() -> None:
        for update in second:
            await writer.append([(document, update)])

    await asyncio.gather(node_a.compact(document), node_b.compact(document), keep_appending(),
                         node_a.compact(document), node_b.compact(document))
    await node_a.compact(document)
    stored = await writer.load(document)
    assert stored.log_rows == 0 and len(stored.updates) == 1
    doc = Doc()
    doc.apply_update(stored.updates[0])
    keys = set(doc.get("board", type=Map).keys())
    assert keys == {f"a{i}" for i in range(150)} | {f"b{i}" for i in range(150)}


def field_edits(count: int) -> tuple[Doc, list[bytes]]:
    """One deal's stage set ``count`` times, one row per edit, and the editing doc."""
    doc = Doc()
    deal = doc.get("board", type=Map)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    deal["title"] = "Acme renewal"
    for i in range(count):
        deal["stage"] = f"stage {i}"
    return doc, updates


def cold(updates: list[bytes]) -> Doc:
    """A doc loaded from what is stored, update by update, as the room registry loads one."""
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc


@asynccontextmanager
async def migrated_pool(database_url: str, size: int = 2) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=size)
    try:
        await migrate(pool)
        yield pool
    finally:
        await pool.close()


async def test_ten_thousand_edits_of_one_field_compact_into_a_tiny_snapshot(database_url):
    async with migrated_pool(database_url) as pool:
        store = PostgresDocumentStore(pool)
        document = "compaction-ten-thousand-sets"
        editor, updates = field_edits(10_000)
        for start in range(0, len(updates), 1_000):
            await store.append([(document, update) for update in updates[start:start + 1_000]])
        assert len(merge(updates)) > 100_000  # what the merge-based compaction wrote
        assert await store.compact(document) == len(updates)
        snapshot = await pool.fetchval(
            "SELECT state FROM document_snapshots_v1 WHERE document = $1", document)
        assert len(snapshot) < 1_000

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)  # a cold start
    try:
        stored = await PostgresDocumentStore(pool).load(document)
    finally:
        await pool.close()
    assert stored.log_rows == 0 and stored.updates == [snapshot]
    loaded = cold(stored.updates)
    assert loaded.get("board", type=Map).to_py() == {"title": "Acme renewal", "stage": "stage 9999"}
    assert loaded.get_state() == editor.get_state()
    # a client that saw the first half syncs from the loaded doc to the editor's state
    client = cold(updates[:5_000])
    client.apply_update(loaded.get_update(client.get_state()))
    assert client.get("board", type=Map).to_py() == editor.get("board", type=Map).to_py()


async def test_rows_whose_dependency_is_not_yet_visible_survive_compaction(database_url):
    """Two nodes commit independently: a row can be visible before one it builds on."""
    async with migrated_pool(database_url) as pool:
        store = PostgresDocumentStore(pool)
        document = "compaction-missing-dependency"
        editor, updates = field_edits(40)
        late = updates[10]
        await store.append([(document, update) for update in updates if update is not late])
        assert await store.compact(document) == len(updates) - 1
        await store.append([(document, late)])
        stored = await store.load(document)
        content = cold([merge(stored.updates)]).get("board", type=Map).to_py()
        assert content == editor.get("board", type=Map).to_py()
        assert await store.compact(document) == 1  # now complete: squashed after all
        stored = await store.load(document)
        assert len(stored.updates[0]) < 200
        assert cold(stored.updates).get_state() == editor.get_state()


FALLBACK = "squashing in the worker process failed; squashing on a thread instead"


def fallbacks(caplog) -> int:
    return sum(record.getMessage() == FALLBACK for record in caplog.records)


async def test_a_squash_worker_killed_mid_compaction_loses_nothing_and_the_next_one_starts_afresh(
        database_url, caplog):
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    loop = asyncio.get_running_loop()
    try:
        await migrate(pool)
        async with Squasher() as squasher:
            store = PostgresDocumentStore(pool, squasher)
            document = "compaction-worker-killed"
            editor, updates = field_edits(4_000)
            assert sum(map(len, updates[:3_000])) > OFF_LOOP_BYTES
            await store.append([(document, update) for update in updates[:3_000]])
            broken = squasher.executor()
            pid = await loop.run_in_executor(broken, os.getpid)
            busy = loop.run_in_executor(broken, time.sleep, 60)  # the compaction queues behind it
            compaction = asyncio.create_task(store.compact(document))
            await asyncio.sleep(0.2)  # kill it at some moment of the compaction (which one does not matter)
            os.kill(pid, signal.SIGKILL)  # before or after the squash is queued: either way a thread
            assert await compaction == 3_000
            await asyncio.gather(busy, return_exceptions=True)
            assert fallbacks(caplog) == 1

            await store.append([(document, update) for update in updates[3_000:]])
            stored = await store.load(document)
            rest = len(updates) - 3_000
            assert stored.log_rows == rest and len(stored.updates[0]) < 1_000  # squashed, not merged
            assert await store.compact(document) == rest
            assert fallbacks(caplog) == 1  # in a fresh worker
            assert squasher.executor() is not broken
            assert await loop.run_in_executor(squasher.executor(), os.getpid) != pid
            stored = await store.load(document)
            assert stored.log_rows == 0 and stored.updates == [squash(updates)]
            assert cold(stored.updates).get_state() == editor.get_state()
    finally:
        await pool.close()


async def test_the_servers_squash_worker_compacts_large_documents_and_stops_with_the_server(database_url):
    before = set(multiprocessing.active_children())
    document = "compaction-server-worker"
    editor, updates = field_edits(3_000)
    async with in_process_server(settings_for(database_url)) as running:
        store = running.services.store
        await store.append([(document, update) for update in updates])
        assert set(multiprocessing.active_children()) == before  # started on first need only
        assert await store.compact(document) == len(updates)
        workers = set(multiprocessing.active_children()) - before
        assert len(workers) == 1  # the squash ran in the app's worker process
        worker = workers.pop()
        assert worker.is_alive()
    assert not worker.is_alive() and worker.exitcode == 0  # shut down in order, and joined
    assert set(multiprocessing.active_children()) == before
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"the worker {worker.pid} is still there")
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        stored = await PostgresDocumentStore(pool).load(document)
    finally:
        await pool.close()
    assert stored.log_rows == 0 and stored.updates == [squash(updates)]
    assert cold(stored.updates).get_state() == editor.get_state()
