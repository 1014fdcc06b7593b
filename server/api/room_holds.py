"""Every HTTP request holds the rooms it opens until it has answered (``server.sync.registry.holding_rooms``)."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from server.sync.registry import holding_rooms


def hold_rooms(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: no room a request opened is unloaded while the request runs."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        async with holding_rooms():
            await app(scope, receive, send)

    return middleware
