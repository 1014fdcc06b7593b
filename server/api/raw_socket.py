"""Reaching below the ASGI wrappers for the WebSocket hot path, with a safe fallback.

Used only through ``server.api.channels`` (``DirectChannel`` and ``AsgiChannel``), and
``keep_raw_channels`` by ``create_app``.

``keep_raw_channels`` wraps the app's ASGI handler and records, for WebSocket scopes, the ASGI
server's own ``receive`` and ``send`` before the framework wraps them (profiles showed the wrappers among the
largest costs at hundreds of readers per room). ``direct_transport`` recognises uvicorn's
websockets-sansio protocol behind that ``send`` and returns its asyncio transport, into which
``Connection`` writes pre-framed broadcast frames; anything else returns ``None`` and the
connection uses plain ASGI sends.

``shed_handshake`` is the memory side of the same knowledge (scenario C of docs/performance.md:
RSS per open socket). Once a socket is accepted and admitted, nothing reads its handshake again,
yet uvicorn keeps the parsed upgrade request (websockets' parser too) and the 101 response, the
scope keeps the raw headers and Litestar a parsed copy of them; and each socket's protocol holds
an ``asyncio.Queue`` and an ``asyncio.Event``: five deques of 760 bytes each, though one reader
at a time ever waits. It empties or drops the first four and swaps the last two for ``Inbox``
and ``Flag``, which do what the protocol asks of them without a deque: about 9 KB less per idle
socket (C: 30.4 -> 19.4 KiB of RSS per connection). Every step checks first that it finds
exactly what it expects (uvicorn's ``WebSocketsSansIOProtocol``, handshake complete, a plain
``Queue`` and ``Event`` nobody waits on) and is skipped otherwise: a version that changes these
internals costs memory again, never a socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from litestar.types import ASGIApp, Receive, Scope, Send

try:  # Litestar's per-connection cache (an internal API); without it there is nothing to drop
    from litestar.types import Empty as _EMPTY
    from litestar.utils.scope.state import CONNECTION_STATE_KEY as _LITESTAR_STATE
except ImportError:  # pragma: no cover - a Litestar without them
    _LITESTAR_STATE = _EMPTY = None

RAW_RECEIVE = "tandem.raw_receive"
RAW_SEND = "tandem.raw_send"


def keep_raw_channels(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        scope[RAW_RECEIVE] = receive  # type: ignore[literal-required]
        scope[RAW_SEND] = send  # type: ignore[literal-required]
        try:
            await app(scope, receive, send)
        finally:
            # Bound methods of uvicorn's protocol, which holds this scope: a reference cycle
            # that would keep the closed socket's whole state until a full collection.
            scope.pop(RAW_RECEIVE, None)  # type: ignore[misc]
            scope.pop(RAW_SEND, None)  # type: ignore[misc]

    return middleware


def release_channels(socket: WebSocket) -> None:
    """Cut a finished ``socket`` from the ASGI server's channels.

    Litestar's ``WebSocket`` wraps ``receive`` and ``send`` in closures over itself, a reference
    cycle that holds the ASGI server's protocol (and with it the transport, websockets' parser and
    the scope) until the cyclic collector's next full pass — rare once ``gc.freeze()`` has run and
    with little allocation going on, so closed sockets piled up (issue 13, item 8). Anything that
    still uses the socket afterwards is told it is gone.
    """
    socket.receive = _released_receive
    socket.send = _released_send


async def _released_receive() -> Any:
    raise WebSocketDisconnect(detail="the socket has been released")


async def _released_send(message: Any) -> None:
    raise WebSocketDisconnect(detail="the socket has been released")


def sansio_protocol(scope: Any) -> Any:
    """uvicorn's websockets-sansio protocol object behind this scope's raw ``send``, or None."""
    protocol = getattr(scope.get(RAW_SEND), "__self__", None)
    return protocol if type(protocol).__name__ == "WebSocketsSansIOProtocol" else None


def direct_transport(scope: Any) -> asyncio.WriteTransport | None:
    """uvicorn's socket transport behind this scope, if it is safe to frame and write directly."""
    protocol = sansio_protocol(scope)
    if protocol is None:
        return None
    transport = getattr(protocol, "transport", None)
    connection = getattr(protocol, "conn", None)
    if getattr(connection, "extensions", None):
        return None  # per-message deflate (or another extension) would need its own framing
    # Duck-typed: uvloop's TCPTransport (what uvicorn runs on) is no asyncio.WriteTransport.
    if not all(callable(getattr(transport, name, None)) for name in _TRANSPORT_METHODS):
        return None
    return transport


_TRANSPORT_METHODS = ("write", "get_write_buffer_size", "is_closing", "abort")


def shed_scope_headers(scope: Any) -> None:
    """Drop the request headers from the ASGI scope and Litestar's parsed copies of them (plain
    ASGI: under any server). Once admitted, nothing reads them again."""
    scope["headers"] = []  # read by admission (origin, token, cookie); by nothing after it
    state = scope.get("state")
    cached = state.get(_LITESTAR_STATE) if isinstance(state, dict) and _LITESTAR_STATE else None
    for name in ("headers", "cookies"):  # Litestar's parsed copies, rebuilt from the scope if asked
        if getattr(cached, name, _EMPTY) is not _EMPTY:
            setattr(cached, name, _EMPTY)


def shed_handshake(scope: Any) -> None:
    """Drop what only the handshake needed and slim the protocol's queue and event.

    Call once the socket is accepted and admitted, before anything else reads from or writes to
    it (no receive outstanding, no send waiting): the request headers are gone afterwards.
    """
    shed_scope_headers(scope)
    protocol = sansio_protocol(scope)
    if protocol is None or getattr(protocol, "handshake_complete", None) is not True:
        return
    headers = getattr(getattr(protocol, "request", None), "headers", None)
    if callable(getattr(headers, "clear", None)):
        headers.clear()  # websockets' parser keeps the request itself (a local of its generator)
    for name in ("request", "response"):  # read only while the upgrade is answered
        if getattr(protocol, name, None) is not None:
            setattr(protocol, name, None)
    queue = getattr(protocol, "queue", None)
    if type(queue) is asyncio.Queue and queue.maxsize <= 0 and not getattr(queue, "_getters", True):
        items = []
        while not queue.empty():
            items.append(queue.get_nowait())
        protocol.queue = Inbox(items)
    writable = getattr(protocol, "writable", None)
    if type(writable) is asyncio.Event and not getattr(writable, "_waiters", True):
        protocol.writable = Flag(writable.is_set())


class Inbox:
    """An unbounded FIFO with what uvicorn's protocol uses of ``asyncio.Queue``: ``put_nowait``,
    ``get``, ``get_nowait``, ``empty``, ``qsize``. Same guarantees — FIFO, one getter woken per
    item, an item is never lost to a getter cancelled after its wake-up — in a list instead of
    four deques."""

    __slots__ = ("_items", "_getters")

    def __init__(self, items: list[Any] | None = None) -> None:
        self._items: list[Any] = items if items is not None else []
        self._getters: list[asyncio.Future[None]] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake_one()

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self) -> Any:
        while not self._items:
            getter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                getter.cancel()  # a no-op if it was woken already
                if self._getters and getter in self._getters:
                    self._getters.remove(getter)
                if self._items and not getter.cancelled():
                    self._wake_one()  # woken, then cancelled: the item goes to the next getter
                raise
        return self._items.pop(0)

    def _wake_one(self) -> None:
        getters = self._getters
        while getters:
            getter = getters.pop(0)
            if not getter.done():
                getter.set_result(None)
                return


class Flag:
    """``asyncio.Event`` (``is_set``, ``set``, ``clear``, ``wait``) without a deque of waiters."""

    __slots__ = ("_value", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._value = value
        self._waiters: list[asyncio.Future[bool]] | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        if self._value:
            return
        self._value = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if self._value:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
