"""The structural bound on incoming Yjs updates (issue 13, items 1, 2 and the document size):
every update pycrdt makes passes it; deep values, deep types, too many structs and bytes that
are not an update are refused with the declared errors, before pycrdt sees them."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText, merge_updates

from server.protocol import messages as wire
from server.protocol.update_bounds import (
    Bounds, MalformedUpdate, UpdateRefused, UpdateTooDeep, UpdateTooLarge, check_update,
)
from server.sync.connection import Connection
from server.sync.room import DocumentTooLarge, Limits, Room
from tests.support.hostile import CRASH_DEPTH, UNREADABLE_DEPTH, deep_any
from tests.support.rooms import RecordingCommitter, RecordingTransport

def item(info: int, content: bytes, parent: bytes = b"\x01\x05board", key: bytes = b"\x01k") -> bytes:
    """One struct of client 1 at clock 0 in a root map, followed by an empty delete set."""
    return b"\x01\x01\x01\x00" + bytes([info]) + parent + (key if info & 0x20 else b"") + content + b"\x00"


def varstring(text: str) -> bytes:
    return wire.write_varbytes(text.encode())


def every_kind() -> list[bytes]:
    """Updates of every content kind pycrdt writes, and the same document's history in steps."""
    doc, steps = Doc(), []

    def step(edit) -> None:
        before = doc.get_state()
        edit()
        steps.append(doc.get_update(before))

    step(lambda: doc.__setitem__("m", Map()))
    m = doc.get("m", type=Map)
    step(lambda: m.update({"s": "short", "n": 1, "f": 2.5, "b": True, "none": None, "bytes": b"\x00\x01"}))
    step(lambda: m.__setitem__("nested", {"x": [1, {"y": [None, "z"]}], "e": {}, "a": []}))
    step(lambda: m.__setitem__("sub", Map({"k": Array([1, Map({"z": Text("in")})])})))
    doc["t"] = Text()
    text = doc.get("t", type=Text)
    step(lambda: text.__iadd__("hello 😀 wörld"))
    step(lambda: text.format(0, 5, {"bold": True, "link": {"href": "x"}}))
    step(lambda: text.insert_embed(3, {"image": "a.png"}))
    doc["x"] = XmlFragment()
    xml = doc.get("x", type=XmlFragment)
    step(lambda: xml.children.append(XmlElement("p", {"class": "c"}, [XmlText("hi"), XmlElement("br")])))
    step(lambda: m.__setitem__("doc", Doc()))
    step(lambda: m.__delitem__("s"))
    step(lambda: text.__delitem__(slice(0, 3)))
    steps = [update for update in steps if update != wire.EMPTY_UPDATE]  # root types are no structs
    return steps + [doc.get_update(), merge_updates(steps[0], steps[2], steps[5])]


UPDATES = every_kind()


# Named by position: a length would differ between the suite's processes (random client ids are
# varints), and pytest-xdist refuses to run when its processes collect different test ids.
@pytest.mark.parametrize("update", UPDATES, ids=[f"update-{n}" for n in range(len(UPDATES))])
def test_every_update_pycrdt_makes_is_accepted(update):
    checked = check_update(update)
    assert checked.entries >= 1
    Doc().apply_update(update)


def test_a_value_at_the_depth_limit_is_accepted_and_one_deeper_is_refused():
    assert check_update(deep_any(64)).depth == 64
    assert check_update(deep_any(64, tag=0x76)).depth == 64
    Doc().apply_update(deep_any(64))
    with pytest.raises(UpdateTooDeep):
        check_update(deep_any(65))
    with pytest.raises(UpdateTooDeep):
        check_update(deep_any(65, tag=0x76))


def test_the_update_that_crashes_pycrdt_is_refused():
    with pytest.raises(UpdateTooDeep, match="nests more than 64 deep"):
        check_update(deep_any(CRASH_DEPTH))


def test_the_board_breaking_depth_stock_yjs_cannot_read_is_refused():
    with pytest.raises(UpdateTooDeep):
        check_update(deep_any(UNREADABLE_DEPTH))


def test_pycrdt_alone_is_killed_by_the_crash_input():
    """Why the bound exists: pycrdt's apply dies of a native stack overflow (a signal, not an
    exception). Run in a child process, which the signal kills instead of the test run."""
    program = "import sys; from pycrdt import Doc; Doc().apply_update(sys.stdin.buffer.read())"
    child = subprocess.run([sys.executable, "-c", program], input=deep_any(CRASH_DEPTH),
                           capture_output=True, timeout=120)
    assert child.returncode < 0, (child.returncode, child.stderr[-500:])  # killed by a signal (SIGSEGV)


def test_shared_types_nested_deeper_than_the_limit_in_one_update_are_refused():
    def nested(depth: int) -> bytes:
        value: Map = Map({"leaf": 1})
        for _ in range(depth - 1):
            value = Map({"a": value})
        doc = Doc()
        doc["m"] = Map()
        doc.get("m", type=Map)["a"] = value
        return doc.get_update()

    assert check_update(nested(30)).depth == 30  # thirty maps under the root map "m"
    with pytest.raises(UpdateTooDeep, match="shared types"):
        check_update(nested(70))
    with pytest.raises(UpdateTooDeep):
        check_update(nested(10), Bounds(max_depth=5))


def test_embedded_json_is_bounded_in_depth_and_must_be_json_a_browser_can_parse():
    format_item = lambda value: item(0x06, varstring("bold") + varstring(value))  # noqa: E731
    assert check_update(format_item('{"a":[1,"]]]"]}')).depth == 2
    with pytest.raises(UpdateTooDeep):
        check_update(format_item("[" * 65 + "]" * 65))
    with pytest.raises(UpdateTooDeep):
        check_update(item(0x05, varstring("[" * 100_000)))  # Embed: refused before json.loads recurses
    for bad in ("NaN", "{", "[1,]", ""):
        with pytest.raises(MalformedUpdate, match="not JSON"):
            check_update(format_item(bad))


def test_legacy_json_content_is_refused_because_yjs_and_yrs_read_it_differently():
    with pytest.raises(MalformedUpdate, match="legacy JSON"):
        check_update(item(0x02, b"\x01" + varstring("1")))


def test_more_structs_than_the_limit_are_refused_as_too_large():
    doc = Doc()
    doc["a"] = Array()
    array = doc.get("a", type=Array)
    for i in range(50):
        array.append(i)
        array.append(Map())  # a struct each, never merged with its neighbours
    with pytest.raises(UpdateTooLarge):
        check_update(doc.get_update(), Bounds(max_structs=50))
    assert check_update(doc.get_update(), Bounds(max_structs=500)).entries > 50


BROKEN = {
    "empty": b"",
    "trailing byte": deep_any(1) + b"\x00",
    "unknown struct info": b"\x01\x01\x01\x00\x0b\x00",
    "GC with flag bits": b"\x01\x01\x01\x00\x20\x01\x00",
    "content ref past 9": item(0x0C, b""),
    "unknown shared type": item(0x07, b"\x07"),
    "unknown value tag": item(0x28, b"\x01\x70"),
    "invalid UTF-8 key": item(0x28, b"\x01\x7e", key=b"\x02\xff\xfe"),
    "invalid UTF-8 root name": item(0x28, b"\x01\x7e", parent=b"\x01\x01\xc0"),
    "count past the end": item(0x28, b"\x01\x75\xff\xff\xff\xff\x0f"),
    "string past the end": item(0x04, b"\x7f" + b"x"),
    "clock past 2**32": b"\x01\x01\x01\x00\x01\xff\xff\xff\xff\x0f\x00",
    "client past 2**53": b"\x01\x01" + wire.write_varuint(1 << 60) + b"\x00\x00\x01\x00",
    "varint of 11 bytes": b"\x01" + b"\xff" * 10 + b"\x01",
    "parent kind of two bytes": item(0x28, b"\x01\x7e", parent=b"\x81\x00\x05board"),
}


@pytest.mark.parametrize("update", BROKEN.values(), ids=BROKEN.keys())
def test_bytes_that_are_not_an_acceptable_update_are_refused_as_malformed(update):
    with pytest.raises(MalformedUpdate):
        check_update(update)


def test_every_truncation_of_a_valid_update_is_refused_as_malformed():
    update = every_kind()[-2]
    for end in range(len(update)):
        with pytest.raises(MalformedUpdate):
            check_update(update[:end])


# --- in a room ----------------------------------------------------------------------------------


def room_with(document_bytes: int = 64 << 20) -> tuple[Room, RecordingCommitter, Connection, Connection]:
    committer = RecordingCommitter()
    limits = Limits(1 << 20, 16 << 20, 64 << 10, Bounds(), document_bytes)
    room = Room("r", Doc(), committer, limits)  # type: ignore[arg-type]
    sender, reader = (Connection(RecordingTransport(), max_queue_bytes=1 << 20) for _ in range(2))
    room.add(sender)
    room.add(reader)
    return room, committer, sender, reader


async def test_a_room_refuses_a_deep_update_before_applying_storing_or_relaying_it():
    room, committer, sender, reader = room_with()
    await asyncio.sleep(0)
    greeting = len(reader.transport.frames)
    for frame in (wire.encode_update(deep_any(CRASH_DEPTH)), wire.encode_step2(deep_any(65))):
        with pytest.raises(UpdateTooDeep):
            room.receive(sender, frame)
    await asyncio.sleep(0)
    assert committer.queued == [] and len(reader.transport.frames) == greeting
    assert "board" not in room.doc


async def test_a_room_refuses_an_update_that_would_grow_the_document_past_its_limit():
    room, committer, sender, _ = room_with(document_bytes=4096)

    def edit(key: str, size: int) -> bytes:
        doc = Doc()
        doc["m"] = Map()
        doc.get("m", type=Map)[key] = "x" * size
        return doc.get_update()

    room.receive(sender, wire.encode_update(edit("a", 1000)))
    room.receive(sender, wire.encode_update(edit("b", 1000)))
    with pytest.raises(DocumentTooLarge, match="past the limit of 4096"):
        room.receive(sender, wire.encode_update(edit("c", 3000)))
    assert sorted(room.doc.get("m", type=Map).keys()) == ["a", "b"] and len(committer.queued) == 2
    room.receive(sender, wire.encode_update(edit("d", 500)))  # what still fits is taken
    assert "d" in room.doc.get("m", type=Map)


def test_refusals_are_the_invalid_payload_the_endpoints_map():
    assert issubclass(UpdateRefused, wire.InvalidPayload)
