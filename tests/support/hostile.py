"""Hand-built hostile Yjs updates (issue 13): what pycrdt and stock Yjs cannot survive."""

from __future__ import annotations

from server.protocol.messages import write_varbytes, write_varuint

CRASH_DEPTH = 100_000  # segfaults pycrdt 0.14 inside apply_update (a native stack overflow)
UNREADABLE_DEPTH = 20_000  # stored by the old server; npm Yjs overflows its stack reading it


def deep_any(depth: int, *, root: str = "board", key: str = "k", tag: int = 0x75, client: int = 1) -> bytes:
    """An update setting ``root[key]`` to a value nested ``depth`` containers deep around a null:
    one Item (info 0x28: Any content, a key in a root map), then an empty delete set."""
    level = b"\x75\x01" if tag == 0x75 else b"\x76\x01\x01a"  # [ ... ] or {"a": ...}
    return (b"\x01\x01" + write_varuint(client) + b"\x00" + b"\x28\x01" + write_varbytes(root.encode())
            + write_varbytes(key.encode()) + b"\x01" + level * depth + b"\x7e" + b"\x00")
