"""Compaction of one document by two nodes at once, while a third keeps appending."""

from __future__ import annotations

import asyncio

import asyncpg
from pycrdt import Doc, Map

from server.storage.documents import PostgresDocumentStore
from server.storage.migrations import migrate


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
