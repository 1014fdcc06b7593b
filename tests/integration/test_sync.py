"""Two or more clients editing one document through a real server, Postgres underneath."""

from __future__ import annotations

import asyncio
import gc
import weakref
from uuid import uuid4

import pytest
from pycrdt import Map, Text

from client import connect
from tests.support.raw import RawPeer
from tests.support.servers import in_process_server, settings_for
from tests.support.waiting import eventually

pytestmark = pytest.mark.usefixtures("write_path")  # every test over direct writes and over plain ASGI


def fresh(name: str) -> str:
    """A document name of its own: each test runs twice (write paths) against one database."""
    return f"{name}-{uuid4().hex[:8]}"


def board(session) -> Map:
    return session.doc.get("board", type=Map)


def text(session) -> Text:
    return session.doc.get("notes", type=Text)


async def test_two_clients_converge_on_concurrent_map_and_text_edits(server):
    document = fresh("converge")
    async with connect(server.ws_url, document) as a, connect(server.ws_url, document) as b:
        board(a)["stage"] = "lead"
        text(a).insert(0, "hello ")
        board(b)["owner"] = "bo"
        text(b).insert(0, "world")
        for session in (a, b):
            await session.wait_for(lambda s=session: len(board(s)) == 2 and len(str(text(s))) == 11)
        assert board(a).to_py() == board(b).to_py() == {"stage": "lead", "owner": "bo"}
        assert str(text(a)) == str(text(b))
        assert "hello " in str(text(a)) and "world" in str(text(a))


async def test_a_late_joiner_receives_the_full_state(server):
    document = fresh("late")
    async with connect(server.ws_url, document) as a:
        for i in range(50):
            board(a)[f"deal-{i}"] = i
        text(a).insert(0, "minutes")
        await a.durable()
        async with connect(server.ws_url, document) as late:
            assert board(late).to_py() == {f"deal-{i}": float(i) for i in range(50)}
            assert str(text(late)) == "minutes"


async def test_presence_is_relayed_and_removed_when_the_socket_closes(server):
    async with connect(server.ws_url, "presence") as a:
        async with connect(server.ws_url, "presence") as b:
            b.set_presence({"name": "Bo", "cursor": 3})
            await a.wait_for(lambda: {"name": "Bo", "cursor": 3} in a.peers.values())
        await a.wait_for(lambda: not a.peers)


async def test_a_restart_keeps_all_state(database_url):
    settings, document = settings_for(database_url), fresh("restart")
    async with in_process_server(settings) as first:
        async with connect(first.ws_url, document) as a:
            board(a)["deal"] = "Acme renewal"
            text(a).insert(0, "call back on Monday")
            await a.durable()
    async with in_process_server(settings) as second:
        async with connect(second.ws_url, document) as b:
            assert board(b).to_py() == {"deal": "Acme renewal"}
            assert str(text(b)) == "call back on Monday"


async def test_clients_joining_a_new_room_at_the_same_moment_all_sync(server):
    async def join(i: int) -> None:
        async with connect(server.ws_url, "stampede", sync_timeout=10) as s:
            board(s)[f"c{i}"] = i
            await s.durable()

    await asyncio.gather(*(join(i) for i in range(30)))
    async with connect(server.ws_url, "stampede") as check:
        assert len(board(check)) == 30
    assert server.services.rooms.loads <= 2  # one load, plus one if it was unloaded between


async def test_an_idle_room_is_unloaded_after_its_grace_period_and_its_memory_released(server):
    rooms = server.services.rooms
    async with connect(server.ws_url, "idle") as a:
        board(a)["x"] = 1
        await a.durable()
        doc_ref = weakref.ref(rooms.get("idle").doc)
    await eventually(lambda: "idle" not in rooms)
    gc.collect()
    assert doc_ref() is None, "the unloaded room's Doc is still referenced"
    async with connect(server.ws_url, "idle") as again:
        assert board(again).to_py() == {"x": 1.0}


async def test_a_room_with_unsaved_updates_is_not_unloaded(database_url):
    settings = settings_for(database_url, room_grace_seconds=0.05, commit_window_seconds=1.0)
    async with in_process_server(settings) as srv:
        rooms = srv.services.rooms
        async with connect(srv.ws_url, "pending", durable=False) as a:
            board(a)["x"] = 1
            await eventually(lambda: rooms.get("pending").unsaved == 1)
        # The grace period is over (its timer fired) while the update is still inside the commit window.
        await eventually(lambda: "pending" not in rooms._unload_timers)
        assert "pending" in rooms and rooms.get("pending").unsaved == 1
        await eventually(lambda: "pending" not in rooms)
        async with connect(srv.ws_url, "pending") as b:
            assert board(b).to_py() == {"x": 1.0}


async def test_compaction_leaves_the_document_content_identical(server):
    store = server.services.store
    async with connect(server.ws_url, "compact") as a:
        for i in range(40):
            board(a)[f"k{i}"] = i
            text(a).insert(len(str(text(a))), f"{i},")
            await a.durable()  # one log row each
        del board(a)["k0"]
        await a.durable()
        before = (board(a).to_py(), str(text(a)))
    stored = await store.load("compact")
    assert stored.log_rows >= 40
    assert await store.compact("compact") == stored.log_rows
    after = await store.load("compact")
    assert after.log_rows == 0 and len(after.updates) == 1
    from pycrdt import Doc
    doc = Doc()
    doc.apply_update(after.updates[0])
    assert (doc.get("board", type=Map).to_py(), str(doc.get("notes", type=Text))) == before


async def test_a_growing_log_is_compacted_automatically(database_url):
    async with in_process_server(settings_for(database_url, compact_after_rows=10)) as srv:
        async with connect(srv.ws_url, "auto-compact") as a:
            for i in range(25):
                board(a)[f"k{i}"] = i
                await a.durable()
        async def compacted() -> bool:
            return (await srv.services.store.load("auto-compact")).log_rows < 10

        await eventually(compacted)
        async with connect(srv.ws_url, "auto-compact") as b:
            assert len(board(b)) == 25


async def test_broadcasts_go_straight_into_uvicorns_transport_unless_direct_writes_are_off(server, write_path):
    document = fresh("direct")
    async with connect(server.ws_url, document) as a:
        (conn,) = server.services.rooms.get(document).peers
        if write_path:
            assert conn._direct is not None and conn._writer is None  # no writer task per connection
        else:
            assert conn._direct is None and conn._writer is not None  # plain ASGI sends, one writer task
        assert server.services.rooms.direct_connections == (1 if write_path else 0)
        board(a)["x"] = 1
        await a.durable()


async def test_an_admitted_socket_keeps_nothing_of_its_handshake_and_still_reads_relays_and_closes(server, write_path):
    document = fresh("shed")
    raw = await RawPeer.open(server.ws_url, document, additional_headers={"X-Padding": "x" * 2000})
    async with connect(server.ws_url, document) as a:
        room = server.services.rooms.get(document)
        await eventually(lambda: len(room.peers) == 2)
        for conn in room.peers:
            protocol = conn.transport._send.__self__  # uvicorn's, behind the raw ASGI send
            assert protocol.scope["headers"] == []  # over plain ASGI too
            if write_path:  # uvicorn's own objects only on the direct path
                assert protocol.request is None and protocol.response is None
                assert type(protocol.queue).__name__ == "Inbox" and type(protocol.writable).__name__ == "Flag"
        board(a)["x"] = 1
        await a.durable()
        async with asyncio.timeout(5):
            while not any(b"x" in frame and frame[:2] == b"\x00\x02" for frame in raw.received):
                raw.received.append(await raw.ws.recv())  # the relayed edit reaches the raw peer
        await raw.ws.send(b"\x07\x00")  # an unknown message type: closed with its code
        assert (await raw.closed_with())[0] == 1003
        await eventually(lambda: len(room.peers) == 1)
        (conn,) = room.peers
    await eventually(lambda: conn.closed and not room.peers)  # the client's close went through too
