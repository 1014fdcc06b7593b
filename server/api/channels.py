"""``SocketChannel``: how the socket endpoint reads and writes one admitted WebSocket.

Two implementations, chosen once per socket by ``open_channel``:

- ``AsgiChannel``, plain ASGI: the ASGI server's own ``receive`` and ``send`` (captured below the
  framework's wrappers by ``raw_socket.keep_raw_channels``, else the framework's), and each
  connection's frames queued for one writer task (``sync.connection.Connection``'s queued path).
  Works under any ASGI server.
- ``DirectChannel``, under uvicorn's websockets-sansio protocol only: broadcasts are written
  straight into the socket's transport (framed once per broadcast by the room), and once
  admitted the socket drops what only its handshake needed and gets a slimmer queue and event
  (``raw_socket.shed_handshake``). Both reach into uvicorn's internals, and both are measured to
  pay (docs/performance.md: A100 p50 1.4 -> 0.8 ms and A500 p99 45 -> 14 ms for direct writes,
  30.4 -> 19.3 KiB per idle socket for the shedding); ``raw_socket`` checks what it finds first
  and ``open_channel`` falls back to ``AsgiChannel`` when anything is not as expected.

``TANDEM_DIRECT_WRITES=off`` (``Settings.direct_writes``) always takes the plain path; the test
suite runs the sync tests a second time that way, so the fallback stays a tested path.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from litestar import WebSocket

from server.api.raw_socket import (
    RAW_RECEIVE, RAW_SEND, direct_transport, release_channels, sansio_protocol, shed_handshake, shed_scope_headers,
)
from server.sync.ports import Transport


class SocketChannel(Protocol):
    """One accepted WebSocket as the endpoint uses it."""

    transport: Transport  # for the engine: ASGI sends and the close
    direct: asyncio.WriteTransport | None  # for the engine: where pre-framed broadcasts go, if anywhere

    async def receive(self) -> dict[str, Any]:
        """The socket's next ASGI event (a message, or the disconnect)."""
        ...

    def admitted(self) -> None:
        """The socket is accepted and admitted: drop what only the handshake needed (its request
        headers) and settle ``direct``. Before anything else reads from or writes to it."""
        ...

    def release(self) -> None:
        """The endpoint is done with the socket: cut it from the channels, so it is freed at once."""
        ...


class SocketTransport:
    """``server.sync.ports.Transport`` over an ASGI ``send``."""

    __slots__ = ("_send",)

    def __init__(self, send: Any) -> None:
        self._send = send

    async def send(self, frame: bytes) -> None:
        await self._send({"type": "websocket.send", "bytes": frame})

    async def close(self, code: int, reason: str) -> None:
        await self._send({"type": "websocket.close", "code": code, "reason": reason})


class AsgiChannel:
    """Implements ``SocketChannel`` with ASGI calls only."""

    __slots__ = ("_socket", "receive", "transport", "direct")

    def __init__(self, socket: WebSocket) -> None:
        self._socket = socket
        self.receive = socket.scope.get(RAW_RECEIVE) or socket.receive
        self.transport: Transport = SocketTransport(socket.scope.get(RAW_SEND) or socket.send)
        self.direct: asyncio.WriteTransport | None = None

    def admitted(self) -> None:
        shed_scope_headers(self._socket.scope)

    def release(self) -> None:
        release_channels(self._socket)


class DirectChannel(AsgiChannel):
    """Implements ``SocketChannel`` for uvicorn's websockets-sansio protocol: writes into its transport."""

    __slots__ = ()

    def admitted(self) -> None:
        shed_handshake(self._socket.scope)
        # Known once the upgrade is answered (an extension such as deflate rules it out).
        self.direct = direct_transport(self._socket.scope)


def open_channel(socket: WebSocket, *, direct_writes: bool) -> SocketChannel:
    """The direct channel if allowed and the ASGI server is the one it knows, else the plain one."""
    if direct_writes and sansio_protocol(socket.scope) is not None:
        return DirectChannel(socket)
    return AsgiChannel(socket)
