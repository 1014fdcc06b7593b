"""Joining a document that is not in memory: fresh clients get the stored bytes while the room
loads (``Rooms.answer_early``); everything else waits for the room and is handled in order.

Most tests hold the room's ``Doc``-building with a gate (``gated``): the store has been read, the
room is not ready. A client that syncs while the gate is closed can only have been answered
early; what it sends meanwhile must still be applied, persisted and broadcast once it opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from pycrdt import Doc, Map

from client import connect
from server.fanout.memory import MemoryBroker, MemoryBus
from server.protocol import messages as wire
from tests.support.accounts import AUTH, team
from tests.support.peers import Peer
from tests.support.servers import InProcessServer, in_process_server, settings_for
from tests.support.waiting import eventually


def board(doc: Doc) -> Map:
    return doc.get("board", type=Map)


def edit(doc: Doc, **values: object) -> bytes:
    before = doc.get_state()
    with doc.transaction():
        for key, value in values.items():
            board(doc)[key] = value
    return doc.get_update(before)


async def store_cold(server: InProcessServer, name: str, deals: int = 0) -> dict:
    """Store ``name`` as a snapshot (``deals`` cards, compacted) plus two log rows not yet
    compacted, without any room; returns its content."""
    store = server.services.store
    source = Doc()
    await store.append([(name, edit(source, **{f"deal-{i:05d}": f"Acme {i}" for i in range(deals)}, first=1))])
    await store.append([(name, edit(source, second=2))])
    assert await store.compact(name) == 2
    await store.append([(name, edit(source, third=3))])
    await store.append([(name, edit(source, fourth=4))])
    stored = await store.load(name)
    assert len(stored.updates) == 3 and stored.log_rows == 2
    assert name not in server.services.rooms
    return board(source).to_py()


async def stored_content(server: InProcessServer, name: str) -> dict:
    doc = Doc()
    for update in (await server.services.store.load(name)).updates:
        doc.apply_update(update)
    return board(doc).to_py()


@contextmanager
def gated(server: InProcessServer) -> Iterator[asyncio.Event]:
    """Hold every room's Doc-building until the returned event is set."""
    rooms = server.services.rooms
    gate = asyncio.Event()
    build = rooms._build

    async def held(stored):
        await gate.wait()
        return await build(stored)

    rooms._build = held
    try:
        yield gate
    finally:
        gate.set()
        del rooms._build


async def test_a_fresh_client_gets_the_whole_stored_document_with_its_uncompacted_rows_before_the_room_is_ready(server):
    expected = await store_cold(server, "cold-whole", deals=500)
    rooms = server.services.rooms
    answered = rooms.early_answers
    with gated(server) as gate:
        async with connect(server.ws_url, "cold-whole") as a:
            assert board(a.doc).to_py() == expected  # synced while the room cannot be ready
            assert "cold-whole" not in rooms and rooms.early_answers == answered + 1
            gate.set()
            await eventually(lambda: "cold-whole" in rooms)
            board(a.doc)["after"] = "open"
            await a.durable()
    assert await stored_content(server, "cold-whole") == {**expected, "after": "open"}


async def test_a_fresh_client_joining_cold_without_a_gate_gets_everything(server):
    expected = await store_cold(server, "cold-plain", deals=3000)
    async with connect(server.ws_url, "cold-plain") as a:
        assert board(a.doc).to_py() == expected
        board(a.doc)["more"] = 1
        await a.durable()
    assert await stored_content(server, "cold-plain") == {**expected, "more": 1}


async def test_an_update_sent_while_the_room_loads_is_applied_persisted_and_broadcast(server):
    expected = await store_cold(server, "cold-write")
    rooms = server.services.rooms
    with gated(server) as gate:
        async with connect(server.ws_url, "cold-write") as a, connect(server.ws_url, "cold-write") as b:
            assert board(a.doc).to_py() == board(b.doc).to_py() == expected
            board(a.doc)["written"] = "while loading"  # sent now; the room is not ready
            a.set_presence({"name": "Ada"})
            assert "cold-write" not in rooms
            gate.set()
            await a.durable()  # applied and committed, acknowledged in order
            await b.wait_for(lambda: board(b.doc).to_py().get("written") == "while loading")
            await b.wait_for(lambda: {"name": "Ada"} in b.peers.values())
            assert board(rooms.get("cold-write").doc).to_py() == {**expected, "written": "while loading"}
    assert await stored_content(server, "cold-write") == {**expected, "written": "while loading"}


async def test_a_client_with_existing_state_joining_cold_gets_just_the_diff(server):
    await store_cold(server, "cold-diff", deals=300)
    rooms = server.services.rooms
    stored = await server.services.store.load("cold-diff")
    answered = rooms.early_answers
    peer = await RecordingPeer.open(server.ws_url, "cold-diff")
    peer.doc.apply_update(stored.updates[0])  # holds the snapshot already
    await peer.sync()
    await peer.wait_for(lambda: peer.step2s == 1)
    assert rooms.early_answers == answered  # not answered from the store: it waited for the room
    assert board(peer.doc).to_py() == await stored_content(server, "cold-diff")
    (step2,) = [f for f in peer.frames if f[:2] == bytes((wire.MessageType.SYNC, wire.SyncType.STEP2))]
    assert len(step2) < len(stored.updates[0]) / 10  # the two rows, not the 300 deals again
    await peer.close()


async def test_concurrent_fresh_joiners_of_one_cold_room_all_converge(server):
    expected = await store_cold(server, "cold-stampede", deals=200)
    rooms = server.services.rooms
    loads = rooms.loads

    async def join(i: int, ready: asyncio.Event, go: asyncio.Event) -> dict:
        async with connect(server.ws_url, "cold-stampede", sync_timeout=10) as s:
            assert board(s.doc).to_py() == expected
            board(s.doc)[f"joiner-{i}"] = i
            ready.set()
            await go.wait()
            await s.durable()
            await s.wait_for(lambda: len(board(s.doc)) == len(expected) + 10)
            return board(s.doc).to_py()

    with gated(server) as gate:
        readies = [asyncio.Event() for _ in range(10)]
        joins = [asyncio.create_task(join(i, readies[i], gate)) for i in range(10)]
        for ready in readies:
            await ready.wait()  # all ten synced from the store while the room loads
        assert "cold-stampede" not in rooms
        gate.set()
        results = await asyncio.gather(*joins)
    final = {**expected, **{f"joiner-{i}": float(i) for i in range(10)}}
    assert all(result == final for result in results)
    assert rooms.loads == loads + 1
    assert await stored_content(server, "cold-stampede") == final


@pytest.mark.parametrize("first", ["fresh step 1", "update"])
async def test_what_a_client_sends_while_the_room_loads_is_handled_in_order_once_it_is_ready(server, first):
    """Its update is applied, then its malformed frame closes the socket, and what it sent after
    that is not applied — whether or not its first message was answered early."""
    name = "cold-order-" + first.replace(" ", "-")
    expected = await store_cold(server, name)
    rooms = server.services.rooms
    answered = rooms.early_answers
    peer = await Peer.open(server.ws_url, name)
    mine = Doc()
    with gated(server) as gate:
        if first == "fresh step 1":
            await peer.sync()
            await peer.wait_for(lambda: peer.step2s == 1)  # the stored document, early
            assert board(peer.doc).to_py() == expected
        await peer.send(wire.encode_update(edit(mine, before="the bad frame")))
        await peer.send(b"\x00\x02\x05")  # a sync update whose payload is cut short: 1002
        await peer.send(wire.encode_update(edit(mine, after="the bad frame")))
        gate.set()
        assert await peer.closed_with() == (1002, "malformed message: length 5 at byte 3 runs past the end (3 bytes)")
    assert rooms.early_answers == answered + (first == "fresh step 1")
    await eventually(lambda: name not in rooms)  # unloaded: everything it accepted is committed
    assert await stored_content(server, name) == {**expected, "before": "the bad frame"}


class RecordingPeer(Peer):
    def __init__(self, ws) -> None:
        self.frames: list[bytes] = []
        super().__init__(ws)

    async def _on_frame(self, frame: bytes) -> None:
        self.frames.append(frame)
        await super()._on_frame(frame)


# --- several nodes: the store is the whole document only while no other node holds the room ------


async def test_a_node_answers_from_the_store_only_while_no_other_node_holds_the_room(database_url):
    broker = MemoryBroker()
    slow_commits = settings_for(database_url, room_grace_seconds=0.3, commit_window_seconds=3)
    async with in_process_server(slow_commits, bus=MemoryBus(broker)) as a, \
            in_process_server(settings_for(database_url, room_grace_seconds=0.3), bus=MemoryBus(broker)) as b:
        expected = await store_cold(b, "cold-nodes")
        rooms_b = b.services.rooms
        with gated(b):
            async with connect(b.ws_url, "cold-nodes") as alone:
                assert board(alone.doc).to_py() == expected and rooms_b.early_answers == 1  # early
        await eventually(lambda: "cold-nodes" not in rooms_b)
        async with connect(a.ws_url, "cold-nodes", durable=False) as on_a:
            board(on_a.doc)["uncommitted"] = "on A"  # held in A's memory for three seconds
            await eventually(lambda: "uncommitted" in board(a.services.rooms.get("cold-nodes").doc))
            async with connect(b.ws_url, "cold-nodes") as on_b:
                # Its step 2 came from B's room after it caught up with A, not from the store.
                assert board(on_b.doc).to_py() == {**expected, "uncommitted": "on A"}
            assert rooms_b.early_answers == 1


# --- access: admission happens before any document byte, read-only holds -------------------------


@asynccontextmanager
async def auth_server(database_url: str) -> AsyncIterator[InProcessServer]:
    async with in_process_server(settings_for(database_url, room_grace_seconds=0.3, **AUTH)) as running:
        yield running


async def test_a_viewer_answered_early_still_cannot_write_and_a_stranger_gets_nothing(database_url):
    async with auth_server(database_url) as srv:
        t = await team(srv.http_url)
        rooms = srv.services.rooms
        await eventually(lambda: t.document not in rooms)
        with gated(srv) as gate:
            stranger = await Peer.open(srv.ws_url, t.document)  # no session: refused before joining
            async with connect(srv.ws_url, t.document, token=t.viewer.token, durable=False) as viewer:
                assert viewer.doc.get("stages", type=Map).to_py()  # the board as seeded and stored,
                assert t.document not in rooms  # early
                board(viewer.doc)["forged"] = "by the viewer"  # sent while the room loads
                gate.set()
                async with connect(srv.ws_url, t.document, token=t.member.token) as member:
                    board(member.doc)["real"] = "by the member"
                    await member.durable()
                    await viewer.wait_for(lambda: "real" in board(viewer.doc))
                    assert "forged" not in board(member.doc)
                    assert "forged" not in board(rooms.get(t.document).doc)
            await stranger.wait_for(lambda: stranger.close_code is not None)
            assert stranger.close_code == 4401 and stranger.step2s == 0 and stranger.updates == 0
