"""``/sync/{document}``: the y-protocols WebSocket endpoint, as npm ``y-websocket`` speaks it.

Query parameters: ``durable=1`` asks for durable acknowledgements (``MessageType.DURABLE``),
which stock clients never receive; ``token=`` carries the session (``server.api.admission``
checks origin, session and access before any document byte is sent). The socket is read and
written through a ``SocketChannel`` (``server.api.channels``: plain ASGI, or under uvicorn direct
writes into the transport). Once admitted, it sheds what only the handshake needed: from then on
its scope carries no request headers. Each incoming frame is handled synchronously by the room;
a frame the room rejects closes only this socket, with the code its error maps to.

Joining a room that is not open yet (it loads from the store first) reads the client's first
message while the room loads (one ``receive`` outstanding, handed over to the serving loop; the
socket is read by nobody else). If it is a sync step 1 with an empty state vector — a fresh
client, the common join — the registry may answer it with the stored document as soon as that
has been read (``Rooms.answer_early``), without waiting for the room to be built. Nothing more
is read until the room is ready, so the ASGI server's flow control holds the rest; then that
first message and everything after it go to the room in order, as for any other join.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from litestar import WebSocket, websocket
from litestar.params import FromPath

from server.api.admission import admit, guard_for, origin_allowed, refuse_origin
from server.api import errors
from server.api.container import Services, ServicesDep
from server.api.channels import SocketChannel, open_channel
from server.protocol import messages as wire
from server.protocol.close_codes import CloseCode
from server.sync.connection import Connection
from server.sync.registry import Rooms
from server.sync.room import EMPTY_STATE_VECTOR, Room

log = logging.getLogger(__name__)
DOCUMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")


@websocket("/sync/{document:str}")
async def sync_socket(socket: WebSocket, document: FromPath[str], services: ServicesDep) -> None:
    channel = open_channel(socket, direct_writes=services.settings.direct_writes)
    try:
        await _serve(socket, channel, document, services)
    finally:
        channel.release()  # so that the closed socket's memory is freed at once


async def _serve(socket: WebSocket, channel: SocketChannel, document: str, services: Services) -> None:
    settings, rooms = services.settings, services.rooms
    if not origin_allowed(socket, settings):
        await refuse_origin(socket)
        return
    await socket.accept()
    if not DOCUMENT_NAME.fullmatch(document):
        await socket.close(*errors.BAD_DOCUMENT_NAME)
        return
    admission = await admit(socket, document, services)
    if admission is None:
        return  # refused and closed: 4401, 4404 (unknown and forbidden alike) or 1013
    # Admitted: what only the handshake needed goes (request headers; under uvicorn also the
    # request and response, and a slimmer queue and event: server.api.channels). Before anything
    # else reads from or writes to the socket.
    channel.admitted()
    conn = Connection(
        channel.transport,
        max_queue_bytes=settings.max_send_queue_bytes,
        wants_durable=socket.query_params.get("durable") in {"1", "true"},
        can_write=admission.can_write,
        user=admission.user,
        guard=guard_for(settings),
        direct=channel.direct,
    )
    forget = admission.watch(conn)  # revocations re-check it from now on, on every node
    try:
        await _join_and_serve(channel.receive, rooms, document, conn)
    finally:
        forget()
    await conn.finished()
    if conn.close_code not in (None, CloseCode.GOING_AWAY):
        rooms.stats.closes[conn.close_code] += 1


async def _join_and_serve(receive: Any, rooms: Rooms, document: str, conn: Connection) -> None:
    """Join the room, then hand it every frame until the socket closes. One coroutine for the
    socket's whole life (besides the endpoint's): an idle socket costs its frame."""
    first: asyncio.Future[Any] | None = None  # the client's first message, read while the room loads
    try:
        if document in rooms:
            room = await rooms.join(document, conn)  # open: no wait
        else:
            first = asyncio.ensure_future(receive())
            room = await _join_while_reading(rooms, document, conn, first)
    except Exception:
        if first is not None:
            first.cancel()
        log.exception("could not load the document", extra={"document": document, "user": _user_id(conn)})
        conn.close(*errors.LOAD_FAILED)
        return
    try:
        if first is not None:
            if conn.close_code is not None:  # closed while the room loaded (e.g. access revoked)
                first.cancel()
                return
            going_on = _handle(room, conn, await first)
            first = None  # the task and the message it holds are done with
            if not going_on:
                return
        while conn.close_code is None:
            if not _handle(room, conn, await receive()):
                return
    finally:
        rooms.leave(room, conn)


async def _join_while_reading(rooms: Rooms, document: str, conn: Connection, first: asyncio.Future[Any]) -> Room:
    """Join ``document``'s room while it loads and ``first`` reads the client's first message;
    if that is a fresh client's step 1, the registry may answer it early."""
    join = asyncio.ensure_future(rooms.join(document, conn))
    try:
        await asyncio.wait((join, first), return_when=asyncio.FIRST_COMPLETED)
        if first.done() and not join.done() and not first.cancelled() and first.exception() is None:
            if _asks_for_everything(first.result()):
                rooms.answer_early(document, conn)
        return await join
    except BaseException:  # the load failed, or shutdown: the load goes on (shielded), this join not
        first.cancel()
        if not join.cancel() and not join.cancelled() and join.exception() is None:
            rooms.leave(join.result(), conn)  # it joined after all: undo
        raise


def _asks_for_everything(event: dict) -> bool:
    """Is this a sync step 1 with an empty state vector (a client that holds nothing)?"""
    frame = event.get("bytes")
    if not frame or frame[0] != wire.MessageType.SYNC:
        return False
    try:
        msg = wire.decode_message(frame)
    except ValueError:
        return False  # the room rejects it in turn, with the close code it maps to
    return msg.sync is wire.SyncType.STEP1 and msg.payload == EMPTY_STATE_VECTOR


def _handle(room: Room, conn: Connection, event: dict) -> bool:
    """Handle one ASGI event of the socket; returns whether to go on reading."""
    if event["type"] == "websocket.disconnect":
        conn.stop()
        return False
    if conn.close_code is not None:
        return False  # closed (e.g. access revoked) while this frame was in flight: not applied
    frame = event.get("bytes")
    if frame is None:
        conn.close(*errors.TEXT_FRAME)
        return False
    try:
        conn.guard.message()
        room.receive(conn, frame)
    except errors.FRAME_REJECTIONS as exc:
        close = errors.frame_close(exc)
        log.info("closing connection %s: %s", conn.id, close.reason,
                 extra={"document": room.name, "user": _user_id(conn)})
        conn.close(*close)
        return False
    except Exception:  # a bug of ours, not the client's: logged whole, and only this socket closes
        log.exception("closing connection %s: unexpected error", conn.id,
                      extra={"document": room.name, "user": _user_id(conn)})
        conn.close(*errors.INTERNAL)
        return False
    return True


def _user_id(conn: Connection) -> object:
    return getattr(conn.user, "id", None)
