"""Replication between nodes over a bus that misbehaves: duplicates, reorders, drops.

Two nodes run in this process on one in-process broker, so the bus can be made hostile
deterministically; the Redis-backed cluster is tested in test_cluster.py.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from pycrdt import Map, Text

from client import connect
from server.fanout.memory import MemoryBroker, MemoryBus
from server.protocol import bus as wire
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


class ChaosBus(MemoryBus):
    """Delivers every message twice, each after a random delay (so out of order)."""

    def publish(self, channel: str, data: bytes) -> None:
        self.published += 1
        loop = asyncio.get_running_loop()
        for handler in list(self.broker.channels.get(channel, {}).values()):
            for _ in range(2):
                loop.call_later(random.uniform(0, 0.03), handler, data)


class LossyBus(MemoryBus):
    """Drops every third UPDATE message, as Redis pub/sub may."""

    dropped = 0

    def publish(self, channel: str, data: bytes) -> None:
        if data[0] == wire.BusType.UPDATE:
            LossyBus.dropped += 1
            if LossyBus.dropped % 3 == 0:
                return
        super().publish(channel, data)


METRICS_TOKEN = "scrape-me"


@asynccontextmanager
async def nodes(database_url: str, bus_type: type[MemoryBus], count: int = 2) -> AsyncIterator[list[InProcessServer]]:
    broker = MemoryBroker()
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(
            in_process_server(settings_for(database_url, metrics_token=METRICS_TOKEN), bus=bus_type(broker)))
            for _ in range(count)]


def board(session) -> Map:
    return session.doc.get("board", type=Map)


def notes(session) -> Text:
    return session.doc.get("notes", type=Text)


async def test_delivering_every_message_twice_and_out_of_order_changes_nothing(database_url):
    async with nodes(database_url, ChaosBus) as (a, b):
        async with connect(a.ws_url, "chaos") as on_a, connect(b.ws_url, "chaos") as on_b:
            for i in range(30):
                board(on_a)[f"a{i}"] = i
                board(on_b)[f"b{i}"] = i
                notes(on_a).insert(len(str(notes(on_a))), f"a{i};")
                if i % 10 == 0:
                    del board(on_a)[f"a{i}"]
            for s in (on_a, on_b):
                await s.wait_for(lambda s=s: len(board(s)) == 57 and str(notes(s)).count(";") == 30)
            assert board(on_a).to_py() == board(on_b).to_py()
            assert str(notes(on_a)) == str(notes(on_b)) == "".join(f"a{i};" for i in range(30))


async def test_lost_messages_are_noticed_and_repaired(database_url):
    async with nodes(database_url, LossyBus) as (a, b):
        async with connect(a.ws_url, "lossy") as on_a, connect(b.ws_url, "lossy") as on_b:
            for i in range(12):
                board(on_a)[f"a{i}"] = i
                await asyncio.sleep(0.01)  # paces the sender: one bus message per edit, some lost
            await on_b.wait_for(lambda: len(board(on_b)) == 12)
            replica = b.services.rooms.get("lossy").replica
            assert replica.gap_repairs > 0


async def test_the_last_message_lost_before_idle_is_repaired_by_the_tail(database_url):
    class DropLastUpdate(MemoryBus):
        drop_next = False

        def publish(self, channel: str, data: bytes) -> None:
            if data[0] == wire.BusType.UPDATE and DropLastUpdate.drop_next:
                DropLastUpdate.drop_next = False
                return
            super().publish(channel, data)

    async with nodes(database_url, DropLastUpdate) as (a, b):
        async with connect(a.ws_url, "tail") as on_a, connect(b.ws_url, "tail") as on_b:
            board(on_a)["first"] = 1
            await on_b.wait_for(lambda: "first" in board(on_b))
            DropLastUpdate.drop_next = True
            board(on_a)["last"] = 2
            await on_b.wait_for(lambda: "last" in board(on_b), timeout=5)


async def test_a_node_stores_only_what_its_own_clients_sent(database_url):
    async with nodes(database_url, MemoryBus) as (a, b):
        async with connect(a.ws_url, "own-only") as writer, connect(b.ws_url, "own-only") as reader:
            for i in range(10):
                board(writer)[f"k{i}"] = i
                await writer.durable()
            await reader.wait_for(lambda: len(board(reader)) == 10)
            assert a.services.committer.rows_written >= 1
            assert b.services.committer.rows_written == 0


async def test_an_idle_document_costs_no_bus_traffic(database_url):
    async with nodes(database_url, MemoryBus) as (a, b):
        async with connect(a.ws_url, "idle-bus") as on_a, connect(b.ws_url, "idle-bus") as on_b:
            board(on_a)["x"] = 1
            await on_b.wait_for(lambda: "x" in board(on_b))
            replicas = [node.services.rooms.get("idle-bus").replica for node in (a, b)]
            await eventually(lambda: all(replica._tail is None for replica in replicas))  # tails sent
            before = a.services.bus.published + b.services.bus.published
            await asyncio.sleep(1.0)  # what is tested: a second of idleness publishes nothing
            assert a.services.bus.published + b.services.bus.published == before


async def test_presence_is_visible_across_nodes_and_in_the_online_view(database_url):
    async with nodes(database_url, MemoryBus) as (a, b):
        async with connect(a.ws_url, "who") as on_a, connect(b.ws_url, "who") as on_b:
            on_a.set_presence({"name": "Ada"})
            await on_b.wait_for(lambda: {"name": "Ada"} in on_b.peers.values())
            await eventually(lambda: {"name": "Ada"} in b.services.rooms.online().get("who", []))


async def test_metrics_report_connections_updates_and_commits(database_url):
    import httpx

    async with nodes(database_url, MemoryBus, count=1) as (a,):
        async with connect(a.ws_url, "metered") as writer:
            for i in range(5):
                board(writer)[f"k{i}"] = i
                await writer.durable()
            async with httpx.AsyncClient() as http:
                scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
                text = (await http.get(f"{a.http_url}/metrics", headers=scraper)).text
    values = {line.split("{")[0]: float(line.rsplit(" ", 1)[1])
              for line in text.splitlines() if line.startswith("tandem_") and "{" in line}
    assert values["tandem_connections"] == 1
    assert values["tandem_updates_in_total"] >= 5
    assert values["tandem_commit_updates_total"] >= 5
    assert values["tandem_commit_batches_total"] >= 1


async def test_a_lone_node_runs_its_rooms_without_replicas(server):
    """No REDIS_URL and no bus handed in: no other holder can exist, so nothing is published."""
    async with connect(server.ws_url, "lone") as writer, connect(server.ws_url, "lone") as reader:
        board(writer)["x"] = 1
        writer.set_presence({"name": "Ada"})
        await reader.wait_for(lambda: "x" in board(reader))
        await writer.durable()
        assert server.services.rooms.get("lone").replica is None
        assert server.services.bus.published == 0
