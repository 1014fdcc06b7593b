"""One open document: its pycrdt ``Doc``, its connections, presence, and where changes go.

Every change carries an origin — a ``Connection`` (a client sent it), ``Origin.LOCAL`` (the
server itself, e.g. the HTTP API) or ``Origin.BUS`` (another node relayed it) — and
``Room._route`` alone decides whether it is persisted and published.

Updates that arrive in one event-loop turn are coalesced: one update is relayed as the very
frame that came in; several are merged (in Rust) into one frame, encoded once, and the same
bytes are queued on every connection. No task and no await per recipient. A broadcast that took
longer than ``REST_AFTER_SECONDS`` (a room with hundreds of readers) is followed by a rest as
long, and what arrives meanwhile is coalesced too.

A client that was sent the document as stored while the room loaded (``Rooms.answer_early``,
recorded in ``sent_stored``) joins like any other — our step 1, presence, durable acknowledgement
— and its step 1, when the room gets to it, is answered with only what the room holds beyond
what was stored (another node's updates caught up on opening, edits of clients that got in first).
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING

from pycrdt import Doc, TransactionEvent

from server.protocol import messages as wire
from server.protocol.close_codes import CloseCode
from server.protocol.frames import binary_frame
from server.protocol.update_bounds import Bounds, MalformedUpdate, UpdateTooDeep, UpdateTooLarge, check_update
from server.sync.connection import Connection
from server.sync.ports import RoomListener
from server.sync.stats import Stats
from server.sync.updates import merge
from server.sync.guard import MessageFlood, ReadOnlyViolation  # raised by conn.guard

if TYPE_CHECKING:
    from server.sync.persistence import GroupCommitter
    from server.sync.replication import Replica

log = logging.getLogger(__name__)


class Origin(enum.Enum):
    LOCAL = "local"
    BUS = "bus"


class Limits:
    """Per-message size limits (bytes), the structure every incoming update is held to, and how
    large (bytes) a document may grow."""

    __slots__ = ("update", "sync", "awareness", "bounds", "document")

    def __init__(
        self, update: int, sync: int, awareness: int, bounds: Bounds = Bounds(), document: int = 64 << 20
    ) -> None:
        self.update, self.sync, self.awareness = update, sync, awareness
        self.bounds, self.document = bounds, document


class Room:
    """An open document and the connections editing it."""

    def __init__(
        self, name: str, doc: Doc, committer: GroupCommitter, limits: Limits, stats: Stats | None = None
    ) -> None:
        self.name = name
        self.stats = stats or Stats()
        self.doc = doc
        self.peers: set[Connection] = set()
        self.durable_state = doc.get_state()
        self.loaded_state = self.durable_state  # the state vector of what was stored when it opened
        self.sent_stored: set[Connection] = set()  # sent that before the room was ready; step 1 due
        self._changed_since_load = False
        self.unsaved = 0  # updates handed to the committer and not yet committed
        self.holds = 0  # calls that opened it inside ``holding_rooms`` and have not ended: no unload
        self.log_rows = 0  # rows in the stored log since the last compaction
        self.on_publish: Callable[[bytes], None] | None = None  # the cross-node bus, if any
        self.on_presence: Callable[[bytes], None] | None = None  # likewise, for awareness frames
        self.replica: Replica | None = None
        self.listener: RoomListener | None = None  # e.g. the SQL projection; told in O(1) per change
        self._committer = committer
        self._limits = limits
        # Presence by client id; the owner is a local Connection or another node's id.
        self._presence: dict[int, tuple[wire.AwarenessEntry, Connection | str]] = {}
        self._remote_seen: dict[int, float] = {}  # when another node last renewed an entry
        self._outgoing: list[tuple[bytes, bytes | None, Connection | Origin]] = []
        self._flush_handle: asyncio.Handle | None = None
        self._rest_until = 0.0  # no broadcast before then (monotonic), see _flush
        self._changed: bytes | None = None
        self._full_step2: bytes | None = None  # the whole doc as a step 2, until the next change
        self._saved = asyncio.Event()
        self._saved.set()
        # The document's size, kept as an upper bound without encoding it per update: what was
        # last measured (on opening: the stored bytes, see ``Rooms``) plus every change since.
        self.measured_bytes = 0
        self.added_bytes = 0
        self._subscription = doc.observe(self._on_transaction)

    # --- connections -----------------------------------------------------------------------

    def add(self, conn: Connection) -> None:
        """Greet a new connection: our state vector, everyone's presence, what is durable."""
        self.peers.add(conn)
        conn.send(wire.encode_step1(self.doc.get_state()))
        if self._presence:
            conn.send(self._presence_frame())
        if conn.wants_durable:
            conn.send(wire.encode_durable(0, self.durable_state))

    def remove(self, conn: Connection) -> None:
        """Forget a connection and tell the others its presence is gone."""
        self.peers.discard(conn)
        self.sent_stored.discard(conn)
        gone = [entry for entry, owner in self._presence.values() if owner is conn]
        if not gone:
            return
        for entry in gone:
            del self._presence[entry.client_id]
        self._broadcast_removal(gone)

    def _broadcast_removal(self, gone: list[wire.AwarenessEntry], publish: bool = True) -> None:
        removed = [wire.AwarenessEntry(e.client_id, e.clock + 1, "null") for e in gone]
        frame = wire.encode_awareness(wire.encode_awareness_entries(removed))
        self._send_all(frame, None)
        if publish and self.on_presence is not None:
            self.on_presence(frame)

    # --- incoming --------------------------------------------------------------------------

    def receive(self, conn: Connection, frame: bytes) -> None:
        """Handle one message from ``conn``; raise a ``messages`` error to close it."""
        msg = wire.decode_message(frame)
        if msg.kind is wire.MessageType.SYNC:
            self._receive_sync(conn, msg, frame)
        elif msg.kind is wire.MessageType.AWARENESS:
            self._receive_awareness(conn, msg.payload, frame)
        else:
            conn.send(self._presence_frame())

    def _receive_sync(self, conn: Connection, msg: wire.Message, frame: bytes) -> None:
        if msg.sync is wire.SyncType.STEP1:
            if conn in self.sent_stored:  # its first step 1, already answered with what was stored
                self.sent_stored.discard(conn)
                if self._changed_since_load:
                    conn.send(wire.encode_update(self._diff(self.loaded_state)))
                return
            conn.send(self._step2(msg.payload))
            return
        limit = self._limits.update if msg.sync is wire.SyncType.UPDATE else self._limits.sync
        if len(msg.payload) > limit:
            raise MessageTooBig(f"update of {len(msg.payload)} bytes; the limit is {limit}")
        if not conn.can_write:
            conn.guard.refuse_write(msg.payload)  # dropped; persistent violation raises ReadOnlyViolation
            return
        conn.received += 1
        relay = frame if msg.sync is wire.SyncType.UPDATE else None
        if not self.receive_update(msg.payload, conn, relay) and conn.wants_durable:
            # Nothing new, but what it repeats may still be on its way to disk: acknowledge
            # with the next commit of this room, which covers everything the doc holds now.
            self._enqueue(None)

    def _step2(self, state_vector: bytes) -> bytes:
        """The sync step 2 answering ``state_vector``. A client with nothing (a fresh join, the
        common case) gets the whole document, encoded once per version of the room's doc."""
        if state_vector != EMPTY_STATE_VECTOR:
            return wire.encode_step2(self._diff(state_vector))
        if self._full_step2 is None:
            self._full_step2 = wire.encode_step2(self._diff(state_vector))
        return self._full_step2

    def _diff(self, state_vector: bytes) -> bytes:
        try:
            return self.doc.get_update(state_vector)
        except BaseException as exc:
            _reraise_fatal(exc)
            raise wire.InvalidPayload(f"state vector could not be decoded: {exc}") from None

    def receive_update(self, update: bytes, origin: Connection | Origin, relay: bytes | None = None) -> bool:
        """Apply an update from outside (a client's frame, the HTTP API) once it passed the
        structural bound and fits the document's size limit: pycrdt must never see an update that
        could crash it (``protocol/update_bounds.py``). Updates relayed by other nodes were checked
        there and go to ``apply_remote``."""
        if update == wire.EMPTY_UPDATE:
            return False
        check_update(update, self._limits.bounds)
        self._check_size(len(update))
        return self.apply(update, origin, relay)

    def _check_size(self, incoming: int) -> None:
        limit = self._limits.document
        if self.measured_bytes + self.added_bytes + incoming <= limit:
            return
        if self.added_bytes > limit >> 4:  # the bound has drifted: measure (rarely: an encoding)
            self.measured_bytes, self.added_bytes = len(self.doc.get_update()), 0
            if self.measured_bytes + incoming <= limit:
                return
        raise DocumentTooLarge(
            f"the document holds about {self.measured_bytes + self.added_bytes} bytes; an update of "
            f"{incoming} bytes would take it past the limit of {limit}")

    def apply_remote(self, update: bytes) -> bool:
        """Apply an update another node relayed: broadcast here, stored by that node."""
        return self.apply(update, Origin.BUS)

    def apply(self, update: bytes, origin: Connection | Origin, relay: bytes | None = None) -> bool:
        """Apply ``update``; if it changed the document, route it. Returns whether it did."""
        if update == wire.EMPTY_UPDATE:
            return False
        self._changed = None
        try:
            self.doc.apply_update(update)
        except BaseException as exc:  # pycrdt raises Rust panics as PanicException
            _reraise_fatal(exc)
            raise wire.InvalidPayload(f"update could not be applied: {exc}") from None
        changed, self._changed = self._changed, None
        if changed is None:
            return False
        self._route(changed, relay, origin)
        return True

    def change(self, edit: Callable[[Doc], None]) -> bool:
        """Make a server-side edit (origin LOCAL): persisted, broadcast and published."""
        self._changed = None
        with self.doc.transaction():
            edit(self.doc)
        changed, self._changed = self._changed, None
        if changed is not None:
            self._route(changed, None, Origin.LOCAL)
        return changed is not None

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._changed = event.update
        self.added_bytes += len(self._changed)
        self._full_step2 = None
        self._changed_since_load = True

    def _route(self, update: bytes, relay: bytes | None, origin: Connection | Origin) -> None:
        """The one place that decides: persist what this node's clients or API made, publish
        it to other nodes, and broadcast everything to this node's clients."""
        if self.listener is not None:
            self.listener.changed(update, origin)
        if origin is Origin.BUS:
            self.stats.updates_relayed_in += 1
        else:
            self.stats.updates_in += 1
            self._enqueue(update)
            if self.on_publish is not None:
                self.on_publish(update)
        self._outgoing.append((update, relay, origin))
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            rest = self._rest_until - monotonic() if self._rest_until else 0.0  # no clock read when idle
            self._flush_handle = loop.call_later(rest, self._flush) if rest > 0 else loop.call_soon(self._flush)

    def _enqueue(self, update: bytes | None) -> None:
        self.unsaved += 1
        self._saved.clear()
        self._committer.enqueue(self, update)

    def _flush(self) -> None:
        self._flush_handle = None
        batch, self._outgoing = self._outgoing, []
        if not batch:
            return
        senders = {origin for _, _, origin in batch}
        skip = next(iter(senders)) if len(senders) == 1 else None
        if len(batch) == 1:
            update, relay, _ = batch[0]
            frame = relay if relay is not None else wire.encode_update(update)
        else:
            frame = wire.encode_update(merge([update for update, _, _ in batch]))
        stats = self.stats
        stats.broadcasts += 1
        stats.broadcast_updates += len(batch)
        stats.frames_out += len(self.peers) - (skip in self.peers)
        started = monotonic()
        self._send_all(frame, skip)
        took = monotonic() - started
        # A long broadcast (hundreds of readers, a write(2) each) is followed by a rest as long:
        # what arrives meanwhile goes out merged with it, so one room's fan-out takes at most
        # about half of the loop, and the cost per delivered update falls as the load rises.
        self._rest_until = started + 2 * took if took > REST_AFTER_SECONDS else 0.0

    def _send_all(self, frame: bytes, skip: object) -> None:
        framed = binary_frame(frame)  # once for every socket
        for peer in self.peers:
            if peer is not skip:
                peer.send(frame, framed)

    # --- presence --------------------------------------------------------------------------

    def _receive_awareness(self, conn: Connection, payload: bytes, frame: bytes) -> None:
        if len(payload) > self._limits.awareness:
            raise MessageTooBig(f"awareness of {len(payload)} bytes; the limit is {self._limits.awareness}")
        entries = wire.decode_awareness(payload)
        # Its own entry, new and identity stamped; echoes of others' entries are dropped there.
        entry = conn.guard.presence(conn.user, entries, self._presence, conn)
        if entry is None:
            return
        if entry.removed:
            self._presence.pop(entry.client_id, None)
        else:
            self._presence[entry.client_id] = (entry, conn)
        if len(entries) != 1 or entry is not entries[0]:
            frame = wire.encode_awareness(wire.encode_awareness_entries([entry]))
        self._remote_seen.pop(entry.client_id, None)  # a client that moved here from another node
        # To the sender too, as the reference server does: a lone y-websocket provider closes a
        # socket that received nothing for 30 s, relying on this echo of its 15 s renewals.
        self._send_all(frame, None)
        if self.on_presence is not None:
            self.on_presence(frame)

    def apply_remote_presence(self, node: str, frame: bytes, now: float) -> None:
        """Presence relayed by ``node``: keep it (for joiners and expiry) and pass it on."""
        for entry in wire.decode_awareness(wire.decode_message(frame).payload):
            known = self._presence.get(entry.client_id)
            if known is not None and isinstance(known[1], Connection):
                continue  # the client is connected here now; its entry here wins
            if entry.removed:
                self._presence.pop(entry.client_id, None)
                self._remote_seen.pop(entry.client_id, None)
            else:
                self._presence[entry.client_id] = (entry, node)
                self._remote_seen[entry.client_id] = now
        self._send_all(frame, None)

    def expire_remote_presence(self, now: float, timeout: float) -> int:
        """Drop other nodes' entries not renewed within ``timeout`` (their node may be dead)."""
        stale = [cid for cid, seen in self._remote_seen.items() if now - seen > timeout]
        if not stale:
            return 0
        gone = [self._presence.pop(cid)[0] for cid in stale]
        for cid in stale:
            del self._remote_seen[cid]
        self._broadcast_removal(gone, publish=False)
        return len(gone)

    def _presence_frame(self) -> bytes:
        entries = [entry for entry, _ in self._presence.values()]
        return wire.encode_awareness(wire.encode_awareness_entries(entries))

    @property
    def presence(self) -> list[wire.AwarenessEntry]:
        return [entry for entry, _ in self._presence.values()]

    def presence_states(self) -> list[dict]:
        return [json.loads(entry.state) for entry, _ in self._presence.values()]

    # --- persistence callbacks ---------------------------------------------------------------

    def durable_marks(self) -> dict[Connection, int]:
        """How many frames each acknowledged connection has sent so far (taken at batch time)."""
        return {peer: peer.received for peer in self.peers if peer.wants_durable}

    def committed(self, count: int, rows: int, state: bytes, marks: dict[Connection, int]) -> None:
        """A commit made ``count`` queued items durable, up to ``state``: tell who asked."""
        self.unsaved -= count
        self.log_rows += rows
        self.durable_state = state
        if self.listener is not None and rows:
            self.listener.committed()
        if self.unsaved == 0:
            self._saved.set()
        for peer, received in marks.items():
            if peer in self.peers:
                peer.send(wire.encode_durable(received, state))

    async def saved(self) -> None:
        """Wait until nothing of this room is waiting to be committed."""
        await self._saved.wait()

    def close_all(self, code: int, reason: str) -> None:
        for peer in list(self.peers):
            peer.close(code, reason)

    def release(self) -> None:
        """Drop the observer: Rust holds it, so Python's GC could never break that cycle."""
        self.doc.unobserve(self._subscription)
        if self.listener is not None:
            self.listener.released()


EMPTY_STATE_VECTOR = b"\x00"
REST_AFTER_SECONDS = 0.001  # a broadcast that took longer is followed by a rest as long


class MessageTooBig(ValueError):
    """A message over its configured limit (close code 1009)."""


class DocumentTooLarge(ValueError):
    """An update that would grow the document past ``TANDEM_MAX_DOCUMENT_BYTES`` (close code 1009)."""


def _reraise_fatal(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit)):
        raise exc


CLOSE_CODES: dict[type[Exception], tuple[int, str]] = {
    wire.MalformedMessage: (CloseCode.PROTOCOL_ERROR, "malformed message"),
    wire.UnsupportedMessage: (CloseCode.UNSUPPORTED_DATA, "unsupported message"),
    wire.InvalidPayload: (CloseCode.INVALID_PAYLOAD, "invalid payload"),
    MessageTooBig: (CloseCode.MESSAGE_TOO_BIG, "message too big"),
    MalformedUpdate: (CloseCode.INVALID_PAYLOAD, "invalid update"),
    UpdateTooDeep: (CloseCode.INVALID_PAYLOAD, "update nested too deep"),
    UpdateTooLarge: (CloseCode.MESSAGE_TOO_BIG, "update has too many structs"),
    DocumentTooLarge: (CloseCode.MESSAGE_TOO_BIG, "document too large"),
    ReadOnlyViolation: (CloseCode.POLICY_VIOLATION, "read-only"),
    MessageFlood: (CloseCode.POLICY_VIOLATION, "message rate"),
}
