"""Reaching below the ASGI wrappers for the WebSocket hot path, with a safe fallback.

``keep_raw_channels`` wraps the app's ASGI handler and records, for WebSocket scopes, the ASGI
server's own ``receive`` and ``send`` before the framework wraps them (profiles showed the wrappers among the
largest costs at hundreds of readers per room). ``direct_transport`` recognises uvicorn's
websockets-sansio protocol behind that ``send`` and returns its asyncio transport, into which
``Connection`` writes pre-framed broadcast frames; anything else returns ``None`` and the
connection uses plain ASGI sends.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

RAW_RECEIVE = "tandem.raw_receive"
RAW_SEND = "tandem.raw_send"


def keep_raw_channels(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[RAW_RECEIVE] = receive  # type: ignore[literal-required]
            scope[RAW_SEND] = send  # type: ignore[literal-required]
        await app(scope, receive, send)

    return middleware


def direct_transport(scope: Any) -> asyncio.WriteTransport | None:
    """uvicorn's socket transport behind this scope, if it is safe to frame and write directly."""
    protocol = getattr(scope.get(RAW_SEND), "__self__", None)
    if type(protocol).__name__ != "WebSocketsSansIOProtocol":
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
