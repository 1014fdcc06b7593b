"""pycrdt-websocket's ASGIServer under uvicorn, as its README sets it up (defaults, no store).

    uvicorn pycrdt_websocket_app:app --host 127.0.0.1 --port PORT

The room is the URL path. ``ASGIServer`` answers the lifespan protocol but does not start the
``WebsocketServer``; this wrapper starts it for the lifetime of the app.

One workaround: in pycrdt-websocket 0.16.5, two clients joining a room that does not exist yet
at the same moment both call ``start_room``; ``YRoom.start`` holds its start lock for as long as
the room runs, so the second joiner waits forever and never gets sync step 1 (seen here with two
concurrent ``websockets`` clients). Starts are serialised per room below, which changes nothing
else: once a room has started, ``start_room`` returns at once.
"""

import logging
import traceback

import anyio
from pycrdt.websocket import ASGIServer, WebsocketServer

websocket_server = WebsocketServer()
_asgi = ASGIServer(websocket_server)
_start_room = websocket_server.start_room
_starting: dict[int, anyio.Lock] = {}


async def _start_room_once(room) -> None:
    lock = _starting.setdefault(id(room), anyio.Lock())
    async with lock:
        await _start_room(room)
    _starting.pop(id(room), None)


websocket_server.start_room = _start_room_once


async def app(scope, receive, send):
    if scope["type"] != "lifespan":
        await _asgi(scope, receive, send)
        return
    message = await receive()
    assert message["type"] == "lifespan.startup"
    try:
        async with websocket_server:
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
    except BaseException:
        # uvicorn would only say "lifespan protocol appears unsupported": show what stopped it
        logging.getLogger("pycrdt_websocket_app").error("the WebsocketServer stopped:\n%s", traceback.format_exc())
        raise
    await send({"type": "lifespan.shutdown.complete"})
