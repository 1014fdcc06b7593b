"""The open rooms of this process: load on first join, unload after the last leave plus grace.

Joiners of a room that is still loading all await the same load (a shielded task), so clients
joining a brand-new room at the same moment share one room and none hangs. A failed load is
raised to every joiner and leaves no room behind: an empty document never stands in for a
stored one. A room is unloaded only when it has no connections *and* nothing left to commit.

Opening a room reads what is stored (snapshot, then log rows) and then builds the ``Doc`` from
it, which for a large document takes far longer than the read (a 1.35 MB board: ~5 ms to read,
~40 ms to apply) and holds the event loop throughout (pycrdt keeps the GIL in ``apply_update``,
so a worker thread would not free the loop either). A fresh client (empty state vector) does
not need the ``Doc``: unless another node holds the room (then what it has not committed yet is
missing from the store, and the room's catch-up brings it in), what is stored is the whole
document. ``answer_early`` sends it as soon as it is read, before the ``Doc`` is built: the
snapshot as a sync update, then the log rows, merged into one (``_rows_merged``: cheap, and
yrs mishandles rows given one by one out of causal order), as the sync step 2, so that a client
counts itself synced with all of it (merging the snapshot too would cost as much as applying
it). The room's greeting follows when it is ready, and the room answers that client's step 1,
when it gets to it, with only what it holds beyond what was stored (``Room.sent_stored``).
Everything else the client sends waits for the room (``server.api.sync``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar

from pycrdt import Doc

from server.protocol import messages as wire
from server.protocol.frames import binary_frame
from server.sync.connection import Connection
from server.sync.persistence import GroupCommitter
from server.sync.ports import Bus, DocumentStore, StoredDocument
from server.sync.replication import Replica
from server.sync.room import Limits, Room
from server.sync.stats import Stats
from server.sync.updates import merge

log = logging.getLogger(__name__)


class _Opening:
    """A room being loaded: what is stored, once read, and the fresh clients owed it."""

    __slots__ = ("task", "stored", "owed", "sent", "declined", "_frames")

    def __init__(self) -> None:
        self.task: asyncio.Task[Room] | None = None
        self.stored: StoredDocument | None = None
        self.owed: list[Connection] = []
        self.sent: set[Connection] = set()  # becomes the room's ``sent_stored``
        self.declined = False  # another node holds the room: the store is not the whole document
        self._frames: list[tuple[bytes, bytes]] | None = None

    def read(self, stored: StoredDocument) -> int:
        """The stored document has been read: send it to everyone owed it; returns how many."""
        self.stored = stored
        owed, self.owed = self.owed, []
        for conn in owed:
            self.send(conn)
        return len(owed)

    def decline(self) -> None:
        """No early answers for this load: those owed one wait for the room, as anyone else."""
        self.declined = True
        self.owed = []

    def send(self, conn: Connection) -> None:
        """The document as stored: the snapshot as a sync update, then the log rows (merged
        into one by ``_load``) as the sync step 2 — a client counts itself synced on the step 2,
        so it is then synced with all of it (a lone stored update is just the step 2)."""
        if self._frames is None:
            assert self.stored is not None
            updates = self.stored.updates or [wire.EMPTY_UPDATE]
            messages = [wire.encode_update(u) for u in updates[:-1]] + [wire.encode_step2(updates[-1])]
            self._frames = [(message, binary_frame(message)) for message in messages]  # framed once
        for message, framed in self._frames:
            conn.send(message, framed)
        self.sent.add(conn)


class _Holds:
    """The rooms opened inside one ``holding_rooms`` block, with the registry each belongs to."""

    def __init__(self) -> None:
        self.rooms: dict[int, tuple[Rooms, Room]] = {}
        self.ended = False


_holds: ContextVar[_Holds | None] = ContextVar("tandem_room_holds", default=None)


@contextlib.asynccontextmanager
async def holding_rooms() -> AsyncIterator[None]:
    """Keep every room opened inside this block (an API call, a job) loaded until the block ends.

    A room with no peers unloads a grace after its last ``open``. A call that opened it, then
    awaited its checks (access, references: database round trips) for longer than the grace on a
    busy process, changed a room already unloaded: the change was applied to a released ``Doc``,
    never committed, and the next call loaded the document without it (a card created, then
    "no such card" on its move). Held rooms are not unloaded; the grace starts when the block ends.
    """
    holds = _Holds()
    token = _holds.set(holds)
    try:
        yield
    finally:
        _holds.reset(token)
        holds.ended = True  # tasks started inside and still running hold nothing more
        for rooms, room in holds.rooms.values():
            rooms._let_go(room)


class Rooms:
    """Every open ``Room`` of this process, by document name."""

    def __init__(
        self,
        store: DocumentStore,
        committer: GroupCommitter,
        limits: Limits,
        *,
        grace: float,
        bus: Bus | None = None,
        catch_up_seconds: float = 1.0,
        presence_timeout: float = 30.0,
        on_open: Callable[[Room], None] | None = None,
    ) -> None:
        self._store = store
        self._bus = bus
        self.stats = Stats()
        self._catch_up = catch_up_seconds
        self.presence_timeout = presence_timeout
        if bus is not None:
            bus.on_reconnect(self._resync_all)
        self._committer = committer
        self._limits = limits
        self._grace = grace
        self._on_open = on_open  # sees each room before any change is routed (sets room.listener)
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, _Opening] = {}
        self._unload_timers: dict[str, asyncio.TimerHandle] = {}
        self.loads = 0
        self.unloads = 0
        self.early_answers = 0  # fresh clients sent the stored document before their room was ready

    def __contains__(self, name: str) -> bool:
        return name in self._rooms

    def __len__(self) -> int:
        return len(self._rooms)

    def get(self, name: str) -> Room | None:
        return self._rooms.get(name)

    async def open(self, name: str) -> Room:
        """The room for ``name``, loading it if needed; raises if it cannot be loaded. A room with
        no peers (used by API calls) unloads a grace after its last use, not after its load: a
        call that took it, then awaited its checks, still changes the listed room."""
        room = self._rooms.get(name)
        if room is not None:
            if not room.peers and name in self._unload_timers:
                self._schedule_unload(room)
            return self._hold(room)
        opening = self._loading.get(name)
        if opening is None:
            opening = self._loading[name] = _Opening()
            opening.task = asyncio.create_task(self._load(name, opening), name=f"load:{name}")
            opening.task.add_done_callback(lambda _: self._forget_opening(name, opening))
        return self._hold(await asyncio.shield(opening.task))  # type: ignore[arg-type]

    def _hold(self, room: Room) -> Room:
        """``room``, held until the enclosing ``holding_rooms`` block (if any) ends."""
        holds = _holds.get()
        if holds is not None and not holds.ended and id(room) not in holds.rooms:
            holds.rooms[id(room)] = (self, room)
            room.holds += 1
        return room

    def _let_go(self, room: Room) -> None:
        room.holds -= 1
        if not room.holds and not room.peers and self._rooms.get(room.name) is room:
            self._schedule_unload(room)

    def _forget_opening(self, name: str, opening: _Opening) -> None:
        if self._loading.get(name) is opening:
            del self._loading[name]
        opening.owed, opening.stored, opening._frames = [], None, None  # a failed load owes nothing
        opening.declined = True

    async def join(self, name: str, conn: Connection) -> Room:
        room = await self.open(name)
        self._cancel_unload(name)
        room.add(conn)
        return room

    def answer_early(self, name: str, conn: Connection) -> bool:
        """``conn``'s first message is a sync step 1 with an empty state vector (a fresh client)
        and the room ``name`` is still loading: send it the document as stored now if it has been
        read, else as soon as it is — before the ``Doc`` is built — unless another node holds the
        room. Returns whether it is (or will be) answered so; either way, pass the step 1 on to
        the room as usual once ``join`` returns it: the room knows what was sent.
        """
        opening = self._loading.get(name)
        if opening is None or opening.declined or name in self._rooms:
            return False
        if opening.stored is None:
            opening.owed.append(conn)
        else:
            opening.send(conn)
            self.early_answers += 1
        return True

    def leave(self, room: Room, conn: Connection) -> None:
        room.remove(conn)
        if not room.peers:
            self._schedule_unload(room)

    async def _load(self, name: str, opening: _Opening) -> Room:
        replica = await self._subscribe(name)  # first, so nothing published meanwhile is missed
        holders = None  # how many nodes hold the room, asked while the store is read
        if replica is not None:
            holders = asyncio.ensure_future(self._bus.holders(replica.channel))  # type: ignore[union-attr]
        try:
            stored = _rows_merged(await self._store.load(name))
            if await _alone(holders):
                self.early_answers += opening.read(stored)  # now, before the Doc is built
            else:
                opening.decline()
            doc = await self._build(stored)
        except BaseException:
            if holders is not None and not holders.cancel() and not holders.cancelled():
                holders.exception()  # retrieved: the failure that matters is being raised
            if replica is not None:
                await self._bus.unsubscribe(replica.channel)  # type: ignore[union-attr]
            raise
        room = Room(name, doc, self._committer, self._limits, self.stats)
        room.sent_stored = opening.sent  # the same set: clients answered until the room is ready join it
        room.log_rows = stored.log_rows
        room.measured_bytes = sum(map(len, stored.updates))  # the size limit's starting point
        if self._on_open is not None:
            self._on_open(room)
        if replica is not None:
            room.replica = replica
            room.on_publish, room.on_presence = replica.publish_update, replica.publish_awareness
            replica.attach(room)
            await replica.catch_up(self._catch_up)
        self._rooms[name] = room
        self.loads += 1
        self._schedule_unload(room)  # nobody may join after all
        return room

    async def _build(self, stored: StoredDocument) -> Doc:
        """The ``Doc`` of what is stored. On the event loop: pycrdt's ``apply_update`` keeps the
        GIL (a worker thread stalls the loop just as long), so it runs after the early answers."""
        await asyncio.sleep(0)  # lets queued-path writers hand those answers to their sockets first
        doc = Doc()
        for update in stored.updates:
            doc.apply_update(update)
        return doc

    async def _subscribe(self, name: str) -> Replica | None:
        if self._bus is None:
            return None
        replica = Replica(self._bus, f"tandem:doc:{name}", self.stats)
        await self._bus.subscribe(replica.channel, replica.receive)
        return replica

    def _resync_all(self) -> None:
        """The bus lost messages: exchange what is missing with every holder of every room."""
        for room in self._rooms.values():
            if room.replica is not None:
                room.replica.resync()

    def expire_presence(self, now: float) -> int:
        """Drop other nodes' presence entries not renewed within the awareness timeout."""
        return sum(room.expire_remote_presence(now, self.presence_timeout) for room in self._rooms.values())

    def online(self) -> dict[str, list[dict]]:
        """Who is present in which open document, across nodes: document -> awareness states."""
        return {name: room.presence_states() for name, room in self._rooms.items() if room.presence}

    def _schedule_unload(self, room: Room) -> None:
        self._cancel_unload(room.name)
        loop = asyncio.get_running_loop()
        self._unload_timers[room.name] = loop.call_later(
            self._grace, lambda: loop.create_task(self._unload(room))
        )

    def _cancel_unload(self, name: str) -> None:
        timer = self._unload_timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    async def _unload(self, room: Room) -> None:
        self._unload_timers.pop(room.name, None)
        while room.unsaved:
            await room.saved()
        if room.peers or room.holds or self._rooms.get(room.name) is not room or room.name in self._unload_timers:
            return
        del self._rooms[room.name]
        room.release()
        if room.replica is not None:
            room.replica.close()
            await self._bus.unsubscribe(room.replica.channel)  # type: ignore[union-attr]
        self.unloads += 1
        log.debug("unloaded room %r", room.name)

    @property
    def connections(self) -> int:
        return sum(len(room.peers) for room in self._rooms.values())

    @property
    def direct_connections(self) -> int:
        """Connections on the fast path (pre-framed writes straight into the transport)."""
        return sum(peer.direct for room in self._rooms.values() for peer in room.peers)

    def close_all(self, code: int, reason: str) -> None:
        """Close every connection of every room (graceful shutdown)."""
        for room in self._rooms.values():
            room.close_all(code, reason)


def _rows_merged(stored: StoredDocument) -> StoredDocument:
    """``stored`` with its log rows merged into one update, after the snapshot. Rows can be
    stored out of causal order (nodes commit independently), and yrs, given such updates one by
    one, can leave one pending for good even once what it depends on is in (three map sets of
    one client applied in reverse lose one: tests/unit/test_registry.py); merged first, they are
    applied as one. Merging costs about what applying costs, so the snapshot (the bulk, and
    self-contained once compaction squashed it) stays as it is."""
    if stored.log_rows < 2:
        return stored
    snapshot = stored.updates[:-stored.log_rows]
    return StoredDocument(snapshot + [merge(stored.updates[-stored.log_rows:])], stored.log_rows)


async def _alone(holders: asyncio.Future[int] | None) -> bool:
    """Whether no other node holds the room (so the store has all of it). With no bus there is
    none; if the bus cannot say, assume there is one (the room's own catch-up will fail alike)."""
    if holders is None:
        return True
    try:
        return await holders <= 1
    except Exception:
        return False
