"""The client session: one pycrdt ``Doc`` kept in step with ``/sync/{document}``."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import websockets
from pycrdt import Doc, TransactionEvent

from server.protocol import messages as wire
from server.protocol.close_codes import TERMINAL as TERMINAL_CLOSE_CODES

log = logging.getLogger(__name__)
PRESENCE_RENEW_SECONDS = 15.0


class SessionClosed(Exception):
    """The server refused or ended the session for good (``code``, ``reason``)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed by the server: {code} {reason}")
        self.code, self.reason = code, reason


class Session:
    """A live document: ``doc`` plus the connection's state, presence and acknowledgements."""

    def __init__(
        self, url: str | Sequence[str], document: str, doc: Doc, *, token: str | None, durable: bool
    ) -> None:
        query = {"durable": "1"} if durable else {}
        if token:
            query["token"] = token
        suffix = f"/sync/{document}" + (f"?{urlencode(query)}" if query else "")
        # Several servers: reconnects go round them, as a load balancer would.
        self.urls = [u.rstrip("/") + suffix for u in ([url] if isinstance(url, str) else url)]
        self.document = document
        self.doc = doc
        self.peers: dict[int, dict] = {}  # other clients' awareness states by client id
        self.durable_state = b""  # the state vector the server last said is committed
        self.close_code: int | None = None
        self.close_reason = ""
        self.connections = 0
        self.attempts = 0
        self._outbox: asyncio.Queue[bytes] | None = None  # set while connected
        self._remote = False
        self._synced = asyncio.Event()
        self._changed = asyncio.Condition()
        # Durable acknowledgements count the step-2/update frames sent on the current socket.
        self._sent = 0
        self._acked = -1
        self._resync_mark: int | None = None  # the step 2 that resent everything after a drop
        self._presence: dict | None = None
        self._presence_clock = 0
        doc.observe(self._on_local_change)

    # --- public ------------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """The server closed the session for good (see ``TERMINAL_CLOSE_CODES``)."""
        return self.close_code in TERMINAL_CLOSE_CODES

    async def synced(self) -> None:
        """Wait until the current connection has received the server's state."""
        await self._synced.wait()

    async def durable(self) -> None:
        """Wait until every local edit made so far is committed on the server.

        Edits sent on a socket that then dropped are resent in the next socket's sync step 2,
        so after a reconnect it is that step 2's acknowledgement that counts.
        """
        async with self._changed:
            if self._outbox is not None:  # connected: the edits went out on this socket
                epoch, target = self.connections, self._sent
                await self._changed.wait_for(
                    lambda: self.ended or self.connections != epoch or self._acked >= target)
                if self.connections == epoch and not self.ended:
                    return
                later = epoch + 1
            else:  # between sockets: the next socket's sync step 2 will carry them
                later = self.connections + 1
            await self._changed.wait_for(
                lambda: self.ended or (self.connections >= later and self._resync_mark is not None
                                       and self._acked >= self._resync_mark)
            )
            if self.ended:
                raise SessionClosed(self.close_code, self.close_reason)

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds, re-checking after every remote change."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    def set_presence(self, state: dict | None) -> None:
        """Set (or with ``None`` clear) this client's awareness state."""
        self._presence = state
        self._presence_clock += 1
        self._send(self._presence_message())

    async def _renew_presence(self) -> None:
        # As y-protocols clients do: renew every 15 s so that others (and other server nodes)
        # can time out the presence of clients that vanished.
        while True:
            await asyncio.sleep(PRESENCE_RENEW_SECONDS)
            if self._presence is not None:
                self.set_presence(self._presence)

    # --- connection loop --------------------------------------------------------------------

    async def run(self) -> None:
        delay = 0.1
        while self.close_code not in TERMINAL_CLOSE_CODES:
            try:
                url = self.urls[self.attempts % len(self.urls)]
                self.attempts += 1
                async with websockets.connect(url, max_size=None, open_timeout=10) as ws:
                    delay = 0.1
                    await self._serve(ws)
            except (OSError, websockets.WebSocketException) as exc:
                log.debug("%s: connection lost: %r", self.document, exc)
            finally:
                self._outbox = None
                self._synced.clear()
            if self.close_code in TERMINAL_CLOSE_CODES:
                break
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 5.0)

    async def _serve(self, ws: websockets.ClientConnection) -> None:
        self.connections += 1
        self._sent, self._acked, self._resync_mark = 0, -1, None
        outbox = self._outbox = asyncio.Queue()
        outbox.put_nowait(wire.encode_step1(self.doc.get_state()))
        if self._presence is not None:
            outbox.put_nowait(self._presence_message())
        sender = asyncio.create_task(_send_all(ws, outbox))
        renewer = asyncio.create_task(self._renew_presence())
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    await self._receive(ws, frame)
        finally:
            self._outbox = None
            sender.cancel()
            renewer.cancel()
            if ws.protocol.close_rcvd is not None:
                self.close_code, self.close_reason = ws.protocol.close_rcvd.code, ws.protocol.close_rcvd.reason
                async with self._changed:
                    self._changed.notify_all()

    async def _receive(self, ws: websockets.ClientConnection, frame: bytes) -> None:
        if frame[0] == wire.MessageType.DURABLE:
            self._on_durable(wire.decode_durable(frame))
        else:
            msg = wire.decode_message(frame)
            if msg.kind is wire.MessageType.SYNC:
                await self._on_sync(ws, msg)
            elif msg.kind is wire.MessageType.AWARENESS:
                self._on_awareness(msg.payload)
        async with self._changed:
            self._changed.notify_all()

    async def _on_sync(self, ws: websockets.ClientConnection, msg: wire.Message) -> None:
        if msg.sync is wire.SyncType.STEP1:
            self._send(wire.encode_step2(self.doc.get_update(msg.payload)))
            if self._resync_mark is None:
                self._resync_mark = self._sent
            return
        self._remote = True
        try:
            self.doc.apply_update(msg.payload)
        finally:
            self._remote = False
        if msg.sync is wire.SyncType.STEP2:
            self._synced.set()

    def _on_awareness(self, payload: bytes) -> None:
        for entry in wire.decode_awareness(payload):
            if entry.client_id == self.doc.client_id:
                continue
            if entry.removed:
                self.peers.pop(entry.client_id, None)
            else:
                self.peers[entry.client_id] = json.loads(entry.state)

    def _on_durable(self, message: tuple[int, bytes]) -> None:
        self._acked = max(self._acked, message[0])
        self.durable_state = message[1]

    def _on_local_change(self, event: TransactionEvent) -> None:
        if not self._remote:
            self._send(wire.encode_update(event.update))

    def _send(self, frame: bytes) -> None:
        # Called from sync callbacks; an edit lost to a drop is resent by the next sync step 2.
        if self._outbox is not None:
            self._outbox.put_nowait(frame)
            if frame[0] == wire.MessageType.SYNC and frame[1] != wire.SyncType.STEP1:
                self._sent += 1

    def _presence_message(self) -> bytes:
        state = json.dumps(self._presence) if self._presence is not None else "null"
        entry = wire.AwarenessEntry(self.doc.client_id, self._presence_clock, state)
        return wire.encode_awareness(wire.encode_awareness_entries([entry]))


async def _send_all(ws: websockets.ClientConnection, outbox: asyncio.Queue[bytes]) -> None:
    try:
        while True:
            await ws.send(await outbox.get())
    except websockets.WebSocketException:
        pass


@asynccontextmanager
async def connect(
    url: str | Sequence[str],
    document: str,
    *,
    doc: Doc | None = None,
    token: str | None = None,
    durable: bool = True,
    sync_timeout: float = 10.0,
) -> AsyncIterator[Session]:
    """Open ``document`` at ``url`` (``ws://host:port``); yield once the first sync is done."""
    session = Session(url, document, doc or Doc(), token=token, durable=durable)
    task = asyncio.create_task(session.run(), name=f"tandem-client:{document}")
    synced = asyncio.ensure_future(session.synced())
    try:
        async with asyncio.timeout(sync_timeout):
            await asyncio.wait({synced, task}, return_when=asyncio.FIRST_COMPLETED)
        if not synced.done():
            raise SessionClosed(session.close_code, session.close_reason)
        yield session
    finally:
        synced.cancel()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
