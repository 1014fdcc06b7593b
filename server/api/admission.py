"""Who may open a socket, decided at the handshake before a single document byte is sent.

1. Origin: a browser's ``Origin`` must be the server's own or in ``TANDEM_ALLOWED_ORIGINS``
   (cross-site WebSocket hijacking); refused upgrades get HTTP 403. No ``Origin`` header means
   a non-browser client, which carries its own token and is allowed.
2. Session: ``?token=``, ``Authorization: Bearer`` or the session cookie; without a valid one the
   socket is closed with 4401.
3. Access: ``Gate.admit`` decides READ or WRITE; unknown and forbidden documents both close
   with 4404 and the same reason.

With ``TANDEM_AUTH=off`` only the origin is checked and every socket may write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from litestar import WebSocket

from server.api.auth import SESSION_COOKIE, bearer_token
from server.api.container import Services
from server.api.errors import ACCESS_UNCHECKED, ADMISSION_REFUSALS, ORIGIN_REFUSED, admission_close
from server.domain.access import Access
from server.domain.accounts import Identity, Unauthenticated
from server.services.credentials import hash_token
from server.settings import Settings
from server.sync.connection import Connection
from server.sync.guard import Guard

log = logging.getLogger(__name__)


class Admission(NamedTuple):
    """An admitted socket: may it write, who it is, and how to keep watching it."""

    can_write: bool
    user: Identity | None
    watch: Callable[[Connection], Callable[[], None]]


def origin_allowed(socket: WebSocket, settings: Settings) -> bool:
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    allowed = {o.strip().rstrip("/") for o in settings.allowed_origins.split(",") if o.strip()}
    if "*" in allowed or origin.rstrip("/") in allowed:
        return True
    return urlsplit(origin).netloc.lower() == socket.headers.get("host", "").lower()


async def refuse_origin(socket: WebSocket) -> None:
    """Refuse the upgrade itself (HTTP 403): a foreign page learns nothing, not even a close code."""
    log.warning("refused a WebSocket upgrade from origin %r", socket.headers.get("origin"))
    await socket.close(*ORIGIN_REFUSED)


async def admit(socket: WebSocket, document: str, services: Services) -> Admission | None:
    """Authenticate and authorise an accepted socket; close it and return None if refused."""
    if not services.settings.auth:
        return Admission(True, None, _unwatched)
    sockets = services.sockets
    since = sockets.generation
    token = socket.query_params.get("token") or bearer_token(socket) or socket.cookies.get(SESSION_COOKIE)
    try:
        if not token:
            raise Unauthenticated("no session token")
        session = hash_token(token)
        admitted = await services.gate.admit(session, document)
    except ADMISSION_REFUSALS as exc:
        await socket.close(*admission_close(exc))
        return None
    except Exception:
        log.exception("could not check access to %r", document)
        await socket.close(*ACCESS_UNCHECKED)
        return None

    def watch(conn: Connection) -> Callable[[], None]:
        watched = sockets.watch(conn, document, admitted, session, since)
        return lambda: sockets.forget(watched)

    return Admission(admitted.access is Access.WRITE, admitted.identity, watch)


def guard_for(settings: Settings) -> Guard:
    return Guard(max_strikes=settings.read_only_strikes, awareness_per_second=settings.awareness_per_second,
                 messages_per_second=settings.messages_per_second)


def _unwatched(conn: Connection) -> Callable[[], None]:
    return lambda: None
