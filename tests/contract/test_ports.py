"""One contract per port, run over every implementation: memory and the real service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from pycrdt import Doc, Map

from server.fanout.memory import MemoryBroker, MemoryBus
from server.fanout.redis import RedisBus
from server.storage.documents import PostgresDocumentStore
from server.storage.memory import MemoryDocumentStore
from server.storage.migrations import migrate
from tests.support.waiting import eventually


def edits(count: int, prefix: str = "k") -> list[bytes]:
    doc = Doc()
    doc["board"] = board = Map()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(count):
        board[f"{prefix}{i}"] = i
    return updates


def content(updates: list[bytes]) -> dict:
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc.get("board", type=Map).to_py()


# --- DocumentStore ---------------------------------------------------------------------------


@pytest.fixture(params=["memory", "postgres"])
async def store(request, database_url) -> AsyncIterator[object]:
    if request.param == "memory":
        yield MemoryDocumentStore()
        return
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    await migrate(pool)
    yield PostgresDocumentStore(pool)
    await pool.close()


async def test_a_new_document_loads_empty(store):
    assert await store.load("contract-new-document") == ([], 0)


async def test_load_returns_every_appended_update_in_order(store, request):
    document = f"contract-order-{request.node.callspec.id}"
    updates = edits(5)
    await store.append([(document, u) for u in updates[:3]])
    await store.append([(document, u) for u in updates[3:]])
    stored = await store.load(document)
    assert stored.updates == updates and stored.log_rows == 5


async def test_compaction_keeps_the_content_and_empties_the_log(store, request):
    document = f"contract-compact-{request.node.callspec.id}"
    updates = edits(20)
    await store.append([(document, u) for u in updates])
    assert await store.compact(document) == 20
    stored = await store.load(document)
    assert stored.log_rows == 0 and content(stored.updates) == content(updates)
    assert await store.compact(document) == 0


async def test_rows_appended_after_a_compaction_load_after_the_snapshot(store, request):
    document = f"contract-tail-{request.node.callspec.id}"
    first, later = edits(10, "a"), edits(10, "b")
    await store.append([(document, u) for u in first])
    await store.compact(document)
    await store.append([(document, u) for u in later])
    stored = await store.load(document)
    assert stored.log_rows == 10 and content(stored.updates) == {**content(first), **content(later)}


# --- Bus -------------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
async def two_buses(request, redis_server) -> AsyncIterator[tuple[object, object]]:
    if request.param == "memory":
        broker = MemoryBroker()
        yield MemoryBus(broker, "node-a"), MemoryBus(broker, "node-b")
        return
    async with RedisBus(redis_server.url, "node-a") as a, RedisBus(redis_server.url, "node-b") as b:
        yield a, b


async def test_a_message_published_by_one_node_reaches_the_other(two_buses):
    a, b = two_buses
    got: list[bytes] = []
    await b.subscribe("contract:doc", got.append)
    await a.subscribe("contract:doc", lambda data: None)
    a.publish("contract:doc", b"hello")
    await eventually(lambda: got == [b"hello"])


async def test_holders_count_the_subscribed_nodes(two_buses):
    a, b = two_buses
    await a.subscribe("contract:holders", lambda data: None)
    assert await a.holders("contract:holders") == 1
    await b.subscribe("contract:holders", lambda data: None)
    assert await a.holders("contract:holders") == 2
    await b.unsubscribe("contract:holders")
    assert await a.holders("contract:holders") == 1


async def test_an_unsubscribed_node_receives_nothing_more(two_buses):
    a, b = two_buses
    got: list[bytes] = []
    await b.subscribe("contract:gone", got.append)
    a.publish("contract:gone", b"one")
    await eventually(lambda: got == [b"one"])
    await b.unsubscribe("contract:gone")
    barrier: list[bytes] = []
    await b.subscribe("contract:barrier", barrier.append)
    a.publish("contract:gone", b"two")
    a.publish("contract:barrier", b"after two")  # one publisher, one subscriber: delivered in order
    await eventually(lambda: barrier == [b"after two"])
    assert got == [b"one"]
