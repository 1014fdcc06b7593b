"""Messages between nodes on a document's bus channel (Redis pub/sub, or in-process).

Every message names its sender node, so a node drops its own echoes. The exchange::

    UPDATE(node, seq, update)        a change one node's clients (or API) made; ``seq`` counts
                                     per node and document, so a receiver notices a gap
    TAIL(node, seq)                  sent once, shortly after a node's last UPDATE, so a lost
                                     final UPDATE is noticed too; an idle document sends nothing
    AWARENESS(node, payload)         presence of one node's clients (y-protocols awareness update)
    QUERY(node, target, sv)          "send me what I lack": on open, after a gap, after Redis
                                     returns; ``target`` is a node id or "*" for every holder
    DIFF(node, target, update, sv)   the answer; a non-empty ``sv`` asks for the reverse diff,
                                     so one exchange converges both ways (delete sets included)

Delivery is at most once, possibly duplicated or reordered: applying a Yjs update twice or out
of order is harmless, and gaps are repaired by QUERY/DIFF, so correctness never rests on the bus.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from server.protocol.messages import (
    MalformedMessage, expect_end, read_varbytes, read_varstring, read_varuint, write_varbytes, write_varuint,
)

ANY = "*"


class BusType(IntEnum):
    UPDATE = 1
    TAIL = 2
    AWARENESS = 3
    QUERY = 4
    DIFF = 5


class BusMessage(NamedTuple):
    kind: BusType
    node: str
    seq: int = 0
    target: str = ""
    payload: bytes = b""
    state: bytes = b""


def _head(kind: BusType, node: str) -> bytes:
    return bytes((kind,)) + write_varbytes(node.encode())


def encode_update(node: str, seq: int, update: bytes) -> bytes:
    return _head(BusType.UPDATE, node) + write_varuint(seq) + write_varbytes(update)


def encode_tail(node: str, seq: int) -> bytes:
    return _head(BusType.TAIL, node) + write_varuint(seq)


def encode_awareness(node: str, payload: bytes) -> bytes:
    return _head(BusType.AWARENESS, node) + write_varbytes(payload)


def encode_query(node: str, target: str, state: bytes) -> bytes:
    return _head(BusType.QUERY, node) + write_varbytes(target.encode()) + write_varbytes(state)


def encode_diff(node: str, target: str, update: bytes, state: bytes = b"") -> bytes:
    return (_head(BusType.DIFF, node) + write_varbytes(target.encode()) + write_varbytes(update)
            + write_varbytes(state))


def decode(data: bytes) -> BusMessage:
    """Decode one bus message; raise ``MalformedMessage`` for anything else."""
    if not data or data[0] not in iter(BusType):
        raise MalformedMessage(f"not a bus message: first byte {data[:1]!r}")
    kind = BusType(data[0])
    node, pos = read_varstring(data, 1)
    if kind in (BusType.UPDATE, BusType.TAIL):
        seq, pos = read_varuint(data, pos)
        payload = b""
        if kind is BusType.UPDATE:
            payload, pos = read_varbytes(data, pos)
        expect_end(data, pos)
        return BusMessage(kind, node, seq=seq, payload=payload)
    if kind is BusType.AWARENESS:
        payload, pos = read_varbytes(data, pos)
        expect_end(data, pos)
        return BusMessage(kind, node, payload=payload)
    target, pos = read_varstring(data, pos)
    if kind is BusType.QUERY:
        state, pos = read_varbytes(data, pos)
        expect_end(data, pos)
        return BusMessage(kind, node, target=target, state=state)
    payload, pos = read_varbytes(data, pos)
    state, pos = read_varbytes(data, pos)
    expect_end(data, pos)
    return BusMessage(kind, node, target=target, payload=payload, state=state)
