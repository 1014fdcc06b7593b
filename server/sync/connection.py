"""One client connection, written to without an await and without a task per message.

The room hands every frame to ``Connection.send`` synchronously. Two ways out:

- **direct** (the fast path, under uvicorn): the frame, already framed once for the whole
  broadcast, is written straight into the socket's asyncio transport. No task, no await, no
  per-recipient encoding; the transport's own buffer is the send queue.
- **queued** (any other ASGI server): a bounded deque drained by one writer task through the
  ASGI ``send``.

Either way a peer whose unsent bytes pass ``max_queue_bytes`` is closed with ``SLOW_READER`` —
never silently skipped, never allowed to grow memory without limit — and a slow or dead peer
never stalls the room or its other clients.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from itertools import count

from server.protocol.close_codes import CloseCode
from server.protocol.frames import binary_frame
from server.sync.guard import Guard
from server.sync.ports import Transport

log = logging.getLogger(__name__)
_ids = count(1)


class Connection:
    """A client socket as seen by a room; ``can_write`` is false for read-only access."""

    __slots__ = (
        "id", "transport", "wants_durable", "can_write", "user", "guard", "closed", "close_code", "received",
        "_direct", "_outbox", "_queued", "_max_queue", "_wake", "_writer", "_close_reason", "_writing",
    )

    def __init__(
        self,
        transport: Transport,
        *,
        max_queue_bytes: int,
        wants_durable: bool = False,
        can_write: bool = True,
        user: object = None,
        guard: Guard | None = None,
        direct: asyncio.WriteTransport | None = None,
    ) -> None:
        self.id = next(_ids)
        self.transport = transport
        self.wants_durable = wants_durable
        self.can_write = can_write
        self.user = user
        self.guard = guard if guard is not None else Guard()  # read-only strikes, presence, rates
        self.received = 0  # sync step 2 and update frames accepted from this client, in order
        self.closed = False
        self.close_code: int | None = None
        self._close_reason = ""
        self._max_queue = max_queue_bytes
        self._direct = direct
        self._writer: asyncio.Task[None] | None = None
        self._writing = False  # inside transport.send: a peer that does not read blocks here
        self._queued = 0
        if direct is None:
            self._outbox: deque[bytes] = deque()
            self._wake = asyncio.Event()
            self._writer = asyncio.get_running_loop().create_task(self._drain())

    def send(self, frame: bytes, framed: bytes | None = None) -> None:
        """Send ``frame`` (``framed``: the same, already WebSocket-framed); close a slow reader."""
        if self.close_code is not None:
            return
        direct = self._direct
        if direct is not None:
            if direct.is_closing():
                self.stop()
                return
            direct.write(framed if framed is not None else binary_frame(frame))
            if direct.get_write_buffer_size() > self._max_queue:
                self.close(CloseCode.SLOW_READER, f"send queue over {self._max_queue} bytes")
            return
        self._queued += len(frame)
        if self._queued > self._max_queue:
            self.close(CloseCode.SLOW_READER, f"send queue over {self._max_queue} bytes")
            return
        self._outbox.append(frame)
        self._wake.set()

    @property
    def direct(self) -> bool:
        return self._direct is not None

    @property
    def queued_bytes(self) -> int:
        """Bytes accepted for this client and not yet handed to the kernel."""
        if self._direct is not None:
            return self._direct.get_write_buffer_size()
        return self._queued

    def close(self, code: int, reason: str) -> None:
        """Close after nothing more is sent: frames not yet written are dropped with the socket."""
        if self.close_code is not None:
            return
        self.close_code, self._close_reason = code, reason
        loop = asyncio.get_running_loop()
        if self._direct is not None:
            self._writer = loop.create_task(self._send_close())
            return
        self._outbox.clear()
        if self._writing:
            # Stuck behind a peer that does not read: abandon that write and send the close
            # now (the ASGI server aborts the socket if even the close cannot be written).
            self._writer.cancel()
            self._writer = loop.create_task(self._send_close())
        self._wake.set()

    async def finished(self) -> None:
        """Wait until the writer has stopped (the socket is closed or gone)."""
        if self._writer is not None:
            await asyncio.shield(self._writer)

    def stop(self) -> None:
        """The peer is gone: stop writing (called by the endpoint after a disconnect)."""
        self.closed = True
        if self.close_code is None:
            self.close_code = CloseCode.GOING_AWAY
        if self._direct is None:
            self._outbox.clear()
            self._wake.set()

    async def _drain(self) -> None:
        try:
            while await self._next_batch():
                while self._outbox and self.close_code is None:
                    frame = self._outbox.popleft()
                    self._queued -= len(frame)
                    self._writing = True
                    await self.transport.send(frame)
                    self._writing = False
        except Exception as exc:  # the peer vanished mid-write: nothing to tell it
            log.debug("connection %s writer stopped: %r", self.id, exc)
            self.closed = True
            return
        await self._send_close()

    async def _send_close(self) -> None:
        if self._direct is None:
            self._outbox.clear()
        if self.closed:
            return
        try:
            # A peer that never reads never lets the close frame out either: give it a while.
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self.transport.close(self.close_code or CloseCode.NORMAL, self._close_reason)
        except Exception as exc:
            log.debug("connection %s close failed: %r", self.id, exc)
            if self._direct is not None:
                self._direct.abort()
        finally:
            self.closed = True

    async def _next_batch(self) -> bool:
        await self._wake.wait()
        self._wake.clear()
        return self.close_code is None


CLOSE_TIMEOUT = 10.0
