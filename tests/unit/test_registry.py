"""The registry of open rooms, over the in-memory store: one load per stampede, failed loads
leave nothing behind, and an empty document never stands in for a stored one."""

from __future__ import annotations

import asyncio

from pycrdt import Doc, Map

from server.protocol import messages as wire
from server.storage.memory import MemoryDocumentStore
from server.sync.connection import Connection
from server.sync.persistence import GroupCommitter
from server.sync.registry import Rooms
from server.sync.room import Limits
from server.sync.updates import merge
from tests.unit.test_room import RecordingTransport

LIMITS = Limits(1 << 20, 16 << 20, 64 << 10)


class SlowStore(MemoryDocumentStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.fail = False

    async def load(self, document):
        self.loads += 1
        await asyncio.sleep(0.01)  # a slow store: joiners arrive while it loads
        if self.fail:
            raise ConnectionError("database unavailable")
        return await super().load(document)


def conn() -> Connection:
    return Connection(RecordingTransport(), max_queue_bytes=1 << 20)


async def make_rooms(store, kind: type[Rooms] = Rooms) -> tuple[Rooms, GroupCommitter]:
    committer = GroupCommitter(store, window=0, retry=0.01, compact_after_rows=1000)
    await committer.__aenter__()
    return kind(store, committer, LIMITS, grace=60), committer


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


# --- fresh clients of a room that is still loading: answered with what is stored -----------


class GatedRooms(Rooms):
    """Rooms whose Doc-building waits for ``gate``: the load has returned, the room is not ready."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Event()
        self.building = asyncio.Event()

    async def _build(self, stored):
        self.building.set()
        await self.gate.wait()
        return await super()._build(stored)


class GatedStore(MemoryDocumentStore):
    """A store whose load waits for ``gate`` (after it was asked: ``asked``)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.asked = asyncio.Event()

    async def load(self, document):
        self.asked.set()
        await self.gate.wait()
        return await super().load(document)


def board_edit(doc: Doc, key: str, value: object) -> bytes:
    before = doc.get_state()
    doc.get("board", type=Map)[key] = value
    return doc.get_update(before)


async def store_with_snapshot_and_rows(store, name: str) -> Doc:
    """``name`` stored as a snapshot (two edits, compacted) plus two log rows; returns its Doc."""
    doc = Doc()
    doc["board"] = Map()
    await store.append([(name, board_edit(doc, "a", 1))])
    await store.append([(name, board_edit(doc, "b", 2))])
    assert await store.compact(name) == 2
    await store.append([(name, board_edit(doc, "c", 3))])
    await store.append([(name, board_edit(doc, "d", 4))])
    stored = await store.load(name)
    assert len(stored.updates) == 3 and stored.log_rows == 2
    return doc


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


FRESH_STEP1 = wire.encode_step1(b"\x00")


def messages(c: Connection) -> list[wire.Message]:
    return [wire.decode_message(frame) for frame in c.transport.frames if frame[0] != wire.MessageType.DURABLE]


def content(msgs: list[wire.Message]) -> dict:
    doc = Doc()
    for msg in msgs:
        if msg.kind is wire.MessageType.SYNC and msg.sync is not wire.SyncType.STEP1:
            doc.apply_update(msg.payload)
    return doc.get("board", type=Map).to_py()


async def gated_rooms(store) -> tuple[GatedRooms, GroupCommitter]:
    return await make_rooms(store, GatedRooms)  # type: ignore[return-value]


async def test_a_fresh_joiner_gets_the_stored_snapshot_and_rows_before_the_doc_is_built():
    store = MemoryDocumentStore()
    source = await store_with_snapshot_and_rows(store, "cold")
    stored = await store.load("cold")
    rooms, committer = await gated_rooms(store)
    fresh, knowing = conn(), conn()
    joins = [asyncio.ensure_future(rooms.join("cold", c)) for c in (fresh, knowing)]
    await rooms.building.wait()  # read from the store; the Doc is not built, the room not ready
    assert rooms.answer_early("cold", fresh)
    await settle()
    assert not any(join.done() for join in joins) and "cold" not in rooms
    assert [(m.sync, m.payload) for m in messages(fresh)] == [
        (wire.SyncType.UPDATE, stored.updates[0]),  # the snapshot, then the log rows merged,
        (wire.SyncType.STEP2, merge(stored.updates[1:])),  # as the step 2: synced with all of it
    ]
    assert content(messages(fresh)) == source.get("board", type=Map).to_py() == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert knowing.transport.frames == []  # a client that did not ask waits for the room
    rooms.gate.set()
    room, _ = await asyncio.gather(*joins)
    room.receive(fresh, FRESH_STEP1)  # its step 1 reaches the room: nothing changed since the load
    room.receive(knowing, wire.encode_step1(source.get_state()))
    await settle()
    sent = messages(fresh)[2:]
    assert [(m.kind, m.sync) for m in sent] == [(wire.MessageType.SYNC, wire.SyncType.STEP1)]  # the greeting
    assert [m.sync for m in messages(knowing)] == [wire.SyncType.STEP1, wire.SyncType.STEP2]
    room.receive(fresh, FRESH_STEP1)  # a later step 1 is answered as anyone's
    await settle()
    (step2,) = messages(fresh)[3:]
    assert step2.sync is wire.SyncType.STEP2 and content([step2]) == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert rooms.early_answers == 1 and rooms.loads == 1
    await committer.__aexit__(None, None, None)


async def test_a_fresh_joiner_that_asks_before_the_store_answers_gets_it_as_soon_as_it_does():
    store = GatedStore()
    source = Doc()
    source["board"] = Map()
    await store.append([("single", board_edit(source, "only", 1))])
    rooms, committer = await gated_rooms(store)
    fresh = conn()
    join = asyncio.ensure_future(rooms.join("single", fresh))
    await store.asked.wait()
    assert rooms.answer_early("single", fresh)  # owed until the store answers
    await settle()
    assert fresh.transport.frames == []
    store.gate.set()
    await rooms.building.wait()
    await settle()
    assert [m.sync for m in messages(fresh)] == [wire.SyncType.STEP2]  # the one stored update, whole
    assert content(messages(fresh)) == {"only": 1}
    assert not join.done()
    rooms.gate.set()
    await join
    await committer.__aexit__(None, None, None)


async def test_several_fresh_joiners_of_one_loading_room_all_get_it_and_what_changed_meanwhile():
    store = MemoryDocumentStore()
    source = await store_with_snapshot_and_rows(store, "shared")
    rooms, committer = await gated_rooms(store)
    fresh = [conn() for _ in range(3)]
    joins = [asyncio.ensure_future(rooms.join("shared", c)) for c in fresh]
    await rooms.building.wait()
    assert all(rooms.answer_early("shared", c) for c in fresh)
    await settle()
    assert all(content(messages(c)) == {"a": 1, "b": 2, "c": 3, "d": 4} for c in fresh)
    rooms.gate.set()
    room = (await asyncio.gather(*joins))[0]
    assert rooms.loads == 1
    # The first joiner's edit reaches the room before the others' step 1s: they get what changed.
    room.receive(fresh[0], FRESH_STEP1)
    room.apply(board_edit(source, "e", 5), fresh[0])
    for c in fresh[1:]:
        room.receive(c, FRESH_STEP1)
    await settle()
    expected = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    assert all(content(messages(c)) == expected for c in fresh[1:])
    assert room.doc.get("board", type=Map).to_py() == expected
    await committer.__aexit__(None, None, None)


async def test_no_early_answer_for_an_open_room_or_none_loading():
    store = MemoryDocumentStore()
    rooms, committer = await make_rooms(store)
    c = conn()
    assert not rooms.answer_early("nothing", c)
    await rooms.join("open", c)
    assert not rooms.answer_early("open", conn())
    assert rooms.early_answers == 0
    await committer.__aexit__(None, None, None)


async def test_a_failed_load_after_an_early_answer_still_reaches_the_joiner():
    store = SlowStore()
    source = Doc()
    source["board"] = Map()
    await store.append([("flaky", board_edit(source, "k", 1))])
    store.fail = True
    rooms, committer = await make_rooms(store)
    c = conn()
    join = asyncio.ensure_future(rooms.join("flaky", c))
    await asyncio.sleep(0)
    assert rooms.answer_early("flaky", c)  # owed; the load then fails
    try:
        await join
    except ConnectionError:
        pass
    else:
        raise AssertionError("the failed load was not raised")
    assert "flaky" not in rooms and c.transport.frames == [] and rooms.early_answers == 0
    await committer.__aexit__(None, None, None)


class HeldBus:
    """A bus on which another node holds every channel (and never answers a query)."""

    node = "this-node"

    def __init__(self) -> None:
        self.channels: set[str] = set()

    async def subscribe(self, channel, handler) -> None:
        self.channels.add(channel)

    async def unsubscribe(self, channel) -> None:
        self.channels.discard(channel)

    def publish(self, channel, data) -> None:
        pass

    async def holders(self, channel) -> int:
        return 2

    def on_reconnect(self, callback) -> None:
        pass


async def test_no_early_answer_while_another_node_holds_the_room():
    """Then the store lacks what that node has not committed: the fresh client waits for the
    room (which catches up with that node first) and gets its step 2 from it."""
    store = MemoryDocumentStore()
    await store_with_snapshot_and_rows(store, "held")
    committer = GroupCommitter(store, window=0, retry=0.01, compact_after_rows=1000)
    await committer.__aenter__()
    rooms = GatedRooms(store, committer, LIMITS, grace=60, bus=HeldBus(), catch_up_seconds=0.01)
    fresh = conn()
    join = asyncio.ensure_future(rooms.join("held", fresh))
    await rooms.building.wait()
    assert not rooms.answer_early("held", fresh)
    await settle()
    assert fresh.transport.frames == []
    rooms.gate.set()
    room = await join
    room.receive(fresh, FRESH_STEP1)
    await settle()
    assert [m.sync for m in messages(fresh)] == [wire.SyncType.STEP1, wire.SyncType.STEP2]
    assert content(messages(fresh)) == {"a": 1, "b": 2, "c": 3, "d": 4} and rooms.early_answers == 0
    await committer.__aexit__(None, None, None)


async def test_log_rows_stored_out_of_causal_order_all_reach_the_room():
    """Nodes commit independently, so a row can precede one it builds on. Applied one by one in
    reverse, yrs leaves one of these three for good (k2 = 7 is lost); the room merges them first."""
    source = Doc()
    source["m"] = Map()
    updates: list[bytes] = []
    source.observe(lambda event: updates.append(event.update))
    m = source.get("m", type=Map)
    m["k2"], m["k0"], m["k2"] = 1, 20, 7
    one_by_one = Doc()
    for update in reversed(updates):
        one_by_one.apply_update(update)
    assert one_by_one.get("m", type=Map).to_py() != m.to_py()  # what the room must not do
    store = MemoryDocumentStore()
    for update in reversed(updates):
        await store.append([("reversed", update)])
    rooms, committer = await make_rooms(store)
    room = await rooms.join("reversed", conn())
    assert room.doc.get("m", type=Map).to_py() == {"k0": 20.0, "k2": 7.0}
    await committer.__aexit__(None, None, None)
