"""``PostgresAccessEvents``: revocations broadcast to every node with Postgres LISTEN/NOTIFY.

A change of access (member removed, role changed, board unshared, user disabled, session
ended) is announced inside the transaction that makes it (``PostgresAudit.announce``), so
Postgres delivers it after the commit to every listening process — including this one. Each
process keeps one dedicated connection listening; if it drops, events may have been missed,
so after reconnecting every open socket is re-checked (``AccessChanged(None, None)``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from uuid import UUID

import asyncpg

from server.domain.accounts import AccessChanged
from server.storage.accounts import ACCESS_CHANNEL

log = logging.getLogger(__name__)


def decode_event(payload: str) -> AccessChanged:
    data = json.loads(payload)
    user, session = data.get("user"), data.get("session")
    return AccessChanged(UUID(user) if user else None, bytes.fromhex(session) if session else None)


class PostgresAccessEvents:
    """Listens on ``tandem_access`` for the life of the app; calls ``on_event`` for each event."""

    def __init__(
        self, url: str, on_event: Callable[[AccessChanged], None], *, retry: float = 0.5, ping: float = 15.0
    ) -> None:
        self._url = url
        self._ping = ping
        self._on_event = on_event
        self._retry = retry
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    async def __aenter__(self) -> PostgresAccessEvents:
        self._task = asyncio.create_task(self._run(), name="access-events")
        async with asyncio.timeout(30):
            await self.listening.wait()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        first = True
        while True:
            try:
                await self._listen(missed_some=not first)
            except Exception as exc:  # any failure: reconnect, never stop listening
                log.warning("access events: listener lost (%r); reconnecting", exc)
            first = False
            self.listening.clear()
            await asyncio.sleep(self._retry)

    async def _listen(self, *, missed_some: bool) -> None:
        conn = await asyncpg.connect(self._url, timeout=10)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        try:
            await conn.add_listener(ACCESS_CHANNEL, self._received)
            self.listening.set()
            if missed_some:
                self._on_event(AccessChanged(None, None))
            while not lost.is_set():  # a half-open TCP connection is only found by using it
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._ping):
                        await lost.wait()
                if not lost.is_set():
                    await conn.execute("SELECT 1", timeout=5)
        finally:
            await conn.close(timeout=2)

    def _received(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = decode_event(payload)
        except (ValueError, AttributeError) as exc:
            log.error("access events: ignoring malformed payload %r: %r", payload, exc)
            return
        self._on_event(event)
