"""The open rooms of this process: load on first join, unload after the last leave plus grace.

Joiners of a room that is still loading all await the same load (a shielded task), so clients
joining a brand-new room at the same moment share one room and none hangs. A failed load is
raised to every joiner and leaves no room behind: an empty document never stands in for a
stored one. A room is unloaded only when it has no connections *and* nothing left to commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from pycrdt import Doc

from server.sync.connection import Connection
from server.sync.persistence import GroupCommitter
from server.sync.ports import Bus, DocumentStore
from server.sync.replication import Replica
from server.sync.room import Limits, Room
from server.sync.stats import Stats

log = logging.getLogger(__name__)


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
        self._loading: dict[str, asyncio.Task[Room]] = {}
        self._unload_timers: dict[str, asyncio.TimerHandle] = {}
        self.loads = 0
        self.unloads = 0

    def __contains__(self, name: str) -> bool:
        return name in self._rooms

    def __len__(self) -> int:
        return len(self._rooms)

    def get(self, name: str) -> Room | None:
        return self._rooms.get(name)

    async def open(self, name: str) -> Room:
        """The room for ``name``, loading it if needed; raises if it cannot be loaded."""
        room = self._rooms.get(name)
        if room is not None:
            return room
        task = self._loading.get(name)
        if task is None:
            task = asyncio.create_task(self._load(name), name=f"load:{name}")
            self._loading[name] = task
            task.add_done_callback(lambda _: self._loading.pop(name, None))
        return await asyncio.shield(task)

    async def join(self, name: str, conn: Connection) -> Room:
        room = await self.open(name)
        self._cancel_unload(name)
        room.add(conn)
        return room

    def leave(self, room: Room, conn: Connection) -> None:
        room.remove(conn)
        if not room.peers:
            self._schedule_unload(room)

    async def _load(self, name: str) -> Room:
        replica = await self._subscribe(name)  # first, so nothing published meanwhile is missed
        try:
            stored = await self._store.load(name)
        except BaseException:
            if replica is not None:
                await self._bus.unsubscribe(replica.channel)  # type: ignore[union-attr]
            raise
        doc = Doc()
        for update in stored.updates:
            doc.apply_update(update)
        room = Room(name, doc, self._committer, self._limits, self.stats)
        room.log_rows = stored.log_rows
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
        if room.peers or self._rooms.get(room.name) is not room or room.name in self._unload_timers:
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
