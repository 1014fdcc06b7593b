"""Awareness states that used to escape the handler as close 4500 (issue 13, item 6): a null
with spaces, JSON nested thousands deep, lone surrogates sent as JSON escapes."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from pycrdt import Doc

from server.protocol import messages as wire
from server.sync.connection import Connection
from server.sync.room import Limits, Room
from tests.support.rooms import RecordingCommitter, RecordingTransport

ANN = SimpleNamespace(id=1, name="Ann")


def awareness(state: str, clock: int = 1) -> bytes:
    return wire.encode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, clock, state)]))


@pytest.mark.parametrize("state", [" null", "null\n", "\t null "])
def test_a_null_state_with_spaces_is_a_removal(state):
    (entry,) = wire.decode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, 2, state)]))
    assert entry.state == "null" and entry.removed


@pytest.mark.parametrize("state", ["[" * 2000 + "]" * 2000, '{"a":' * 2000 + "1" + "}" * 2000, "[" * 100_000])
def test_deeply_nested_state_is_refused_as_invalid_before_it_is_parsed(state):
    with pytest.raises(wire.InvalidPayload, match="nests .* deep"):
        wire.decode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, 1, state)]))


def test_brackets_inside_strings_do_not_count_as_nesting():
    state = '{"cursor": "' + "[" * 500 + '", "q": "\\"{{{"}'
    (entry,) = wire.decode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, 1, state)]))
    assert entry.state == state


@pytest.mark.parametrize("state", ['"text"', "1", "[]", "true"])
def test_json_that_is_neither_an_object_nor_null_is_refused_naming_what_came(state):
    with pytest.raises(wire.InvalidPayload, match="expected an object or null, got"):
        wire.decode_awareness(wire.encode_awareness_entries([wire.AwarenessEntry(7, 1, state)]))


async def test_a_signed_in_client_sending_spaced_null_or_lone_surrogates_is_served_not_crashed():
    room = Room("r", Doc(), RecordingCommitter(), Limits(1 << 20, 16 << 20, 64 << 10))  # type: ignore[arg-type]
    sender = Connection(RecordingTransport(), max_queue_bytes=1 << 20, user=ANN)
    reader = Connection(RecordingTransport(), max_queue_bytes=1 << 20)
    room.add(sender)
    room.add(reader)
    room.receive(sender, awareness('{"user": {"color": "\\udc00"}, "k": "\\ud800"}', clock=1))
    assert [e.client_id for e in room.presence] == [7]
    room.receive(sender, awareness(" null", clock=2))
    await asyncio.sleep(0)
    assert room.presence == []
    last = wire.decode_awareness(wire.decode_message(reader.transport.frames[-1]).payload)
    assert [(e.client_id, e.removed) for e in last] == [(7, True)]
