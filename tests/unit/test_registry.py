"""The registry of open rooms, over the in-memory store: one load per stampede, failed loads
leave nothing behind, and an empty document never stands in for a stored one."""

from __future__ import annotations

import asyncio

from pycrdt import Doc, Map

from server.storage.memory import MemoryDocumentStore
from server.sync.connection import Connection
from server.sync.persistence import GroupCommitter
from server.sync.registry import Rooms
from server.sync.room import Limits
from tests.unit.test_room import RecordingTransport

LIMITS = Limits(1 << 20, 16 << 20, 64 << 10)


class SlowStore(MemoryDocumentStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.fail = False

    async def load(self, document):
        self.loads += 1
        await asyncio.sleep(0.01)
        if self.fail:
            raise ConnectionError("database unavailable")
        return await super().load(document)


def conn() -> Connection:
    return Connection(RecordingTransport(), max_queue_bytes=1 << 20)


async def make_rooms(store) -> tuple[Rooms, GroupCommitter]:
    committer = GroupCommitter(store, window=0, retry=0.01, compact_after_rows=1000)
    await committer.__aenter__()
    return Rooms(store, committer, LIMITS, grace=60), committer


async def test_many_joiners_of_a_new_room_share_one_load():
    store = SlowStore()
    rooms, committer = await make_rooms(store)
    joined = await asyncio.gather(*(rooms.join("stampede", conn()) for _ in range(20)))
    assert store.loads == 1 and len({id(room) for room in joined}) == 1
    assert len(joined[0].peers) == 20
    await committer.__aexit__(None, None, None)


async def test_a_failed_load_reaches_every_joiner_and_leaves_no_room():
    store = SlowStore()
    doc = Doc()
    doc["board"] = Map()
    doc.get("board", type=Map)["deal"] = "Acme"
    await store.append([("stored", doc.get_update())])
    store.fail = True
    rooms, committer = await make_rooms(store)
    results = await asyncio.gather(*(rooms.join("stored", conn()) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert "stored" not in rooms
    store.fail = False
    room = await rooms.join("stored", conn())
    assert room.doc.get("board", type=Map).to_py() == {"deal": "Acme"}
    await committer.__aexit__(None, None, None)


async def test_what_a_client_writes_reaches_the_store_once_committed():
    store = MemoryDocumentStore()
    rooms, committer = await make_rooms(store)
    writer = conn()
    room = await rooms.join("written", writer)
    edit = Doc()
    edit["board"] = Map()
    edit.get("board", type=Map)["k"] = 1
    room.apply(edit.get_update(), writer)
    await committer.drain()
    assert (await store.load("written")).log_rows == 1
    await committer.__aexit__(None, None, None)
