"""Encode and decode the y-protocols messages that travel over ``/sync/{document}``.

The exchange (y-protocols ``sync.js`` and ``awareness.js``, as npm ``y-websocket`` speaks it)::

    server -> client   SYNC STEP1(server state vector)      on connect
    client -> server   SYNC STEP1(client state vector)      on connect
    server -> client   SYNC STEP2(update the client lacks)  in reply
    client -> server   SYNC STEP2(update the server lacks)  in reply
    either way         SYNC UPDATE(update)                  on every change
    either way         AWARENESS(entries)                   presence: cursors, names
    client -> server   QUERY_AWARENESS                      server answers with all entries
    server -> client   DURABLE(count, state vector)         Tandem only, and only to clients that
                                                            asked with ``?durable=1``: the first
                                                            ``count`` step-2/update frames this
                                                            client sent on this socket, and the
                                                            document up to ``state vector``, are
                                                            committed to Postgres.

Each WebSocket binary message carries exactly one protocol message:
``varuint type`` then, for SYNC, ``varuint subtype`` and ``varbytes payload``; for AWARENESS,
``varbytes payload``. Decoding is strict: a truncated varint, a length past the end or trailing
bytes raise ``MalformedMessage`` so that the connection can be closed with 1002.
"""

from __future__ import annotations

import json
import re
from enum import IntEnum
from typing import NamedTuple


class MessageType(IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3
    DURABLE = 100


class SyncType(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class MalformedMessage(ValueError):
    """The bytes are not a well-formed y-protocols message (close code 1002)."""


class UnsupportedMessage(ValueError):
    """A well-formed message of a type this server does not speak (close code 1003)."""


class InvalidPayload(ValueError):
    """A well-formed message whose content is invalid, e.g. bad awareness JSON (close code 1007)."""


class Message(NamedTuple):
    """One decoded message: ``kind`` and, for SYNC, ``sync``; ``payload`` is the inner bytes."""

    kind: MessageType
    sync: SyncType | None
    payload: bytes


EMPTY_UPDATE = b"\x00\x00"
_MAX_VARUINT_BYTES = 8  # 2**56: larger than any length or clock we accept


def write_varuint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varuint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """Return ``(value, next_position)``; raise ``MalformedMessage`` if truncated or too long."""
    value = shift = 0
    for i in range(pos, min(len(data), pos + _MAX_VARUINT_BYTES)):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i + 1
        shift += 7
    if len(data) - pos >= _MAX_VARUINT_BYTES:
        raise MalformedMessage(f"varint at byte {pos} is longer than {_MAX_VARUINT_BYTES} bytes")
    raise MalformedMessage(f"truncated varint at byte {pos} of {len(data)}")


def read_varbytes(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = read_varuint(data, pos)
    end = pos + length
    if end > len(data):
        raise MalformedMessage(f"length {length} at byte {pos} runs past the end ({len(data)} bytes)")
    return data[pos:end], end


def write_varbytes(payload: bytes) -> bytes:
    return write_varuint(len(payload)) + payload


def read_varstring(data: bytes, pos: int) -> tuple[str, int]:
    raw, pos = read_varbytes(data, pos)
    try:
        return raw.decode("utf-8"), pos
    except UnicodeDecodeError as exc:
        raise InvalidPayload(f"expected UTF-8 text at byte {pos}: {exc.reason}") from None


def decode_message(data: bytes) -> Message:
    """Decode one WebSocket message into a ``Message``."""
    if not data:
        raise MalformedMessage("empty message: expected a varint message type")
    kind, pos = read_varuint(data, 0)
    if kind == MessageType.SYNC:
        sub, pos = read_varuint(data, pos)
        if sub not in (SyncType.STEP1, SyncType.STEP2, SyncType.UPDATE):
            raise UnsupportedMessage(f"unknown sync message type {sub}: expected 0, 1 or 2")
        payload, pos = read_varbytes(data, pos)
        expect_end(data, pos)
        return Message(MessageType.SYNC, SyncType(sub), payload)
    if kind == MessageType.AWARENESS:
        payload, pos = read_varbytes(data, pos)
        expect_end(data, pos)
        return Message(MessageType.AWARENESS, None, payload)
    if kind == MessageType.QUERY_AWARENESS:
        expect_end(data, pos)
        return Message(MessageType.QUERY_AWARENESS, None, b"")
    raise UnsupportedMessage(f"unknown message type {kind}: expected 0 (sync), 1 (awareness) or 3 (query)")


def expect_end(data: bytes, pos: int) -> None:
    if pos != len(data):
        raise MalformedMessage(f"{len(data) - pos} unexpected trailing bytes after byte {pos}")


def encode_sync(sync: SyncType, payload: bytes) -> bytes:
    return bytes((MessageType.SYNC, sync)) + write_varbytes(payload)


def encode_step1(state_vector: bytes) -> bytes:
    return encode_sync(SyncType.STEP1, state_vector)


def encode_step2(update: bytes) -> bytes:
    return encode_sync(SyncType.STEP2, update)


def encode_update(update: bytes) -> bytes:
    return encode_sync(SyncType.UPDATE, update)


def encode_awareness(payload: bytes) -> bytes:
    return bytes((MessageType.AWARENESS,)) + write_varbytes(payload)


def encode_query_awareness() -> bytes:
    return bytes((MessageType.QUERY_AWARENESS,))


def encode_durable(count: int, state_vector: bytes) -> bytes:
    return write_varuint(MessageType.DURABLE) + write_varuint(count) + write_varbytes(state_vector)


def decode_durable(data: bytes) -> tuple[int, bytes]:
    """Return ``(count, state_vector)`` of a DURABLE message."""
    kind, pos = read_varuint(data, 0)
    if kind != MessageType.DURABLE:
        raise UnsupportedMessage(f"expected a durable message (100), got type {kind}")
    count, pos = read_varuint(data, pos)
    state_vector, pos = read_varbytes(data, pos)
    expect_end(data, pos)
    return count, state_vector


# --- awareness ----------------------------------------------------------------------------


class AwarenessEntry(NamedTuple):
    """One client's presence: ``state`` is the JSON text, ``"null"`` when the client left."""

    client_id: int
    clock: int
    state: str

    @property
    def removed(self) -> bool:
        return self.state == "null"


MAX_AWARENESS_DEPTH = 32  # a presence state is a flat object or two (user, cursor); 32 is ample


def decode_awareness(payload: bytes) -> list[AwarenessEntry]:
    """Decode an awareness update; every state must be a JSON object or null (y-protocols'
    removal). A null state, whatever its spacing, comes back as exactly ``"null"``."""
    count, pos = read_varuint(payload, 0)
    entries = []
    for _ in range(count):
        client_id, pos = read_varuint(payload, pos)
        clock, pos = read_varuint(payload, pos)
        state, pos = read_varstring(payload, pos)
        if _awareness_json(client_id, state) is None:
            state = "null"
        entries.append(AwarenessEntry(client_id, clock, state))
    expect_end(payload, pos)
    return entries


def _awareness_json(client_id: int, state: str) -> dict | None:
    """The state's value; its nesting is bounded before ``json.loads`` (which recurses)."""
    depth = json_depth(state)
    if depth > MAX_AWARENESS_DEPTH:
        raise InvalidPayload(
            f"awareness state of client {client_id} nests {depth} deep; the limit is {MAX_AWARENESS_DEPTH}")
    try:
        value = json.loads(state)
    except (ValueError, RecursionError):
        raise InvalidPayload(f"awareness state of client {client_id} is not JSON") from None
    if value is not None and not isinstance(value, dict):
        raise InvalidPayload(
            f"awareness state of client {client_id}: expected an object or null, got {type(value).__name__}")
    return value


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply brackets nest in JSON ``text``, outside strings: a bound checked before
    parsing, without recursion (an unterminated string only makes the count larger)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for c in brackets:
        if c == "[" or c == "{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def encode_awareness_entries(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries as an awareness update payload (wrap with ``encode_awareness`` to send)."""
    parts = [write_varuint(len(entries))]
    for entry in entries:
        parts += (write_varuint(entry.client_id), write_varuint(entry.clock))
        parts.append(write_varbytes(entry.state.encode("utf-8")))
    return b"".join(parts)
