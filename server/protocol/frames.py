"""WebSocket framing (RFC 6455 §5.2) for server-to-client binary messages: unmasked, unfragmented.

A broadcast is framed once and the same bytes are written to every socket.
"""

from __future__ import annotations

import struct

_BINARY_FIN = 0x82


def binary_frame(payload: bytes) -> bytes:
    """``payload`` as one final binary frame, as a server sends it (no mask)."""
    size = len(payload)
    if size < 126:
        return bytes((_BINARY_FIN, size)) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", _BINARY_FIN, 126, size) + payload
    return struct.pack("!BBQ", _BINARY_FIN, 127, size) + payload
