"""A raw y-protocols socket that reads in the background, for tests of what the server lets through.

``Peer`` keeps a pycrdt ``Doc`` in step with what the server sends, records every awareness
entry it receives, and notes how the socket was closed. ``barrier()`` uses the protocol's own
ordering: frames on one socket are handled in order, so once the reply to a fresh sync step 1
arrives, everything sent before it has been handled by the server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import websockets
from pycrdt import Doc

from server.protocol import messages as wire


class Peer:
    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.doc = Doc()
        self.awareness: list[wire.AwarenessEntry] = []
        self.step1s = self.step2s = self.updates = 0
        self.close_code: int | None = None
        self.close_reason = ""
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, ws_url: str, document: str, token: str | None = None, **connect: Any) -> Peer:
        query = f"?{urlencode({'token': token})}" if token else ""
        ws = await websockets.connect(f"{ws_url}/sync/{document}{query}", max_size=None, **connect)
        return cls(ws)

    async def send(self, frame: bytes) -> None:
        await self.ws.send(frame)

    async def sync(self) -> None:
        """Send our state vector, as every client does on connect."""
        await self.send(wire.encode_step1(self.doc.get_state()))

    async def barrier(self, timeout: float = 5) -> None:
        """Return once the server has handled everything this peer sent so far."""
        seen = self.step2s
        await self.sync()
        await self.wait_for(lambda: self.step2s > seen, timeout)

    async def wait_for(self, predicate: Callable[[], object], timeout: float = 5) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: predicate() or self.close_code is not None)
        if not predicate():
            raise AssertionError(f"socket closed ({self.close_code} {self.close_reason!r}) before the condition held")

    async def opened(self, timeout: float = 5) -> bool:
        """True once the server greets us with sync step 1; False if it closes the socket instead."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.step1s > 0 or self.close_code is not None)
        return self.step1s > 0

    async def closed_with(self, timeout: float = 5) -> tuple[int | None, str]:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.close_code is not None)
        return self.close_code, self.close_reason

    def states_of(self, client_id: int) -> list[dict | None]:
        return [json.loads(e.state) for e in self.awareness if e.client_id == client_id]

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                if isinstance(frame, bytes) and frame[0] != wire.MessageType.DURABLE:
                    await self._on_frame(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            rcvd = self.ws.protocol.close_rcvd
            self.close_code, self.close_reason = (rcvd.code, rcvd.reason) if rcvd else (1006, "")
            async with self._changed:
                self._changed.notify_all()

    async def _on_frame(self, frame: bytes) -> None:
        msg = wire.decode_message(frame)
        if msg.kind is wire.MessageType.AWARENESS:
            self.awareness += wire.decode_awareness(msg.payload)
        elif msg.sync is wire.SyncType.STEP1:
            self.step1s += 1
        else:
            self.doc.apply_update(msg.payload)
            if msg.sync is wire.SyncType.STEP2:
                self.step2s += 1
            else:
                self.updates += 1
        async with self._changed:
            self._changed.notify_all()
