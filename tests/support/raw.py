"""A raw y-protocols socket for tests that speak the wire directly (bad input, forged frames)."""

from __future__ import annotations

import asyncio

import websockets
from pycrdt import Doc

from server.protocol import messages as wire


class RawPeer:
    """A WebSocket that has done the sync handshake by hand and records what it receives."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.doc = Doc()
        self.received: list[bytes] = []

    @classmethod
    async def open(cls, url: str, document: str, **kwargs: object) -> RawPeer:
        ws = await websockets.connect(f"{url}/sync/{document}", max_size=None, **kwargs)
        peer = cls(ws)
        try:
            await ws.send(wire.encode_step1(peer.doc.get_state()))
        except websockets.ConnectionClosed:
            pass  # refused at once: closed_with() tells how
        return peer

    async def closed_with(self, timeout: float = 5) -> tuple[int, str]:
        """Read until the server closes; return its close code and reason."""
        async with asyncio.timeout(timeout):
            try:
                async for frame in self.ws:
                    self.received.append(frame)
            except websockets.ConnectionClosed:
                pass
        assert self.ws.protocol.close_rcvd is not None, "the server dropped the socket without a close frame"
        return self.ws.protocol.close_rcvd.code, self.ws.protocol.close_rcvd.reason

    async def close(self) -> None:
        await self.ws.close()
