"""Open sockets and their access: admitted at the handshake, re-checked when access changes.

``Gate.admit(session, document)`` is the one decision for a socket: who the session belongs
to, and ``Access.READ`` or ``Access.WRITE`` on the document — or ``Unauthenticated`` /
``NotFound``. ``OpenSockets`` indexes every admitted socket of this process by user and by
session. Access events (``server.storage.access_events``, LISTEN/NOTIFY, so from every node)
are handled one at a time, in order: each affected socket is admitted again against the
committed state and then ended (``Ending``: signed out, revoked, or not re-checkable), made
read-only, or made writable. A socket whose session expires is ended when it does. Which close
code and reason each ``Ending`` sends is the API's choice (``server.api.errors.RECHECK_CLOSE``).

A revocation that lands between a socket's admission and its registration is not lost: the
handshake notes ``generation`` before admitting, and a socket registered after any event
since is re-checked at once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import NamedTuple
from uuid import UUID

from server.domain.access import Access, NotFound
from server.domain.accounts import AccessChanged, Identity, Unauthenticated
from server.services.accounts import Accounts
from server.services.boards import Boards
from server.sync.connection import Connection

log = logging.getLogger(__name__)


class Ending(enum.Enum):
    """Why an admitted socket is closed by the re-checks."""

    SIGNED_OUT = "signed out, or the session ended"
    EXPIRED = "the session expired"
    REVOKED = "access to the document was taken away"
    UNCHECKED = "access could not be re-checked"


class Admitted(NamedTuple):
    identity: Identity
    access: Access
    expires_at: datetime


class Gate:
    """Decides whether a session may open a document, and how."""

    def __init__(self, accounts: Accounts, boards: Boards) -> None:
        self._accounts, self._boards = accounts, boards

    async def admit(self, session: bytes, document: str) -> Admitted:
        caller = await self._accounts.caller(session)
        access = await self._boards.document_access(caller.id, document)
        return Admitted(caller.identity, access, caller.expires_at)


class Watched:
    """One admitted socket: its connection, what it opened, and with which session."""

    __slots__ = ("conn", "document", "user", "session", "timer")

    def __init__(self, conn: Connection, document: str, user: UUID, session: bytes) -> None:
        self.conn, self.document, self.user, self.session = conn, document, user, session
        self.timer: asyncio.TimerHandle | None = None


class OpenSockets:
    """Every admitted socket of this process; an async context manager running the re-checks.

    ``closes`` says how each ``Ending`` closes a socket: a code and its reason."""

    def __init__(self, gate: Gate, closes: Mapping[Ending, tuple[int, str]]) -> None:
        self._gate = gate
        self._closes = dict(closes)
        missing = set(Ending) - set(self._closes)
        if missing:
            raise ValueError(f"expected a close code for every Ending, missing {sorted(e.name for e in missing)}")
        self._by_user: dict[UUID, set[Watched]] = {}
        self._by_session: dict[bytes, set[Watched]] = {}
        self._events: asyncio.Queue[AccessChanged] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self.generation = 0  # access events received so far
        self.rechecked = 0  # sockets re-checked so far

    async def __aenter__(self) -> OpenSockets:
        self._worker = asyncio.create_task(self._work(), name="socket-rechecks")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._worker is not None
        self._worker.cancel()
        await asyncio.gather(self._worker, return_exceptions=True)

    def __len__(self) -> int:
        return sum(len(watched) for watched in self._by_user.values())

    def watch(self, conn: Connection, document: str, admitted: Admitted, session: bytes, since: int) -> Watched:
        """Track an admitted socket until ``forget``; ``since`` is ``generation`` before admission."""
        watched = Watched(conn, document, admitted.identity.id, session)
        self._by_user.setdefault(watched.user, set()).add(watched)
        self._by_session.setdefault(session, set()).add(watched)
        left = (admitted.expires_at - datetime.now(timezone.utc)).total_seconds()
        watched.timer = asyncio.get_running_loop().call_later(max(left, 0), self._expire, watched)
        if since != self.generation:
            self._events.put_nowait(AccessChanged(None, session))
        return watched

    def forget(self, watched: Watched) -> None:
        if watched.timer is not None:
            watched.timer.cancel()
        _discard(self._by_user, watched.user, watched)
        _discard(self._by_session, watched.session, watched)

    def on_event(self, event: AccessChanged) -> None:
        """An access event arrived (called by the listener, on the event loop)."""
        self.generation += 1
        self._events.put_nowait(event)

    async def _work(self) -> None:
        while True:
            event = await self._events.get()
            affected = self._affected(event)
            if affected:
                await asyncio.gather(*(self._recheck(watched) for watched in affected))

    def _affected(self, event: AccessChanged) -> list[Watched]:
        if event.user is not None:
            return list(self._by_user.get(event.user, ()))
        if event.session is not None:
            return list(self._by_session.get(event.session, ()))
        return [watched for group in self._by_user.values() for watched in group]

    async def _recheck(self, watched: Watched) -> None:
        conn = watched.conn
        if conn.close_code is not None:
            return
        self.rechecked += 1
        try:
            admitted = await self._gate.admit(watched.session, watched.document)
        except Unauthenticated:
            self._end(conn, Ending.SIGNED_OUT)
        except NotFound:
            self._end(conn, Ending.REVOKED)
        except Exception:  # cannot tell: fail closed, the client reconnects and is admitted afresh
            log.exception("re-checking access of connection %s failed", conn.id)
            self._end(conn, Ending.UNCHECKED)
        else:
            conn.can_write = admitted.access is Access.WRITE

    def _expire(self, watched: Watched) -> None:
        self._end(watched.conn, Ending.EXPIRED)

    def _end(self, conn: Connection, ending: Ending) -> None:
        conn.can_write = False  # frames already in flight are dropped, not applied
        conn.close(*self._closes[ending])


def _discard(index: dict, key: object, watched: Watched) -> None:
    group = index.get(key)
    if group is not None:
        group.discard(watched)
        if not group:
            del index[key]
