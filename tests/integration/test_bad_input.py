"""Hostile and broken clients: each bad input closes only the offender, with a fitting code;
nothing invalid is relayed or persisted, and the process keeps serving everyone else."""

from __future__ import annotations

import asyncio
import socket
from uuid import uuid4

import pytest
import websockets
from pycrdt import Doc, Map

from client import connect
from server.protocol import messages as wire
from tests.support.raw import RawPeer
from tests.support.waiting import eventually

LIMIT = 1 << 20


def valid_update(key: str = "k", size: int = 1) -> bytes:
    doc = Doc()
    doc["board"] = Map()
    doc.get("board", type=Map)[key] = "x" * size
    return doc.get_update()


pytestmark = pytest.mark.usefixtures("write_path")  # every test over direct writes and over plain ASGI

BAD_FRAMES = {
    "empty frame": (b"", 1002),
    "truncated varint": (b"\x00\x02\xff", 1002),
    "varint longer than any length": (b"\x00\x02" + b"\xff" * 12, 1002),
    "length past the end": (b"\x00\x02\x10abc", 1002),
    "trailing bytes": (wire.encode_update(valid_update()) + b"\x00", 1002),
    "unknown message type": (b"\x07\x00", 1003),
    "unknown sync type": (b"\x00\x09\x00", 1003),
    "garbage update": (wire.encode_update(b"\x05\xff\xff\x01garbage"), 1007),
    "garbage sync step 2": (wire.encode_step2(b"\x01\x01\x01"), 1007),
    "garbage state vector": (wire.encode_step1(b"\xff\xff\xff"), 1007),
    "awareness that is not JSON": (
        wire.encode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, 1, "{not json")])), 1007),
    "awareness state that is a list": (
        wire.encode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, 1, "[1]")])), 1007),
    "update over the incremental limit": (wire.encode_update(valid_update(size=LIMIT + 10)), 1009),
}


@pytest.mark.parametrize("frame, code", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
async def test_a_bad_frame_closes_only_the_offender(server, frame, code):
    document = "bad-" + str(abs(hash(frame)) % 10**8)
    async with connect(server.ws_url, document) as good, connect(server.ws_url, document) as other:
        good.doc["board"] = Map()
        good.doc.get("board", type=Map)["before"] = 1
        await good.durable()
        offender = await RawPeer.open(server.ws_url, document)
        await offender.ws.send(frame)
        closed = await offender.closed_with()
        assert closed[0] == code, closed
        good.doc.get("board", type=Map)["after"] = 2
        await good.durable()
        await other.wait_for(lambda: other.doc.get("board", type=Map).to_py() == {"before": 1, "after": 2})
    stored = await server.services.store.load(document)
    merged = Doc()
    for update in stored.updates:
        merged.apply_update(update)
    assert merged.get("board", type=Map).to_py() == {"before": 1.0, "after": 2.0}


async def test_a_text_frame_is_refused_with_1003(server):
    peer = await RawPeer.open(server.ws_url, "text-frame")
    await peer.ws.send("hello")
    assert (await peer.closed_with())[0] == 1003


async def test_a_frame_beyond_the_socket_limit_is_refused_with_1009(server):
    peer = await RawPeer.open(server.ws_url, "huge-frame")
    try:
        await peer.ws.send(b"\x00\x02" + b"\x00" * (17 << 20))
    except websockets.ConnectionClosed:
        pass  # the server may close before the client has finished sending
    assert (await peer.closed_with())[0] == 1009


@pytest.mark.parametrize("name", ["x" * 201, "semi;colon", "-leading-dash", "sp%20ace"])
async def test_a_bad_document_name_is_refused(server, name):
    peer = await RawPeer.open(server.ws_url, name)
    assert (await peer.closed_with())[0] == 4400


async def test_a_large_first_sync_step_2_within_the_sync_limit_is_accepted(server):
    peer = await RawPeer.open(server.ws_url, "big-offline-edit")
    await peer.ws.send(wire.encode_step2(valid_update(size=2 * LIMIT)))
    async with connect(server.ws_url, "big-offline-edit") as check:
        await check.wait_for(lambda: len(check.doc.get("board", type=Map).get("k") or "") == 2 * LIMIT)
    await peer.close()


async def test_many_clients_dropping_mid_broadcast_leave_the_server_serving(server):
    document = "mass-drop"
    readers = [await RawPeer.open(server.ws_url, document) for _ in range(60)]
    async with connect(server.ws_url, document) as writer:
        board = writer.doc.get("board", type=Map) if "board" in writer.doc else None
        writer.doc["board"] = board = Map()
        for i in range(200):
            board[f"k{i}"] = "y" * 2000
            if i == 50:
                for reader in readers:
                    reader.ws.transport.abort()  # vanish without a close handshake
            if i % 20 == 0:
                await asyncio.sleep(0)
        await writer.durable()
        async with connect(server.ws_url, document) as late:
            assert len(late.doc.get("board", type=Map)) == 200
    await eventually(lambda: not server.services.rooms.get(document).peers)


async def test_a_reader_that_stops_reading_is_closed_as_slow_not_buffered_forever(database_url):
    from tests.support.servers import in_process_server, settings_for

    settings = settings_for(database_url, max_send_queue_bytes=256 << 10)
    document = f"slow-{uuid4().hex[:8]}"  # runs once per write path against one database
    async with in_process_server(settings) as srv:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)  # no autotuning to 32 MB
        sock.connect(("127.0.0.1", srv.port))
        stalled = await websockets.connect(f"{srv.ws_url}/sync/{document}", sock=sock, max_size=None, max_queue=1,
                                           compression=None)
        stalled.transport.pause_reading()
        async with connect(srv.ws_url, document) as writer:
            writer.doc["board"] = board = Map()
            for i in range(120):  # 9.6 MB: more than the kernel buffers between them absorb
                board[f"k{i}"] = "z" * 80_000
                await asyncio.sleep(0)
            await writer.durable()
            room = srv.services.rooms.get(document)
            await eventually(lambda: any(p.close_code == 4008 for p in room.peers) or len(room.peers) == 1)
            assert sum(p.queued_bytes for p in room.peers) <= 2 * settings.max_send_queue_bytes
        stalled.transport.resume_reading()
        try:
            async with asyncio.timeout(10):
                async for _ in stalled:
                    pass
        except websockets.ConnectionClosed:
            pass
        assert stalled.protocol.close_rcvd is not None and stalled.protocol.close_rcvd.code == 4008


async def test_an_unexpected_error_closes_only_that_socket_with_1011_and_is_logged(server, monkeypatch, caplog):
    from server.sync.room import Room

    def broken(self, conn, frame):
        raise RuntimeError("a bug in the room")

    async with connect(server.ws_url, "unexpected-error") as good:
        good.doc["board"] = Map()
        await good.durable()
        monkeypatch.setattr(Room, "receive", broken)
        peer = await RawPeer.open(server.ws_url, "unexpected-error")
        code, reason = await peer.closed_with()
        monkeypatch.undo()
        assert code == 1011, (code, reason)
        assert any("unexpected error" in r.getMessage() and r.exc_info for r in caplog.records)
        good.doc.get("board", type=Map)["after"] = 1
        await good.durable()  # the room and the other socket go on
