"""The wire codec: symmetric encode/decode, and strict rejection of every malformed shape."""

from __future__ import annotations

import pytest

from server.protocol import messages as wire


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**32, 2**53])
def test_varuints_round_trip(value):
    encoded = wire.write_varuint(value)
    assert wire.read_varuint(encoded, 0) == (value, len(encoded))


def test_each_sync_message_decodes_to_what_was_encoded():
    for encode, kind in ((wire.encode_step1, wire.SyncType.STEP1), (wire.encode_step2, wire.SyncType.STEP2),
                         (wire.encode_update, wire.SyncType.UPDATE)):
        assert wire.decode_message(encode(b"\x01\x02")) == (wire.MessageType.SYNC, kind, b"\x01\x02")


def test_awareness_entries_round_trip_and_null_means_removed():
    entries = [wire.AwarenessEntry(1, 3, '{"name":"Ada"}'), wire.AwarenessEntry(2**40, 1, "null")]
    msg = wire.decode_message(wire.encode_awareness(wire.encode_awareness_entries(entries)))
    decoded = wire.decode_awareness(msg.payload)
    assert decoded == entries and decoded[1].removed and not decoded[0].removed


def test_the_durable_message_carries_a_count_and_a_state_vector():
    assert wire.decode_durable(wire.encode_durable(42, b"\x01\x05\x07")) == (42, b"\x01\x05\x07")


def test_query_awareness_has_no_payload():
    assert wire.decode_message(wire.encode_query_awareness()).kind is wire.MessageType.QUERY_AWARENESS


@pytest.mark.parametrize("frame, error", [
    (b"", wire.MalformedMessage),
    (b"\x80", wire.MalformedMessage),
    (b"\x00\x00\x05ab", wire.MalformedMessage),
    (b"\x00\x00\x01a\x00", wire.MalformedMessage),
    (b"\x03\x00", wire.MalformedMessage),
    (b"\x02\x00", wire.UnsupportedMessage),
    (b"\x00\x03\x00", wire.UnsupportedMessage),
    (b"\x09", wire.UnsupportedMessage),
], ids=["empty", "truncated type", "length past end", "trailing byte", "query with payload",
        "auth message", "unknown sync type", "unknown type"])
def test_malformed_or_unsupported_frames_raise_the_error_that_names_them(frame, error):
    with pytest.raises(error):
        wire.decode_message(frame)


def test_awareness_states_must_be_json_objects_or_null():
    for state in ("{bad", "[1]", '"text"'):
        payload = wire.encode_awareness_entries([wire.AwarenessEntry(1, 1, state)])
        with pytest.raises(wire.InvalidPayload):
            wire.decode_awareness(payload)


def test_awareness_text_must_be_utf8():
    payload = b"\x01\x01\x01\x02\xff\xfe"
    with pytest.raises(wire.InvalidPayload):
        wire.decode_awareness(payload)
