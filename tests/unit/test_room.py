"""Room logic with fake connections and a fake committer: coalescing, origins, slow readers."""

from __future__ import annotations

import asyncio

from pycrdt import Doc, Map

from server.protocol import messages as wire
from server.protocol.close_codes import CloseCode
from server.sync.connection import Connection
from server.sync import room as room_module
from server.sync.room import Limits, Origin, Room
from tests.support.rooms import RecordingCommitter, RecordingTransport


def make_room() -> tuple[Room, RecordingCommitter]:
    committer = RecordingCommitter()
    return Room("r", Doc(), committer, Limits(1 << 20, 16 << 20, 64 << 10)), committer  # type: ignore[arg-type]


def edit(key: str, doc: Doc | None = None) -> bytes:
    doc = doc or Doc()
    before = doc.get_state()
    if "m" not in doc:
        doc["m"] = Map()
    doc.get("m", type=Map)[key] = key
    return doc.get_update(before)


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_one_update_in_a_turn_is_relayed_as_the_frame_that_came_in_to_everyone_but_its_sender():
    room, _ = make_room()
    a, b, c = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(3))
    for conn in (a, b, c):
        room.add(conn)
    await settle()
    frame = wire.encode_update(edit("x"))
    room.receive(a, frame)
    await settle()
    assert b.transport.frames[-1] is frame and c.transport.frames[-1] is frame
    assert frame not in a.transport.frames


async def test_updates_from_several_senders_in_one_turn_go_out_as_one_merged_frame():
    room, committer = make_room()
    a, b, reader = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(3))
    for conn in (a, b, reader):
        room.add(conn)
    await settle()
    greeting = len(reader.transport.frames)
    ua, ub = edit("from-a"), edit("from-b")
    room.receive(a, wire.encode_update(ua))
    room.receive(b, wire.encode_update(ub))
    await settle()
    assert len(reader.transport.frames) == greeting + 1
    merged = Doc()
    merged.apply_update(wire.decode_message(reader.transport.frames[-1]).payload)
    assert merged.get("m", type=Map).to_py() == {"from-a": "from-a", "from-b": "from-b"}
    assert len(committer.queued) == 2  # each persisted once


async def test_a_repeated_update_is_neither_persisted_nor_relayed_twice():
    room, committer = make_room()
    a, b = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(2))
    room.add(a)
    room.add(b)
    update = edit("x")
    room.receive(a, wire.encode_update(update))
    await settle()
    sent = len(b.transport.frames)
    room.receive(a, wire.encode_update(update))
    await settle()
    assert len(b.transport.frames) == sent
    assert committer.queued == [committer.queued[0]] and committer.queued[0] is not None


async def test_a_repeated_update_from_a_durable_client_still_asks_for_an_acknowledgement():
    room, committer = make_room()
    a = Connection(RecordingTransport(), max_queue_bytes=1 << 20, wants_durable=True)
    room.add(a)
    update = edit("x")
    room.receive(a, wire.encode_update(update))
    room.receive(a, wire.encode_update(update))
    assert committer.queued[1] is None and a.received == 2


async def test_relayed_updates_from_another_node_are_broadcast_but_not_persisted():
    room, committer = make_room()
    reader = Connection(RecordingTransport(), max_queue_bytes=1 << 20)
    room.add(reader)
    assert room.apply(edit("remote"), Origin.BUS)
    await settle()
    assert committer.queued == []
    assert wire.decode_message(reader.transport.frames[-1]).sync is wire.SyncType.UPDATE


async def test_a_reader_whose_queue_passes_the_limit_is_closed_as_slow():
    gate = asyncio.Event()
    slow = Connection(RecordingTransport(block=gate), max_queue_bytes=10_000)
    for _ in range(20):
        slow.send(b"x" * 1000)
    assert slow.close_code == CloseCode.SLOW_READER
    await settle()
    assert slow.transport.closed is not None and slow.transport.closed[0] == 4008
    gate.set()


async def test_presence_of_a_closed_connection_is_removed_for_the_others():
    room, _ = make_room()
    a, b = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(2))
    room.add(a)
    room.add(b)
    entry = wire.AwarenessEntry(7, 1, '{"name":"Ada"}')
    room.receive(a, wire.encode_awareness(wire.encode_awareness_entries([entry])))
    room.remove(a)
    await settle()
    removal = wire.decode_awareness(wire.decode_message(b.transport.frames[-1]).payload)
    assert removal == [wire.AwarenessEntry(7, 2, "null")] and room.presence == []


async def test_fresh_joiners_share_one_encoding_of_the_whole_document_until_it_changes():
    room, _ = make_room()
    writer, first, second = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(3))
    for conn in (writer, first, second):
        room.add(conn)
    room.receive(writer, wire.encode_update(edit("x")))
    step1_of_nothing = wire.encode_step1(Doc().get_state())
    room.receive(first, step1_of_nothing)
    room.receive(second, step1_of_nothing)
    await settle()
    answer_first, answer_second = first.transport.frames[1], second.transport.frames[1]
    assert answer_first is answer_second  # encoded once
    room.receive(writer, wire.encode_update(edit("y")))
    room.receive(first, step1_of_nothing)
    await settle()
    step2s = [m for m in map(wire.decode_message, first.transport.frames) if m.sync is wire.SyncType.STEP2]
    latest = Doc()
    latest.apply_update(step2s[-1].payload)
    assert latest.get("m", type=Map).to_py() == {"x": "x", "y": "y"}  # re-encoded after the change


class FakeClock:
    """``room.monotonic``: advances only when told to (a broadcast that 'takes' a while)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def frames_after_three_turns(monkeypatch, broadcast_seconds: float) -> list[bytes]:
    """A reader's frames after three updates, each in a loop turn of its own."""
    clock = FakeClock()
    monkeypatch.setattr(room_module, "monotonic", clock)
    room, _ = make_room()
    send_all = room._send_all

    def slow_send_all(frame: bytes, skip: object) -> None:
        send_all(frame, skip)
        clock.now += broadcast_seconds  # as if writing to every socket took this long

    monkeypatch.setattr(room, "_send_all", slow_send_all)
    writer, reader = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(2))
    room.add(writer)
    room.add(reader)
    await settle()
    greeting = len(reader.transport.frames)
    doc = Doc()
    room.receive(writer, wire.encode_update(edit("first", doc)))
    await settle()
    room.receive(writer, wire.encode_update(edit("second", doc)))
    await settle()
    room.receive(writer, wire.encode_update(edit("third", doc)))
    await settle()
    await asyncio.sleep(3 * broadcast_seconds)  # past any rest
    await settle()
    return reader.transport.frames[greeting:]


async def test_after_a_long_broadcast_the_room_rests_and_what_arrives_meanwhile_goes_out_merged(monkeypatch):
    frames = await frames_after_three_turns(monkeypatch, 20 * room_module.REST_AFTER_SECONDS)
    assert len(frames) == 2  # the first alone, then the two that arrived during the rest as one
    merged = Doc()
    for frame in frames:
        merged.apply_update(wire.decode_message(frame).payload)
    assert merged.get("m", type=Map).to_py() == {"first": "first", "second": "second", "third": "third"}


async def test_after_a_quick_broadcast_each_turn_goes_out_at_once(monkeypatch):
    frames = await frames_after_three_turns(monkeypatch, room_module.REST_AFTER_SECONDS / 10)
    assert len(frames) == 3
