"""Broadcast framing matches what the websockets library itself would put on the wire."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from server.protocol.frames import binary_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 1 << 20])
def test_a_binary_frame_is_byte_for_byte_the_reference_serialisation(size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert binary_frame(payload) == Frame(Opcode.BINARY, payload).serialize(mask=False, extensions=[])
